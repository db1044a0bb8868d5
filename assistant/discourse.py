"""Sentences about a document rather than about its subject.

A briefing or a board paper says what it is, where it came from and what it contains: "The guidance
on HWBs had not been updated since 2013 and this document aims to bring the guidance up to date",
"It contains a selection of case studies", "The purpose of this paper is to provide an update on
progress", "The legislative requirements are included at appendix 2". Such a sentence is close to
almost any question on its document's topic, since it names that topic, but it tells a planner
nothing the plan must do or say. The answerer ranks it after the sentences that do, unless the
question is itself about a document (``assistant.overview``) or about how one is laid out.
"""

from __future__ import annotations

import re

_DOCUMENT = (r"(document|paper|report|publication|guidance|briefing|blog|annex|appendix|resources?|"
             r"materials?|toolkit|section|chapter|summary|case stud(y|ies)|workspace)")
# what a document does as a document: contain, accompany, aim, focus, list; come out, be updated
_DOCUMENT_VERB = (r"(aims?|contains?|accompan(y|ies)|includes?|lists?|summari[sz]es?|focus(es)?|covers?|"
                  r"is (intended|structured|divided|broadly structured|attached|included)|are (included|attached)|"
                  r"(was|were|has been|have been|had been) (received|published|released|produced|updated|developed)|"
                  r"had not been updated|supersedes|replaces|provides? (a|an) (summary|list|selection|overview|update)|"
                  r"provides? further|gives? (a|an) (summary|overview))")
_DATE = r"(\d{1,2}(st|nd|rd|th)?\s+)?[A-Z][a-z]+\s+(19|20)\d\d"
_PATTERNS = (
    # "The guidance on HWBs had not been updated since 2013", "This document aims to ...",
    # "These resources provide further recommendations ...", "The publication focuses on ..."
    # ("The workforce section must cover ..." is a requirement: no modal verb before the verb)
    rf"^(the|this|these|that|those|our|its)\s+([\w&’'-]+\s+){{0,5}}?{_DOCUMENT}\b"
    rf"(\s+(?!(must|should|will|shall|may|can|could|would|need|needs|ought)\b)[\w&’',-]+){{0,6}}?\s+{_DOCUMENT_VERB}\b",
    # "It contains a selection of case studies", "It accompanies previously published guidance"
    # (a pronoun may stand for a thing the document defines: "It also includes 'honour-based' abuse")
    r"^(it|they)\s+(also\s+)?(contains?|accompan(y|ies)|aims? to|focus(es)? on|summari[sz]es?|"
    r"provides? (a|an) (summary|list|selection|overview|update)|(was|were|has been|had been) (published|released|updated))\b",
    # "Guidance on developing the plan was received 23 December."
    r"^(the\s+)?(new\s+|updated\s+|national\s+|technical\s+)?guidance\b.{0,60}?\b(was|were|has been|had been)\s+"
    r"(received|published|issued|released)\b",
    # an edition line: "Updated 17 January 2023 and 15 May 2023."
    rf"^(first\s+)?(published|updated|last updated|revised)(\s+(on|in))?\s+{_DATE}(\s*(,|and)\s*{_DATE})*\W*$",
    r"^the purpose of (this|the) (paper|document|report|briefing|note|blog)\b",
    # "NHS England has released guidance on ...", "NHSE has produced guidance on ..."
    r"^(nhs england|nhse|the department (for|of) health and social care|dhsc)(\s*\([A-Z]+\))?\s+has\s+"
    r"(released|published|produced|developed|issued)\s+(new\s+|updated\s+|further\s+)?(guidance|a suite|materials)\b",
    # "In preparing the JFP guidance, NHS England has developed a suite of supporting materials"
    r"^in preparing the\b.{0,60}\bguidance\b",
    # "The legislative requirements are included at appendix 2", "... (see appendix 2)."
    r"\b(are|is) (included|attached|set out|listed|shown) (at|in) (appendix|annex) \w+\W*$",
)
_ABOUT_DOCUMENT = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.I)


# a question about a document itself: its purpose, contents, edition or appendices
_ASKS_ABOUT_DOCUMENT = re.compile(
    r"\b(purpose of|what (is|was) (it|the \w+|this \w+) for|contain(s|ed)?|case stud(y|ies)|appendix|appendices|"
    r"annex [a-z0-9]\b|supporting materials|resources|edition|version|"
    rf"when (was|were|did) (the|this|that|its|their|our) ([\w&’'-]+\s+){{0,4}}?{_DOCUMENT}\b.{{0,40}}"
    r"\b(publish|update|release|receiv|issu)\w*)", re.I)


def asks_about_document(question: str) -> bool:
    """The question is about a document itself ("What is the purpose of Cornwall's paper?", "When was
    the guidance updated?"), so the sentences that describe one are what it asks for."""
    return bool(_ASKS_ABOUT_DOCUMENT.search(question))


def describes_document(text: str) -> bool:
    """``text`` says what a document is, contains or where it came from, not what it says."""
    return bool(_ABOUT_DOCUMENT.search(" ".join(text.split())))


__all__ = ["asks_about_document", "describes_document"]
