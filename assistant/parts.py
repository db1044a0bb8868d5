"""A numbered part of a document named in a question ("appendix 2", "Annex B"), and the chunks in it.

Board papers and plans point to their appendices by number ("the requirements table at appendix 2"),
and planners ask about them the same way ("What is in appendix 6 of the Cornwall paper?"). The number
is in a chunk's section path ("Appendix 2: Joint Forward Plan legislative requirements"), not in its
text, and BM25 does not index a one-character token, so nothing else finds the part the question means.
"""

from __future__ import annotations

import re

_KINDS = {"appendix": "appendix", "appendices": "appendix", "annex": "annex", "annexe": "annex", "annexes": "annex"}
# "appendix 2", "Appendix B", "annex 3a"; a letter only in upper case ("annex B"), so that "annex a
# statement" is not read as a reference
_IN_QUESTION = re.compile(r"\b(appendix|appendices|annexe?s?)\s+(\d{1,2}[a-z]?\b|[A-Z]\b)", re.I)
_IN_SECTION = re.compile(r"\b(appendix|annexe?)\s+(\d{1,2}[a-z]?|[A-Z])\b", re.I)


def parts_named(question: str) -> frozenset[tuple[str, str]]:
    """The numbered parts the question names, as (kind, number): {("appendix", "2")}."""
    out = set()
    for m in _IN_QUESTION.finditer(question):
        number = m.group(2)
        if number.isalpha() and not number.isupper():
            continue
        out.add((_KINDS[m.group(1).lower()], number.lower()))
    return frozenset(out)


def parts_of(section: str) -> frozenset[tuple[str, str]]:
    """The numbered parts a chunk's section path lies in: "Appendix 2: ... > Duty to ..." gives
    {("appendix", "2")}."""
    return frozenset((_KINDS[m.group(1).lower()], m.group(2).lower()) for m in _IN_SECTION.finditer(section or ""))
