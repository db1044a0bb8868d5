"""The manifest: SQLite beside Chroma, and the source of truth for what is indexed.

A document exists for jfp-assistant only once its row, its chunks' rows and its paths are committed
here, in one transaction, *after* its vectors are in Chroma. Readers (retrieval, sources, citations)
see only committed documents, so a crash at any moment leaves the index consistent: vectors without a
manifest row are orphans, invisible to queries and purged by the next ingest.

Each chunk's sentence vectors (what the extractive answerer scores, see
``assistant.chunk_sentences.sentence_contexts``) are stored here too, as one float16 matrix per chunk,
written in the same transaction as the chunk rows and deleted with them (ON DELETE CASCADE): they
are never visible without their chunk, nor left behind when a document is removed or replaced.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from assistant.errors import IndexUnavailableError
from assistant.types import Chunk, DocumentRecord

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    pages INTEGER,
    chunks INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    added_at TEXT NOT NULL,
    path TEXT NOT NULL DEFAULT '',
    full_text TEXT NOT NULL DEFAULT '',
    version TEXT NOT NULL DEFAULT '',
    publisher TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS paths (
    path TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    page INTEGER,
    section TEXT NOT NULL,
    duty_ids TEXT NOT NULL,
    text TEXT NOT NULL,
    n_tokens INTEGER NOT NULL,
    content_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, ordinal);
CREATE TABLE IF NOT EXISTS sentence_vectors (
    chunk_id TEXT PRIMARY KEY REFERENCES chunks(chunk_id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    digest TEXT NOT NULL,
    n INTEGER NOT NULL,
    dim INTEGER NOT NULL,
    vectors BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Manifest:
    """Documents, their source paths and their chunks. Safe to share across threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._local = threading.local()
        db = self._conn()
        db.executescript(_SCHEMA)  # executescript manages its own transaction
        cols = {r[1] for r in db.execute("PRAGMA table_info(documents)")}
        if "version" not in cols:  # an index made before versions were recorded
            db.execute("ALTER TABLE documents ADD COLUMN version TEXT NOT NULL DEFAULT ''")
        if "publisher" not in cols:  # an index made before publishers were recorded
            db.execute("ALTER TABLE documents ADD COLUMN publisher TEXT NOT NULL DEFAULT ''")

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=60000")
            self._local.conn = conn
        return conn

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        db = self._conn()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            else:
                db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if db.in_transaction:  # a COMMIT that failed leaves the transaction open
                try:
                    db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            if "full" in str(exc).lower():  # SQLITE_FULL: "database or disk is full"
                raise IndexUnavailableError(
                    f"The disk holding the index manifest {self.path} is full. Free some space, or point "
                    "JFP_INDEX_DIR at a bigger disk, then run the command again; nothing half-written is visible."
                ) from exc
            raise

    # --- reads -------------------------------------------------------------------------------
    def generation(self) -> int:
        """A counter that changes whenever the set of indexed chunks changes."""
        row = self._conn().execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        return int(row[0]) if row else 0

    def documents(self) -> list[DocumentRecord]:
        rows = self._conn().execute(
            "SELECT doc_id, title, source, kind, pages, chunks, content_hash, added_at, path, publisher "
            "FROM documents ORDER BY added_at, title"
        ).fetchall()
        return [DocumentRecord(*r) for r in rows]

    def document(self, doc_id: str) -> DocumentRecord | None:
        r = self._conn().execute(
            "SELECT doc_id, title, source, kind, pages, chunks, content_hash, added_at, path, publisher "
            "FROM documents WHERE doc_id=?", (doc_id,)
        ).fetchone()
        return DocumentRecord(*r) if r else None

    def doc_for_path(self, path: str) -> str | None:
        r = self._conn().execute("SELECT doc_id FROM paths WHERE path=?", (path,)).fetchone()
        return r[0] if r else None

    def has_document(self, doc_id: str) -> bool:
        return self._conn().execute("SELECT 1 FROM documents WHERE doc_id=?", (doc_id,)).fetchone() is not None

    def document_version(self, doc_id: str) -> str | None:
        r = self._conn().execute("SELECT version FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return r[0] if r else None

    def document_text(self, doc_id: str) -> str | None:
        r = self._conn().execute("SELECT full_text FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return r[0] if r else None

    def doc_ids(self) -> set[str]:
        return {r[0] for r in self._conn().execute("SELECT doc_id FROM documents")}

    def chunks(self, doc_id: str | None = None) -> list[Chunk]:
        sql = ("SELECT c.chunk_id, c.doc_id, d.title, d.source, d.kind, c.page, c.section, c.duty_ids, c.text, "
               "c.n_tokens, c.content_hash, c.ordinal, d.publisher FROM chunks c JOIN documents d USING(doc_id)")
        args: tuple = ()
        if doc_id:
            sql += " WHERE c.doc_id=?"
            args = (doc_id,)
        sql += " ORDER BY d.added_at, c.doc_id, c.ordinal"
        return [self._row_to_chunk(r) for r in self._conn().execute(sql, args)]

    def chunk(self, chunk_id: str) -> Chunk | None:
        r = self._conn().execute(
            "SELECT c.chunk_id, c.doc_id, d.title, d.source, d.kind, c.page, c.section, c.duty_ids, c.text, "
            "c.n_tokens, c.content_hash, c.ordinal, d.publisher FROM chunks c JOIN documents d USING(doc_id) WHERE chunk_id=?",
            (chunk_id,),
        ).fetchone()
        return self._row_to_chunk(r) if r else None

    def sentence_vectors(self, chunk_ids: Sequence[str], model: str) -> dict[str, tuple[str, np.ndarray]]:
        """Stored sentence vectors by chunk id, as (digest, float16 matrix with one row per sentence),
        for the chunks that have them for this embedding model."""
        ids = list(dict.fromkeys(chunk_ids))
        out: dict[str, tuple[str, np.ndarray]] = {}
        for start in range(0, len(ids), 500):  # SQLite caps the number of parameters
            part = ids[start : start + 500]
            rows = self._conn().execute(
                f"SELECT chunk_id, digest, n, dim, vectors FROM sentence_vectors WHERE model=? "
                f"AND chunk_id IN ({','.join('?' * len(part))})", (model, *part))
            for cid, digest, n, dim, blob in rows:
                out[cid] = (digest, np.frombuffer(blob, dtype=np.float16).reshape(n, dim))
        return out

    @staticmethod
    def _row_to_chunk(r: tuple) -> Chunk:
        return Chunk(chunk_id=r[0], doc_id=r[1], title=r[2], source=r[3], kind=r[4], page=r[5], section=r[6],
                     duty_ids=tuple(json.loads(r[7])), text=r[8], n_tokens=r[9], content_hash=r[10], ordinal=r[11],
                     publisher=r[12])

    # --- writes ------------------------------------------------------------------------------
    def commit_document(self, record: DocumentRecord, chunks: list[Chunk], paths: list[str], full_text: str,
                        replaces: list[str] = (), version: str = "",
                        sentence_vectors: Mapping[str, tuple[str, np.ndarray]] | None = None,
                        model: str = "") -> None:
        """Make a document visible: its row, chunks, paths and sentence vectors in one transaction.

        ``replaces`` are doc ids whose rows go in the same transaction (a changed file's old version).
        ``sentence_vectors``: chunk id -> (digest of the embedded texts, matrix, one row per sentence),
        made by ``model``; stored as float16.
        """
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._tx() as db:
            for old in replaces:
                db.execute("DELETE FROM documents WHERE doc_id=?", (old,))
            db.execute(
                "INSERT OR REPLACE INTO documents (doc_id, title, source, kind, pages, chunks, content_hash, "
                "added_at, path, full_text, version, publisher) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (record.doc_id, record.title, record.source, record.kind, record.pages, len(chunks),
                 record.content_hash, record.added_at or now, record.path, full_text, version, record.publisher),
            )
            db.execute("DELETE FROM chunks WHERE doc_id=?", (record.doc_id,))
            db.executemany(
                "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?)",
                [(c.chunk_id, c.doc_id, c.ordinal, c.page, c.section, json.dumps(list(c.duty_ids)), c.text,
                  c.n_tokens, c.content_hash) for c in chunks],
            )
            if sentence_vectors:
                db.executemany(
                    "INSERT OR REPLACE INTO sentence_vectors VALUES (?,?,?,?,?,?)",
                    [(cid, model, digest, int(m.shape[0]), int(m.shape[1]),
                      np.ascontiguousarray(m, dtype=np.float16).tobytes())
                     for cid, (digest, m) in sentence_vectors.items()],
                )
            for p in paths:
                db.execute("INSERT OR REPLACE INTO paths VALUES (?,?)", (p, record.doc_id))
            self._bump(db)

    def set_publisher(self, doc_id: str, publisher: str) -> bool:
        """Record who published a document (its provenance changed, its bytes did not); whether it changed."""
        with self._tx() as db:
            n = db.execute("UPDATE documents SET publisher=? WHERE doc_id=? AND publisher<>?",
                           (publisher, doc_id, publisher)).rowcount
            if n:
                self._bump(db)  # the retriever's document names are rebuilt
        return bool(n)

    def add_path(self, path: str, doc_id: str) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO paths VALUES (?,?)", (path, doc_id))

    def remove_document(self, doc_id: str) -> int:
        """Delete a document and its chunks; returns how many chunks it had (0 if absent)."""
        with self._tx() as db:
            r = db.execute("SELECT chunks FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
            if not r:
                return 0
            db.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))
            self._bump(db)
            return int(r[0])

    def paths_for(self, doc_id: str) -> list[str]:
        return [r[0] for r in self._conn().execute("SELECT path FROM paths WHERE doc_id=?", (doc_id,))]

    def all_paths(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self._conn().execute("SELECT path, doc_id FROM paths")]

    def forget_path(self, path: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM paths WHERE path=?", (path,))

    def orphan_docs_without_paths(self) -> list[str]:
        return [r[0] for r in self._conn().execute(
            "SELECT doc_id FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM paths)")]

    @staticmethod
    def _bump(db: sqlite3.Connection) -> None:
        db.execute(
            "INSERT INTO meta VALUES ('generation', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
