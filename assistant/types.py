"""Typed, immutable records that flow between the stages.

Document -> Passage -> Chunk -> ScoredChunk -> Answer / Draft / CoverageReport.
Framework types (LangChain documents, Chroma results, Gradio events) are converted at the edges
and never travel further than the adapter that met them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal, get_args

DocKind = Literal["guidance", "briefing", "commentary", "icb_plan", "icb_paper", "strategy", "other"]
DOC_KINDS: tuple[str, ...] = get_args(DocKind)
PassageKind = Literal["heading", "paragraph", "list_item", "table_row"]
Strength = Literal["must", "should", "may", "other"]
CoverageStatus = Literal["addressed", "partial", "missing"]


@dataclass(frozen=True)
class Passage:
    """A block of text as a loader found it: one paragraph, list item, table row or heading."""

    text: str
    page: int | None  # 1-based page in the original; None for formats without pages
    section: tuple[str, ...]  # heading path, outermost first
    kind: PassageKind = "paragraph"


@dataclass(frozen=True)
class LoadedDocument:
    """What a loader returns: the passages of one file, in reading order."""

    path: str
    source: str  # file name
    title: str
    passages: tuple[Passage, ...]
    pages: int | None  # number of pages, None for formats without pages
    content_hash: str  # sha256 of the file's bytes


@dataclass(frozen=True)
class Chunk:
    """A unit of retrieval. Carries everything a citation needs."""

    chunk_id: str
    doc_id: str
    title: str
    source: str
    kind: str
    page: int | None
    section: str  # heading path joined with " > "
    duty_ids: tuple[str, ...]
    text: str
    n_tokens: int
    content_hash: str  # sha256 of the chunk text
    ordinal: int = 0  # position within its document
    publisher: str = ""  # who published the document, from its provenance ("" when not known)


@dataclass(frozen=True)
class DocumentRecord:
    """A document as the manifest knows it (one row of ``jfp sources``)."""

    doc_id: str
    title: str
    source: str
    kind: str
    pages: int | None
    chunks: int
    content_hash: str
    added_at: str = ""
    path: str = ""
    publisher: str = ""  # from provenance.json; "" when not known

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ScoredChunk:
    chunk: Chunk
    score: float
    rank: int = 0
    dense: float | None = None  # cosine similarity to the query, when known
    lexical: float | None = None  # BM25 score, when known


@dataclass(frozen=True)
class Citation:
    n: int
    chunk_id: str
    doc_id: str
    title: str
    source: str
    page: int | None
    section: str
    quote: str
    publisher: str = ""

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    abstained: bool
    citations: tuple[Citation, ...]
    retrieved: tuple[ScoredChunk, ...]
    backend: str
    notices: tuple[str, ...] = ()
    duty_ids: tuple[str, ...] = ()
    # how close the sources came to the question (``assistant.answer.Evidence``), what the abstention
    # threshold is compared with; None when no extractive choice was made
    confidence: float | None = None

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [c.to_json() for c in self.citations],
            "retrieved": [
                {
                    "rank": s.rank,
                    "chunk_id": s.chunk.chunk_id,
                    "doc_id": s.chunk.doc_id,
                    "source": s.chunk.source,
                    "title": s.chunk.title,
                    "page": s.chunk.page,
                    "section": s.chunk.section,
                    "score": round(float(s.score), 6),
                    "text": s.chunk.text,
                }
                for s in self.retrieved
            ],
            "backend": self.backend,
            "notices": list(self.notices),
            "duty_ids": list(self.duty_ids),
        }


@dataclass(frozen=True)
class IngestFailure:
    path: str
    error: str


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    documents: int = 0
    chunks: int = 0
    failed: list[IngestFailure] = field(default_factory=list)
    embedded_chunks: int = 0

    def to_json(self) -> dict:
        d = asdict(self)
        d["failed"] = [asdict(f) for f in self.failed]
        return d
