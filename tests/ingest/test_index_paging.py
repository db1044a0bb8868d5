"""Listing every vector goes in pages: Chroma's local store fails one get() over 32,766 records with
metadata ("too many SQL variables"), which an index of about 8,000 chunks reaches."""

from __future__ import annotations

import numpy as np

import ingest.index as index_module
from assistant.types import Chunk
from ingest.index import ChromaIndex


def _chunk(doc: str, i: int) -> Chunk:
    return Chunk(chunk_id=f"{doc}:{i:05d}", doc_id=doc, title=doc, source=f"{doc}.md", kind="guidance", page=None,
                 section="S", duty_ids=(), text=f"text {doc} {i}", n_tokens=3, content_hash=f"{doc}{i}", ordinal=i)


def test_doc_and_chunk_ids_are_listed_in_pages(tmp_path, monkeypatch):
    from assistant.config import Settings
    from ingest.embedding import load_embedder

    emb = load_embedder(Settings().embedding_model)
    idx = ChromaIndex.embedded(tmp_path / "chroma", "paging", emb)
    rng = np.random.default_rng(0)
    chunks = [_chunk(f"doc{d}", i) for d in range(3) for i in range(4)]
    views = [c for c in chunks for _ in range(2)]  # two views per chunk
    vecs = rng.normal(size=(len(views), emb.dimension)).astype(np.float32)
    idx.upsert(views, vecs / np.linalg.norm(vecs, axis=1, keepdims=True),
               view_ids=[f"{c.chunk_id}#{n % 2}" for n, c in enumerate(views)])
    whole_docs, whole_chunks = idx.doc_ids(), idx.chunk_ids()
    assert whole_docs == {"doc0", "doc1", "doc2"} and whole_chunks == {c.chunk_id for c in chunks}
    for page in (1, 5, len(views), len(views) + 1):  # pages that divide the vectors evenly, and not
        monkeypatch.setattr(index_module, "GET_PAGE", page)
        assert idx.doc_ids() == whole_docs
        assert idx.chunk_ids() == whole_chunks
