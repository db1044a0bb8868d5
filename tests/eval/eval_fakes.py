"""Hand-made gold items, answers and look-ups for testing the evaluation harness.

The harness is what is under test, not retrieval or generation, so ``ask`` is a recording fake that
returns prepared :class:`Answer` objects.
"""

from __future__ import annotations

from assistant.types import Answer, Chunk, Citation, ScoredChunk

DOCS = {
    "d1": "Green plans. The NHS aims to reach net zero by 2040 and every ICB plan should set out "
    "progress towards it. Other text.",
    "d2": "Financial duties. The first plan was due by 30 June 2023.",
    "d3": "A page about something else entirely.",
}
CHUNKS = {
    "c1": ("d3", "A page about something else entirely."),
    "c2": ("d1", "The NHS aims to reach net zero by 2040 and every ICB plan should set out progress towards it."),
    "c3": ("d1", "Air quality matters and plans should report on it."),  # not in d1's text
    "c4": ("d3", "A page about something else entirely."),
    "c5": ("d3", "The triple aim."),
}


def make_chunk(chunk_id: str) -> Chunk:
    doc_id, text = CHUNKS[chunk_id]
    return Chunk(
        chunk_id=chunk_id, doc_id=doc_id, title=f"Doc {doc_id}", source=f"{doc_id}.txt", kind="guidance",
        page=1, section="S", duty_ids=(), text=text, n_tokens=len(text.split()), content_hash="h",
    )


def make_citation(n: int, chunk_id: str, quote: str) -> Citation:
    c = make_chunk(chunk_id)
    return Citation(n=n, chunk_id=chunk_id, doc_id=c.doc_id, title=c.title, source=c.source, page=c.page,
                    section=c.section, quote=quote)


def make_answer(question: str, text: str, *, abstained: bool = False, citations: tuple[Citation, ...] = (),
                retrieved: tuple[str, ...] = ()) -> Answer:
    scored = tuple(ScoredChunk(chunk=make_chunk(cid), score=1.0 / (i + 1), rank=i + 1)
                   for i, cid in enumerate(retrieved))
    return Answer(question=question, answer=text, abstained=abstained, citations=citations, retrieved=scored,
                  backend="fake")


GOLD_LINES = [
    {"id": "q1", "question": "What must the plan say about climate change?", "duty": "climate_change",
     "kind": "duty", "must_mention": ["net zero", "green plan"], "source": "000"},
    {"id": "q2", "question": "When was the first plan due?", "duty": "financial", "kind": "duty",
     "must_mention": ["30 June 2023"], "notes": "an unknown field"},
    {"id": "q3", "question": "Who won the 1966 World Cup?", "kind": "out_of_scope", "out_of_scope": True},
]

ANSWERS = {
    # retrieval: relevant chunk at rank 2; covers "net zero" but not "green plan"; citation [2] quotes
    # a chunk whose text is not in its document.
    "What must the plan say about climate change?": make_answer(
        "What must the plan say about climate change?",
        "Plans must describe progress towards net zero [1]. They should also report on air quality [2].",
        citations=(make_citation(1, "c2", "reach net zero by 2040"), make_citation(2, "c3", "Air quality matters")),
        retrieved=("c1", "c2", "c4"),
    ),
    # an in-scope question the assistant abstained on, with nothing relevant retrieved
    "When was the first plan due?": make_answer(
        "When was the first plan due?", "I could not find this in the documents.", abstained=True,
        retrieved=("c1",),
    ),
    # out of scope, correctly abstained
    "Who won the 1966 World Cup?": make_answer(
        "Who won the 1966 World Cup?", "I could not find this in the documents.", abstained=True,
        retrieved=("c4",),
    ),
}


class RecordingAsk:
    """A fake ``ask`` that returns prepared answers and records what it was asked."""

    def __init__(self, answers: dict[str, Answer]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str | None]] = []

    def __call__(self, question: str, duty: str | None) -> Answer:
        self.calls.append((question, duty))
        return self.answers[question]


class CountingLookup:
    """``chunk_text`` / ``doc_text`` over a dict, counting look-ups."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.texts = texts
        self.calls: list[str] = []

    def __call__(self, key: str) -> str | None:
        self.calls.append(key)
        return self.texts.get(key)
