"""Can the sources answer this question? Checks made before an answer is shown.

0. Task: a request for work the library cannot hold an answer to -- code, a database query, a
   spreadsheet formula ("Write me a SQL query that counts patients by practice") -- is not a question
   about the sources, however many planning words it uses. (A draft of a plan section is ``jfp draft``.)
1. Closeness: ``confidence`` = 0.7 x (best candidate sentence's similarity to the question) +
   0.3 x (best chunk's dense similarity). Below the calibrated threshold (eval/calibrate.py fits it
   on the dev gold split) the sources are not about the question at all.
   Vocabulary: when more than a calibrated share of the question's words appear in no indexed
   document ("When does the Premier League season start?": premier, league, season), the library
   is not about the question, however close its nearest sentence looks to a small embedding model.
2. Specifics: a year or figure in the question that no indexed document mentions ("the 2025/26
   capital budget") means the fact asked for is not there.
3. Answer type: a question asking for a quantity ("how many", "what is the ... budget / rate /
   deficit") needs a quoted sentence that holds a figure (a year is not one) *and* the question's
   subject; "how many <things>" needs a count of those things ("65 beds", not "2% of beds"). A
   question asking who holds a role ("who is the chief executive", "the name of the chief executive",
   "who chairs ...") needs the role named in a quoted sentence, not just somewhere in the library;
   "who is responsible for ..." asks who does something, and is answered like any other question.
Each failed check gives a plain reason that is shown with the closest material.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assistant.citations import numbers_in
from assistant.terms import TermWeights, content_terms

_QUANTITY = re.compile(
    r"\b(how (many|much)|what(?:\s+is|\s+was|'s|’s|\s+are|\s+were)\s+(?:[\w'’/&-]+\s+){0,6}?(budget|deficit|surplus|rate|"
    r"cost|spend|uplift|allocation|award|number|size|total|amount|figure|price|salary|population|headcount|waiting list)s?)\b",
    re.I)
# "write me a SQL query ...", "can you generate Python code to ...", "give me an Excel formula for ..."
_CODE_REQUEST = re.compile(
    r"^\W*(?:(?:please|can you|could you|would you|help me)\s+)*(?:write|generate|create|give|produce|code|build)\b"
    r"(?:\s+[\w'’-]+){0,4}?\s+(?:sql|python|vba|javascript|bash|excel|spreadsheet|dax|power\s*bi|code(?!\s+of\b)|script|"
    r"query|queries|macro|formula|regex|regular expression)\b", re.I)
_WHO_ROLE = re.compile(r"\bwho(?:\s+is|'s|’s|\s+was|\s+are)\s+(?:the\s+)?(?:current\s+)?([a-z][a-z -]{2,40}?)(?: of| at| for| in|\?|$)", re.I)
# "what is the name of the Cornwall ICB chief executive?": a role lookup as well
_NAME_OF = re.compile(r"\bthe names? of (?:the\s+|our\s+|their\s+)?(?:current\s+)?([a-z][a-z -]{2,40}?)(?: of| at| for| in|\?|$)",
                      re.I)
_WHO_VERB = re.compile(r"\bwho (chairs|leads|runs|heads|manages)\b", re.I)
# "who is responsible for ...", "who is involved in ...": asks who does something, not who holds a
# named post, so any sentence saying who does it answers
_NOT_A_ROLE = frozenset("responsible accountable involved required expected consulted allowed able entitled eligible "
                        "liable meant supposed asked charged tasked".split())
# "how many hospital beds does ...": the thing counted, up to three words ending in its head noun
_COUNT_PHRASE_END = (r"does|do|did|are|is|was|were|will|would|can|could|should|shall|must|may|might|have|has|had|"
                     r"in|on|at|for|of|to|by|per|from|with|across|within|under|over|the|a|an|our|we|you|they|"
                     r"there|each|every|this|that|these|those|and|or|currently|now|still|been|be|need|needs")
_HOW_MANY = re.compile(r"\bhow many\s+(?:more\s+|fewer\s+|extra\s+|new\s+)?"
                       rf"([a-z][a-z-]+(?:\s+(?!(?:{_COUNT_PHRASE_END})\b)[a-z][a-z-]+){{0,2}})", re.I)
# "how much freedom / detail / flexibility": asks about latitude or depth, not an amount
_NOT_AMOUNT = re.compile(r"\bhow much (freedom|flexibility|detail|say|choice|discretion|latitude|influence|"
                         r"involvement|emphasis|weight|attention|information|evidence|of)\b", re.I)
_MONEY_MEASURES = frozenset("budget deficit surplus cost spend uplift allocation award price salary".split())
# measures any figure on the subject answers ("what is the total ...")
_ANY_FIGURE = frozenset({"number", "size", "total", "amount", "figure", "population", "headcount", "waiting list"})
_MONEY = re.compile(r"[£$€]|\b(million|billion|bn|[0-9.]+m|[0-9.]+k)\b", re.I)
# a figure for the country, even when an ICB's paper quotes it ("topped-up by £300 million nationally")
_NATIONAL = re.compile(r"\b(nationally|at (a )?national level|across (the country|England)|in England as a whole)\b", re.I)
_YEAR = re.compile(r"^(19|20)\d\d(/\d\d(\d\d)?)?$")
_GENERIC = frozenset("plan jfp icb ics icp nhs joint forward board integrated care system trust guidance".split())
_GENERIC_TERMS = frozenset(t for w in _GENERIC for t in content_terms(w))
# the words a question is asked in ("what should the plan say about ...?"), not what it is about
_FRAMING_TERMS = frozenset(t for w in "say tell include cover write mention describe explain expect need set show put"
                           .split() for t in content_terms(w))


@dataclass(frozen=True)
class CorpusStats:
    """What the answerability checks need to know about the indexed text."""

    weights: TermWeights
    numbers: frozenset[str]
    text: str  # all chunk text, lower-cased and whitespace-collapsed, for phrase look-ups
    document_names: frozenset[str] = frozenset()  # words that name a document ("cornwall"), lower case

    @classmethod
    def build(cls, texts: Iterable[str]) -> CorpusStats:
        texts = list(texts)
        numbers: set[str] = set()
        for t in texts:
            numbers |= numbers_in(t)
        return cls(TermWeights(texts), frozenset(numbers), " ".join(" ".join(t.lower().split()) for t in texts))

    @classmethod
    def empty(cls) -> CorpusStats:
        return cls(TermWeights([]), frozenset(), "")


def _subject_terms(question: str, weights: TermWeights) -> list[str]:
    """The question's most specific known terms (highest IDF, present in the corpus)."""
    terms = [t for t in dict.fromkeys(content_terms(question)) if t not in _GENERIC and weights.df.get(t, 0) > 0]
    return sorted(terms, key=lambda t: -weights.idf(t))[:3]


def unknown_words(question: str, weights: TermWeights) -> tuple[list[str], float]:
    """The question's content words that no indexed chunk uses, and their share of its content words
    (0.0 when fewer than two are unknown: one unfamiliar word is a name or a typo, not another topic)."""
    terms = list(dict.fromkeys(content_terms(question)))
    unknown = [t for t in terms if weights.df.get(t, 0) == 0]
    return unknown, (len(unknown) / len(terms) if len(unknown) >= 2 else 0.0)


def _surface(question: str, terms: Sequence[str]) -> list[str]:
    """The question's words, as written, whose content terms are ``terms``."""
    wanted = set(terms)
    return list(dict.fromkeys(w for w in re.findall(r"[A-Za-z][\w'-]*", question)
                              if any(t in wanted for t in content_terms(w))))


def unanswerable_reason(question: str, quoted: list[str], corpus: CorpusStats,
                        max_unknown_share: float = 1.0, from_named: Sequence[bool] | None = None) -> str | None:
    """A plain reason when the sources cannot answer, else None. ``quoted``: the sentences the
    answer would quote; ``max_unknown_share``: the calibrated share of the question's words that may
    be unknown to the library (1.0: no vocabulary check); ``from_named``: for each quoted sentence,
    whether it comes from a document the question names ("Cornwall's capital allocation"), when it
    names one."""
    weights, known_numbers = corpus.weights, corpus.numbers
    if _CODE_REQUEST.search(question):
        return ("This asks for code or a query to be written; jfp-assistant answers questions from the indexed "
                "documents and drafts plan sections, it does not write code.")
    unknown, share = unknown_words(question, weights)
    if share > max_unknown_share:
        return f"Most of the words in this question ({', '.join(unknown[:4])}) appear in no indexed document."
    if (max_unknown_share < 1.0 and unknown
            and all(t in _GENERIC_TERMS or t in _FRAMING_TERMS for t in content_terms(question) if t not in unknown)):
        # what the question is about is in no document: "what should the plan say about dentistry?" (a
        # misspelt word is named too, so the planner sees it)
        return f"No indexed document mentions {', '.join(_surface(question, unknown))}."
    asked_numbers = {n for n in numbers_in(question) if len(n) >= 4 or "/" in n}  # years, 2025/26, big figures
    missing = sorted(n for n in asked_numbers if n not in known_numbers)
    if missing:
        return f"No indexed document mentions {', '.join(missing)}."
    quantity = _QUANTITY.search(question)
    if quantity and not _NOT_AMOUNT.search(question):
        subject = _subject_terms(question, weights)
        measure_terms = set(content_terms(quantity.group(3) or ""))
        # the measure is not the subject: "the reimbursement rate for ARRS" is not answered by "the
        # dementia diagnosis rate is 66.7%"
        subject = [t for t in subject if t not in measure_terms] or subject
        on_subject = [s for s in quoted if _figures(s) and set(content_terms(s)) & set(subject)]
        if not on_subject:
            return "The sources give no figure for this."
        if from_named is not None and any(from_named):
            # "How much is Cornwall's capital allocation?" is not answered by a national figure
            own = {s for s, named in zip(quoted, from_named, strict=True) if named and not _NATIONAL.search(s)}
            if not any(s in own for s in on_subject):
                return ("The document this question names gives no figure for it; the figures found are "
                        "national or about other bodies.")
            on_subject = [s for s in on_subject if s in own]
        measure = quantity.group(3)
        if measure and not any(_measures(s, measure.lower()) for s in on_subject):
            return f"The sources give no {measure.lower()} figure for this."
        counted = _HOW_MANY.search(question)
        if counted and not any(_counts(s, counted.group(1)) for s in quoted):
            return f"The sources give no count of {counted.group(1)}."
        named = _named_subject(question, corpus.document_names)
        if counted and named and not any(_counts(s, counted.group(1)) and _mentions(s, named.lower()) for s in quoted):
            return f"The sources give no count of {counted.group(1)} for {named}."
    m = _WHO_ROLE.search(question) or _NAME_OF.search(question)
    if (m and not question.lower().startswith(("who should", "who do", "who does", "who must", "who can", "who will"))
            and m.group(1).lower().split()[0] not in _NOT_A_ROLE):
        role = " ".join(w for w in m.group(1).lower().split() if w not in _GENERIC)
        if role and role not in corpus.text:
            return f"The sources do not name who holds this role ({m.group(1).strip()})."
        if role and not any(_mentions(s, role) for s in quoted):
            return f"The passages found do not say who holds this role ({m.group(1).strip()})."
    verb = _WHO_VERB.search(question)
    if verb:
        stem_ = content_terms(verb.group(1))[0]
        # what is chaired or led ("NHS Cornwall and Isles of Scilly ICB"): a sentence that uses the
        # word of something else ("8 February - ICP chairs meeting") does not say who chairs it
        subject = {t for t in content_terms(question[verb.end():]) if t not in _GENERIC_TERMS and weights.df.get(t, 0)}
        # "who leads the green plan in Lancashire?": the place names the document to look in (retrieval
        # prefers it); what is led is the green plan. A subject that is only a name stays a name
        # ("who chairs Lancashire and South Cumbria ICB?")
        named = {t for w in corpus.document_names for t in content_terms(w)}
        subject = (subject - named) or subject
        if weights.df.get(stem_, 0) == 0 or not any(stem_ in terms and subject <= terms
                                                    for terms in (set(content_terms(s)) for s in quoted)):
            return "The sources do not say who does this."
    return None


# a capitalised word inside a question ("... in Welsh?"), not its first word, nor an acronym ("JFP")
_NAME_WORD = re.compile(r"(?<!^)(?<![.?!:]\s)(?<![.?!:])\b([A-Z][a-z’']+)\b")


def unmentioned_names(question: str, corpus: CorpusStats) -> list[str]:
    """The names in ``question`` that no indexed document uses ("Do we have to publish the JFP in
    Welsh?"): the answer can only speak to the rest of the question, and the planner should know."""
    out = []
    for word in _NAME_WORD.findall(question):
        bare = re.sub(r"[’']s?$", "", word)
        terms = content_terms(bare)
        if (terms and all(corpus.weights.df.get(t, 0) == 0 for t in terms) and bare.lower() not in corpus.text
                and bare.lower() not in corpus.document_names):
            out.append(bare)
    return list(dict.fromkeys(out))


_NAME_RUN = re.compile(r"(?<!^)(?<![.?!]\s)\b([A-Z][a-z’']+(?:\s+(?:of\s+|and\s+|the\s+)?[A-Z][a-z’']+)*)")


def _named_subject(question: str, document_names: frozenset[str]) -> str | None:
    """The proper name the question asks about ("the Royal Cornwall Hospital"), less the words that
    only name a document the library holds ("Cornwall" names the board paper, so "How many beds will
    Cornwall open?" asks that paper, not a hospital). None when there is no such name."""
    for run in _NAME_RUN.findall(question):
        words = [w for w in run.split() if w[:1].isupper()]
        if any(w.lower() not in document_names and w.lower() not in _GENERIC for w in words):
            return " ".join(w for w in words if w.lower() not in document_names) or None
    return None


# a footnote reference glued to a word or to the punctuation after one: "treatment.1", "requirement1"
_FOOTNOTE = re.compile(r"(?:(?<=[a-z])|(?<=[a-z][.,;:)\]”’\"]))\d{1,2}\b")


def _figures(sentence: str) -> set[str]:
    """Figures in a sentence other than years ("2024", "2024/25"): a year dates a fact, it is not one;
    nor is a footnote reference ("... about their care or treatment.1")."""
    return {n for n in numbers_in(_FOOTNOTE.sub(" ", sentence)) if not _YEAR.match(n)}


def _measures(sentence: str, measure: str) -> bool:
    """A figure-bearing sentence speaks of the measure asked for: it names it ("deficit", "rate"), or
    gives money for a money measure, or a percentage for a rate."""
    if content_terms(measure)[0] in content_terms(sentence):
        return True
    if measure in _MONEY_MEASURES and _MONEY.search(sentence):
        return True
    if measure == "rate" and "%" in sentence:
        return True
    return measure in _ANY_FIGURE


def _mentions(sentence: str, phrase: str) -> bool:
    """The phrase (lower-case words) appears in the sentence, or all its content terms do."""
    text = " ".join(sentence.lower().split())
    if phrase in text:
        return True
    wanted = set(content_terms(phrase))
    return bool(wanted) and wanted <= set(content_terms(sentence))


def _counts(sentence: str, noun: str) -> bool:
    """The sentence gives a count of ``noun``: a number (not a year or a percentage) within a few words
    before it, as in "1,200 new beds" or "65 more staff". Of "hospital beds", every word is needed:
    "200 new specialist dementia beds" is not a count of hospital beds."""
    target = content_terms(noun)
    if not target:
        return True
    words = re.findall(r"[£$€]?\d[\d,.]*%?|[a-z][a-z-]*", sentence.lower())
    for i, w in enumerate(words):
        if not w[-1].isdigit() or w.startswith(("£", "$", "€")) or _YEAR.match(w.replace(",", "")):
            continue
        after = {t for x in words[i + 1:i + 4 + len(target)] for t in content_terms(x)}
        if all(t in after for t in target):
            return True
    return False
