"""Sentences of a chunk, each a verbatim span of the chunk text, with the context to embed it."""

from __future__ import annotations

import re
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
