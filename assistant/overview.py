"""Questions about a whole document: "What does the Arden & GEM blog recommend?", "Summarise
Cornwall's board paper".

Such a question names one document and nothing it should be about, so its similarity to any one
sentence says nothing about whether the sources answer it: the document is in the library, and the
answer is what the document itself is mostly about. The sentences are chosen for their closeness to
the document's own centre (the mean of its candidate units' vectors), the usual centroid summary,
instead of to the question's few framing words.
"""

from __future__ import annotations

import numpy as np

from assistant.terms import content_terms

# what is left of a question about a whole document once its name is taken out: the asking, the kind
# of document, and words for "the main points"
_OVERVIEW_WORDS = frozenset(t for w in (
    "what does do did say says said tell tells recommend recommends recommendation recommendations suggest suggests "
    "propose proposes argue argues conclude concludes conclusion conclusions summarise summarize summary overview "
    "main key point points message messages takeaway takeaways gist about cover covers set out sets "
    "blog post article briefing paper report document annex appendix guidance publication plan board "
    "icb ics nhs their its overall general generally whole give me us please can you could"
).split() for t in content_terms(w))


def asks_for_overview(question: str, name_words: frozenset[str], named: int) -> bool:
    """The question names exactly one document (``named``: how many it names) and, once its name is
    taken out, asks for nothing but what that document says."""
    if named != 1:
        return False
    names = {t for w in name_words for t in content_terms(w)}
    rest = [t for t in content_terms(question) if t not in names]
    return len(rest) < len(content_terms(question)) and all(t in _OVERVIEW_WORDS for t in rest)


def centre(vectors: np.ndarray) -> np.ndarray:
    """The unit-length mean of a document's unit vectors (rows)."""
    mean = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm else mean
