"""The lexical weights: the faster build must count exactly what the plain definition counts."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from assistant.terms import TermWeights, content_terms, stem

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def test_document_frequencies_match_the_plain_definition_on_the_shipped_corpus():
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    texts += ["", "ICBs' plans: 2023/24 -- the Carbon-Footprint (NHS) zorbles, zorbled, zorbling!", "a an the of"]
    assert len(texts) >= 6
    want: Counter[str] = Counter()
    for t in texts:
        want.update(set(content_terms(t)))
    got = TermWeights(texts)
    assert got.n == len(texts)
    assert got.df == want
    assert got.df["plan"] >= 5 and got.df["zorbl"] == 1  # real counts, not an empty table


def test_stem_is_the_same_cached_or_not():
    for w in ("studies", "planning", "planned", "classes", "plans", "is", "gas", "ties"):
        assert stem(w) == stem.__wrapped__(w)
