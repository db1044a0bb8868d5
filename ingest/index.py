"""The vector index behind a small interface, with Chroma adapters (embedded and server).

Chroma stores vectors and enough metadata to filter; the manifest stays the source of truth for
text and for which documents exist. We always hand Chroma our own embedding function, so it never
reaches for its default (downloading) model, and telemetry is off.
"""

from __future__ import annotations

import fcntl
import logging
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assistant.errors import IndexUnavailableError
from assistant.types import Chunk
from ingest.chunking import chunk_of_view, doc_of_chunk
from ingest.embedding import ChromaEmbeddingFunction, Embedder

log = logging.getLogger(__name__)
VIEWS_PER_QUERY = 4  # vectors fetched per wanted chunk (a chunk has a few views)
# Chroma's local store fails a get() that matches more than 32,766 records with metadata ("too many SQL
# variables", chroma-core/chroma#7687): about 8,000 chunks of ~4 views. Listing is done in pages.
GET_PAGE = 10_000


@dataclass(frozen=True)
class VectorHit:
    chunk_id: str
    doc_id: str
    similarity: float  # cosine similarity, higher is closer


@dataclass(frozen=True)
class Filters:
    """Metadata filters shared by dense and lexical retrieval."""

    duty: str | None = None
    doc_id: str | None = None
    kind: str | None = None

    def is_empty(self) -> bool:
        return not (self.duty or self.doc_id or self.kind)

    def accepts(self, chunk: Chunk) -> bool:
        return ((not self.duty or self.duty in chunk.duty_ids)
                and (not self.doc_id or chunk.doc_id == self.doc_id)
                and (not self.kind or chunk.kind == self.kind))


class VectorIndex(Protocol):
    """Vectors are *views* of chunks: the whole chunk, and windows of a few sentences inside it.
    Queries return chunks, each scored by its best-matching view."""

    def upsert(self, chunks: Sequence[Chunk], embeddings: np.ndarray, view_ids: Sequence[str] | None = None) -> None: ...
    def delete_document(self, doc_id: str) -> None: ...
    def query(self, embedding: np.ndarray, k: int, filters: Filters | None = None) -> list[VectorHit]: ...
    def count(self) -> int: ...
    def doc_ids(self) -> set[str]: ...
    def chunk_ids(self) -> set[str]: ...
    def similarities(self, embedding: np.ndarray, chunk_ids: Sequence[str],
                     view_ids: Mapping[str, str] | None = None) -> dict[str, float]: ...


@contextmanager
def _open_lock(path: Path) -> Iterator[None]:
    """An exclusive lock, across processes, on opening the embedded store at ``path``."""
    with open(path.parent / f".{path.name}.open.lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


LOW_DISK_BYTES = 8 * 1024 * 1024  # below this, a failed write is put down to a full disk


def _disk_full_message(where: str, exc: BaseException) -> str | None:
    """A plain message when a failure looks like a full disk (Chroma often reports it obliquely,
    e.g. "Error in compaction"), else None."""
    text = str(exc).lower()
    free: int | None = None
    if not where.startswith("http"):
        folder = Path(where)
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        try:
            free = shutil.disk_usage(folder).free
        except OSError:
            free = None
    if "no space left" in text or "disk is full" in text or (free is not None and free < LOW_DISK_BYTES):
        left = f" ({free // 1024:,} KB left)" if free is not None else ""
        return (f"The disk holding the index at {where} is full{left}. Free some space, or point JFP_INDEX_DIR "
                "at a bigger disk, then run the command again; nothing half-written is visible.")
    return None


def _metadata(c: Chunk) -> dict[str, Any]:
    md: dict[str, Any] = {
        "chunk_id": c.chunk_id,
        "doc_id": c.doc_id,
        "source": c.source,
        "kind": c.kind,
        "page": c.page if c.page is not None else -1,  # Chroma has no nulls
        "section": c.section[:500],
        "duties": "|".join(c.duty_ids),  # never an empty list: Chroma rejects those
    }
    for d in c.duty_ids:
        md[f"duty_{d}"] = True
    return md


class ChromaIndex:
    """A Chroma collection, embedded (persistent folder) or on a ``chroma run`` server."""

    def __init__(self, client: Any, collection: str, embedder: Embedder, where: str) -> None:
        self._where = where
        try:
            self._col = client.get_or_create_collection(
                name=collection,
                embedding_function=ChromaEmbeddingFunction(embedder),
                configuration={"hnsw": {"space": "cosine"}},
            )
        except Exception as exc:  # chroma raises many types for an unreachable/broken store
            raise IndexUnavailableError(f"Could not open the index at {where}: {exc}") from exc

    @classmethod
    def embedded(cls, path: Path, collection: str, embedder: Embedder) -> ChromaIndex:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        path.mkdir(parents=True, exist_ok=True)
        # Opening a new store creates its tables. Processes opening it at the same moment (ten `jfp ingest`
        # at once) must take turns, or Chroma's set-up collides: "table collections already exists".
        with _open_lock(path):
            try:
                client = chromadb.PersistentClient(
                    path=str(path), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False)
                )
            except Exception as exc:  # chroma raises many types for a broken or unreadable store
                raise IndexUnavailableError(f"Could not open the index at {path}: {exc}") from exc
            return cls(client, collection, embedder, str(path))

    @classmethod
    def server(cls, host: str, port: int, collection: str, embedder: Embedder) -> ChromaIndex:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        where = f"http://{host}:{port}"
        try:
            client = chromadb.HttpClient(host=host, port=port, settings=ChromaSettings(anonymized_telemetry=False))
            client.heartbeat()
        except Exception as exc:
            raise IndexUnavailableError(
                f"Could not reach the Chroma server at {where}: {exc}. Start it with 'chroma run --path DIR "
                f"--port {port}', or unset JFP_CHROMA_HOST to use the embedded index."
            ) from exc
        return cls(client, collection, embedder, where)

    def _guard(self, what: str, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            full = _disk_full_message(self._where, exc)
            if full:
                raise IndexUnavailableError(f"{full} (while {what})") from exc
            raise IndexUnavailableError(f"The vector index at {self._where} failed while {what}: {exc}") from exc

    def upsert(self, chunks: Sequence[Chunk], embeddings: np.ndarray, view_ids: Sequence[str] | None = None) -> None:
        """Store one vector per entry; ``chunks[i]`` is the chunk that vector ``i`` is a view of. A view id
        is the chunk id, or the chunk id, ``#`` and a name (``ingest.chunking.views``): a search reads
        the chunk from the id."""
        if not chunks:
            return
        ids = list(view_ids) if view_ids is not None else [c.chunk_id for c in chunks]
        self._guard(
            "adding chunks",
            self._col.upsert,
            ids=ids,
            embeddings=list(np.asarray(embeddings, dtype=np.float32)),
            metadatas=[_metadata(c) for c in chunks],
        )

    def delete_document(self, doc_id: str) -> None:
        self._guard("deleting a document", self._col.delete, where={"doc_id": doc_id})

    def query(self, embedding: np.ndarray, k: int, filters: Filters | None = None) -> list[VectorHit]:
        # no count() first: it costs a few milliseconds a question on a large index, and Chroma returns
        # what there is when asked for more results than it holds (nothing from an empty collection)
        where: dict[str, Any] | None = None
        clauses: list[dict[str, Any]] = []
        if filters:
            if filters.duty:
                clauses.append({f"duty_{filters.duty}": True})
            if filters.doc_id:
                clauses.append({"doc_id": filters.doc_id})
            if filters.kind:
                clauses.append({"kind": filters.kind})
        if len(clauses) == 1:
            where = clauses[0]
        elif clauses:
            where = {"$and": clauses}
        # ids and distances only: the chunk is read from the vector's id. Reading the metadata of the
        # results as well took 10 of a search's 11 ms on the shipped corpus (bench/query.py)
        res = self._guard(
            "searching",
            self._col.query,
            query_embeddings=[np.asarray(embedding, dtype=np.float32)],
            n_results=k * VIEWS_PER_QUERY,
            where=where,
            include=["distances"],
        )
        best: dict[str, VectorHit] = {}
        for vid, dist in zip(res["ids"][0], res["distances"][0], strict=True):
            cid = chunk_of_view(vid)
            sim = 1.0 - float(dist)
            if cid not in best or sim > best[cid].similarity:
                best[cid] = VectorHit(chunk_id=cid, doc_id=doc_of_chunk(cid), similarity=sim)
        return sorted(best.values(), key=lambda h: -h.similarity)[:k]

    def count(self) -> int:
        return int(self._guard("counting", self._col.count))

    def _all_metadata(self, what: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """(vector id, metadata) of every vector, read in pages."""
        offset = 0
        while True:
            res = self._guard(what, self._col.get, include=["metadatas"], limit=GET_PAGE, offset=offset)
            ids = res["ids"] or []
            yield from ((i, md or {}) for i, md in zip(ids, res["metadatas"] or [None] * len(ids), strict=True))
            if len(ids) < GET_PAGE:
                return
            offset += len(ids)

    def doc_ids(self) -> set[str]:
        return {str(md.get("doc_id")) for _, md in self._all_metadata("listing documents")}

    def similarities(self, embedding: np.ndarray, chunk_ids: Sequence[str],
                     view_ids: Mapping[str, str] | None = None) -> dict[str, float]:
        """Cosine similarity of the query to each given chunk: the best of its views, as in :meth:`query`.
        ``view_ids``: view id -> chunk id for those chunks' views, when the caller knows them (a look-up
        by id, vectors only, is several times faster than a metadata filter on a large collection)."""
        q = np.asarray(embedding, dtype=np.float32)
        best: dict[str, float] = {}

        def take(chunk_of: list[str], embeddings) -> None:
            for cid, e in zip(chunk_of, embeddings, strict=True):
                best[cid] = max(best.get(cid, -1.0), float(np.asarray(e, dtype=np.float32) @ q))

        if view_ids:
            res = self._guard("reading vectors", self._col.get, ids=list(view_ids), include=["embeddings"])
            take([view_ids[v] for v in res["ids"]], res["embeddings"])
        rest = [c for c in chunk_ids if c not in best]  # no view ids given, or views stored by another version
        if rest:
            res = self._guard("reading vectors", self._col.get, where={"chunk_id": {"$in": rest}},
                              include=["embeddings", "metadatas"])
            take([str(md.get("chunk_id") or vid) for vid, md in zip(res["ids"], res["metadatas"], strict=True)],
                 res["embeddings"])
        return best

    def chunk_ids(self) -> set[str]:
        return {str(md.get("chunk_id") or i) for i, md in self._all_metadata("listing chunks")}
