"""Content terms and their weights: the lexical half of sentence scoring."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

_TOKEN = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset("""a about above after again all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having he her here
hers him his how i if in into is it its itself just me more most my no nor not now of off on once only or other our ours
out over own same she should so some such than that the their theirs them then there these they this those through to
too under until up very was we were what when where which while who whom why will with would you your yours us say says
said tell need needs needed do does kind sort way ways thing things""".split())


@lru_cache(maxsize=262_144)
def stem(word: str) -> str:
    """A light suffix stripper. Cached: a corpus has a few tens of thousands of distinct words, and
    stemming every token of every chunk again was most of building the term weights when a process
    opens an index (2.4 of 3.4 s at 10,000 chunks)."""
    for suffix in ("ies", "ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def content_terms(text: str) -> list[str]:
    return [stem(t) for t in _TOKEN.findall(text.lower()) if t not in STOPWORDS and len(t) > 1]


def _distinct_terms(text: str) -> set[str]:
    """``set(content_terms(text))``, stemming each distinct word once."""
    return {stem(w) for w in set(_TOKEN.findall(text.lower())) if w not in STOPWORDS and len(w) > 1}


@lru_cache(maxsize=50_000)
def term_set(text: str) -> frozenset[str]:
    """The content terms of ``text`` as a set, cached: the same candidate sentences come back for many
    questions, and stemming them was a third of choosing an answer's sentences."""
    return frozenset(content_terms(text))


class TermWeights:
    """Inverse document frequency over a set of texts (chunks)."""

    def __init__(self, texts: Iterable[str]) -> None:
        df: Counter[str] = Counter()
        n = 0
        for t in texts:
            n += 1
            df.update(_distinct_terms(t))
        self.n = max(n, 1)
        self.df = df

    def idf(self, term: str) -> float:
        return math.log(1 + (self.n - self.df.get(term, 0) + 0.5) / (self.df.get(term, 0) + 0.5))

    def overlap(self, query_terms: list[str], text: str) -> float:
        """Share of the query's IDF mass whose terms occur in ``text`` (0..1)."""
        q = set(query_terms)
        if not q:
            return 0.0
        present = term_set(text)
        total = sum(self.idf(t) for t in q)
        return sum(self.idf(t) for t in q if t in present) / total if total else 0.0
