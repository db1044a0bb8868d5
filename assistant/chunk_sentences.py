"""Sentences of a chunk, each a verbatim span of the chunk text, with the context to embed it.

The contexts are embedded once, at ingest (``sentence_contexts``), and stored beside the chunk in the
manifest; the answerer looks them up instead of running the model per question. ``contexts_digest``
ties a stored set to the exact texts the answerer would embed today: if the sentence splitting
changes, the digest no longer matches and the answerer embeds those sentences itself.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.types import Chunk
from ingest.chunking import split_sentences

_BULLET = re.compile(r"^\s*(?:[-•*▪◦]|\d{1,2}[.)]|[a-z][.)])\s+")


@dataclass(frozen=True)
class Sentence:
    text: str  # verbatim from chunk.text (leading bullet removed)
    chunk: Chunk
    context: str  # what is embedded: the section's last heading and the sentence
    position: int = 0  # index of the sentence within its chunk


@lru_cache(maxsize=20000)
def sentences_of(chunk: Chunk, min_words: int = 5) -> tuple[Sentence, ...]:
    head = chunk.section.split(" > ")[-1] if chunk.section else ""
    out: list[Sentence] = []
    for line in chunk.text.split("\n"):
        line = _BULLET.sub("", line).strip()
        if not line:
            continue
        for s in split_sentences(line):
            s = s.strip()
            if len(s.split()) < min_words:
                continue
            out.append(Sentence(text=s, chunk=chunk, context=f"{head}: {s}" if head else s, position=len(out)))
    return tuple(out)


def sentence_contexts(chunk: Chunk) -> list[str]:
    """The texts the answerer embeds for a chunk, in ``sentences_of`` order (row i is position i).
    Not cached: ingest calls it once per chunk and must not fill the answerer's cache."""
    return [s.context for s in sentences_of.__wrapped__(chunk)]


def contexts_digest(contexts: Sequence[str]) -> str:
    """A short fingerprint of a chunk's sentence contexts, in order."""
    h = hashlib.sha1(usedforsecurity=False)
    for c in contexts:
        h.update(c.encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()[:16]
