"""Can the sources answer this question? Checks made before an answer is shown.

1. Closeness: ``confidence`` = 0.7 x (best candidate sentence's similarity to the question) +
   0.3 x (best chunk's dense similarity). Below the calibrated threshold (eval/calibrate.py fits it
   on the dev gold split) the sources are not about the question at all.
2. Specifics: a year or figure in the question that no indexed document mentions ("the 2025/26
   capital budget") means the fact asked for is not there.
3. Answer type: a question asking for a quantity ("how many", "what is the ... budget / rate /
   deficit") needs a quoted sentence that holds a figure *and* the question's subject; a question
   asking who holds a role ("who is the chief executive") needs the role named in the sources.
Each failed check gives a plain reason that is shown with the closest material.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.citations import numbers_in
from assistant.terms import TermWeights, content_terms

_QUANTITY = re.compile(
    r"\b(how (many|much)|what(?:\s+is|\s+was|'s|’s|\s+are|\s+were)\s+(?:[\w'’/&-]+\s+){0,6}?(budget|deficit|surplus|rate|"
    r"cost|spend|uplift|allocation|award|number|size|total|amount|figure|price|salary|population|headcount|waiting list)s?)\b",
    re.I)
_WHO_ROLE = re.compile(r"\bwho(?:\s+is|'s|’s|\s+was|\s+are)\s+(?:the\s+)?(?:current\s+)?([a-z][a-z -]{2,40}?)(?: of| at| for| in|\?|$)", re.I)
_WHO_VERB = re.compile(r"\bwho (chairs|leads|runs|heads|manages)\b", re.I)
_GENERIC = frozenset("plan jfp icb ics nhs joint forward board integrated care system trust guidance".split())


@dataclass(frozen=True)
class CorpusStats:
    """What the answerability checks need to know about the indexed text."""

    weights: TermWeights
    numbers: frozenset[str]
    text: str  # all chunk text, lower-cased and whitespace-collapsed, for phrase look-ups

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


def unanswerable_reason(question: str, quoted: list[str], corpus: CorpusStats) -> str | None:
    """A plain reason when the sources cannot answer, else None. ``quoted``: the sentences the
    answer would quote."""
    weights, known_numbers = corpus.weights, corpus.numbers
    asked_numbers = {n for n in numbers_in(question) if len(n) >= 4 or "/" in n}  # years, 2025/26, big figures
    missing = sorted(n for n in asked_numbers if n not in known_numbers)
    if missing:
        return f"No indexed document mentions {', '.join(missing)}."
    if _QUANTITY.search(question):
        subject = _subject_terms(question, weights)
        has_figure = [s for s in quoted if numbers_in(s)]
        if not any(set(content_terms(s)) & set(subject) for s in has_figure):
            return "The sources give no figure for this."
    m = _WHO_ROLE.search(question)
    if m and not question.lower().startswith(("who should", "who do", "who does", "who must", "who can", "who will")):
        role = " ".join(w for w in m.group(1).lower().split() if w not in _GENERIC)
        if role and role not in corpus.text:
            return f"The sources do not name who holds this role ({m.group(1).strip()})."
    if _WHO_VERB.search(question) and weights.df.get(content_terms(_WHO_VERB.search(question).group(1))[0], 0) == 0:
        return "The sources do not say who does this."
    return None
