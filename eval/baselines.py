"""The systems the eval compares, each behind the same three callables the harness needs.

- ``assistant``: the product (hybrid retrieval, extractive or LLM answer, abstention).
- ``bm25``: BM25 alone over the product's chunks; the answer is the top chunks' text, cited; it
  never abstains.
- ``dense_langchain``: LangChain's default recipe - ``RecursiveCharacterTextSplitter`` (1000
  characters, 200 overlap) over each document's text, the same MiniLM embeddings, top-4 by cosine
  similarity; the answer is the four chunks' text, cited; it never abstains.
The baselines answer with retrieved text because that is what such a pipeline shows a user
without a generator; key-point coverage only reads the first 300 words of any answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from assistant.chunk_sentences import sentences_of
from assistant.citations import make_citation
from assistant.retrieval import LexicalIndex
from assistant.types import Answer, Chunk, ScoredChunk


@dataclass
class System:
    name: str
    ask: Callable[[str, str | None], Answer]
    chunk_text: Callable[[str], str | None]
    doc_text: Callable[[str], str | None]


def assistant_system(service) -> System:
    # The gold item's duty is a topic label, not passed as a filter: planners mostly ask without one.
    return System("assistant", lambda q, duty: service.ask(q), service.chunk_text, service.document_text)


def _answer_from_chunks(question: str, chunks: list[tuple[Chunk, float]], backend: str) -> Answer:
    cites = []
    lines = []
    for n, (c, _) in enumerate(chunks, start=1):
        sents = sentences_of(c)
        quote = sents[0].text if sents else c.text.strip().split("\n")[0]
        cites.append(make_citation(n, c, quote))
        lines.append(f"{c.text} [{n}]")
    retrieved = tuple(ScoredChunk(chunk=c, score=s, rank=i) for i, (c, s) in enumerate(chunks, start=1))
    return Answer(question=question, answer="\n\n".join(lines), abstained=False, citations=tuple(cites),
                  retrieved=retrieved, backend=backend)


def bm25_system(service, k: int = 5) -> System:
    chunks = service.manifest.chunks()
    lex = LexicalIndex(chunks)

    def ask(q: str, duty: str | None) -> Answer:
        return _answer_from_chunks(q, lex.search(q, k), "bm25")

    return System("bm25", ask, service.chunk_text, service.document_text)


def dense_langchain_system(service, k: int = 4) -> System:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    chunks: list[Chunk] = []
    for d in service.sources():
        text = service.document_text(d.doc_id) or ""
        for i, piece in enumerate(splitter.split_text(text)):
            chunks.append(Chunk(chunk_id=f"lc:{d.doc_id}:{i:05d}", doc_id=d.doc_id, title=d.title, source=d.source,
                                kind=d.kind, page=None, section="", duty_ids=(), text=piece, n_tokens=0,
                                content_hash="", ordinal=i))
    vecs = service.embedder.embed_documents([c.text for c in chunks])
    by_id = {c.chunk_id: c for c in chunks}

    def ask(q: str, duty: str | None) -> Answer:
        sims = vecs @ service.embedder.embed_query(q)
        top = np.argsort(-sims)[:k]
        return _answer_from_chunks(q, [(chunks[i], float(sims[i])) for i in top], "dense_langchain")

    def chunk_text(cid: str) -> str | None:
        c = by_id.get(cid)
        return c.text if c else None

    return System("dense_langchain", ask, chunk_text, service.document_text)
