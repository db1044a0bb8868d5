"""Structure-aware chunking.

Passages from a loader are grouped under their heading path: a chunk never crosses a heading, a page
or a document, and a table row is never split from itself. Within a section, passages are packed up
to ``target_tokens`` (cl100k_base); a passage longer than that is split on sentence boundaries with a
small overlap. Every chunk carries what a citation needs, and its duty tags from the registry.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby

from assistant.duties import tag_duties
from assistant.tokens import count_tokens
from assistant.types import Chunk, LoadedDocument, Passage

SECTION_SEP = " > "
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=[\"'‘“(\[]?[A-Z0-9•\-])")


@dataclass(frozen=True)
class ChunkingConfig:
    target_tokens: int = 300
    overlap_tokens: int = 40


def split_sentences(text: str) -> list[str]:
    """Split text into sentences (conservative: a sentence end followed by a capital or digit)."""
    parts = [p.strip() for p in _SENTENCE_END.split(text)]
    return [p for p in parts if p]


def _split_long(text: str, target: int, overlap: int) -> Iterator[str]:
    """Split one over-long passage on sentence boundaries; overlap repeats trailing sentences."""
    sentences = split_sentences(text)
    if len(sentences) <= 1:
        words = text.split()
        # no sentence boundaries: fall back to word windows of roughly the target size
        step = max(1, int(target * 0.7))
        ov = max(0, min(int(overlap * 0.7), step - 1))
        i = 0
        while i < len(words):
            yield " ".join(words[i : i + step])
            if i + step >= len(words):
                break
            i += step - ov
        return
    current: list[str] = []
    size = 0
    for s in sentences:
        n = count_tokens(s)
        if current and size + n > target:
            yield " ".join(current)
            # carry trailing sentences up to the overlap budget
            carry: list[str] = []
            c = 0
            for prev in reversed(current):
                pn = count_tokens(prev)
                if c + pn > overlap:
                    break
                carry.insert(0, prev)
                c += pn
            current, size = carry, c
        current.append(s)
        size += n
    if current:
        yield " ".join(current)


def _pieces(passages: Iterable[Passage], cfg: ChunkingConfig) -> Iterator[tuple[str, int]]:
    """Yield (text, tokens) pieces small enough to pack; long passages are split, rows kept whole."""
    for p in passages:
        n = count_tokens(p.text)
        if n <= cfg.target_tokens or p.kind == "table_row" and n <= cfg.target_tokens * 3:
            yield p.text, n
        else:
            for part in _split_long(p.text, cfg.target_tokens, cfg.overlap_tokens):
                yield part, count_tokens(part)


def chunk_document(doc: LoadedDocument, doc_id: str, kind: str, cfg: ChunkingConfig | None = None) -> list[Chunk]:
    """Turn a loaded document into chunks, in reading order."""
    cfg = cfg or ChunkingConfig()
    chunks: list[Chunk] = []
    body = [p for p in doc.passages if p.kind != "heading"]
    for (page, section), group in groupby(body, key=lambda p: (p.page, p.section)):
        section_str = SECTION_SEP.join(section)
        texts: list[str] = []
        size = 0
        for text, n in _pieces(group, cfg):
            if texts and size + n > cfg.target_tokens:
                chunks.append(_make(doc, doc_id, kind, page, section_str, texts, len(chunks)))
                texts, size = [], 0
            texts.append(text)
            size += n
        if texts:
            chunks.append(_make(doc, doc_id, kind, page, section_str, texts, len(chunks)))
    return chunks


def _make(doc: LoadedDocument, doc_id: str, kind: str, page: int | None, section: str,
          texts: list[str], ordinal: int) -> Chunk:
    text = "\n".join(texts)
    return Chunk(
        chunk_id=f"{doc_id}:{ordinal:05d}",
        doc_id=doc_id,
        title=doc.title,
        source=doc.source,
        kind=kind,
        page=page,
        section=section,
        duty_ids=tag_duties(section, text),
        text=text,
        n_tokens=count_tokens(text),
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        ordinal=ordinal,
    )


def views(chunk: Chunk, window_tokens: int = 90) -> list[tuple[str, str]]:
    """Texts to embed for a chunk, as (view_id, text): the whole chunk, then windows of a few
    sentences. Small windows keep a specific sentence findable inside a broad chunk; each view is
    prefixed with the chunk's own heading so it keeps its topic."""
    head = chunk.section.split(SECTION_SEP)[-1] if chunk.section else ""

    def with_head(text: str) -> str:
        return f"{head}\n{text}" if head and head not in text[:200] else text

    out = [(chunk.chunk_id, with_head(chunk.text))]
    if chunk.n_tokens <= window_tokens:
        return out
    units = [s for line in chunk.text.split("\n") for s in split_sentences(line)]
    window: list[str] = []
    size = 0
    for u in units:
        n = count_tokens(u)
        if window and size + n > window_tokens:
            out.append((f"{chunk.chunk_id}#w{len(out)}", with_head(" ".join(window))))
            window, size = [], 0
        window.append(u)
        size += n
    if window and len(out) > 1:
        out.append((f"{chunk.chunk_id}#w{len(out)}", with_head(" ".join(window))))
    elif window:  # a single window would repeat the whole chunk
        pass
    return out
