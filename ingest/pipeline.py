"""Ingestion: files -> loaded documents -> chunks -> embeddings -> index, incrementally and safely.

A document is identified by the hash of its bytes: re-ingesting an unchanged file embeds nothing,
the same file under two names is stored once, and a changed file replaces its old version. Vectors
go into the index first; the manifest commit that makes the document visible comes last, in one
transaction. An interrupted run therefore leaves orphan vectors at worst, which the next run purges.
Concurrent ``jfp ingest`` runs on one index take turns through a file lock.

Besides the views stored in the vector index, every sentence the extractive answerer may quote is
embedded here once (``assistant.chunk_sentences.sentence_contexts``), in batches as the chunks' views
are done, and committed with the chunks in the manifest: answering then needs no model call per
sentence.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.chunk_sentences import contexts_digest, sentence_contexts
from assistant.errors import DocumentError, JfpError
from assistant.types import DocumentRecord, IngestFailure, IngestReport, LoadedDocument
from ingest.chunking import ChunkingConfig, chunk_document, views
from ingest.embedding import Embedder
from ingest.index import VectorIndex
from ingest.loaders import SUPPORTED_EXTENSIONS, load_document, over_size_limit
from ingest.manifest import Manifest

log = logging.getLogger(__name__)

# Bump when loading or chunking changes what a file turns into: documents made by an older
# version are processed again on the next ingest, even though their bytes did not change.
PIPELINE_VERSION = "22"  # 3: sentence vectors stored with the chunks; 5: one vector per answer unit (lists whole); 6: a sentence cut at a line break is one unit; 7: no sentence split inside brackets; 8: a run-in heading is one unit with its sentence; 9: only on a numbered or bulleted line; 10: no split after "i.e." or "e.g.", nor after "No." or "para." before a number; 11: a bulleted item is embedded after its list's lead-in; 12: patient-involvement tags from the statute's words; 13: a sentence ends at a full stop with a footnote marker glued to it; 14: and at one that closes a quotation; 15: a lead-in ending a chunk moves to the next with its items; 16: a sentence cut by a page break is joined again; 17: a footnote marker ending a sentence is not part of it; 18: more duty phrases (co-production, clinical trials, life sciences, NHS App, local economy, disparities) tag passages; 19: a duty heading typed one level too deep starts its own section; 20: heading variants of three duties (children and young persons, joint LHWBS, public involvement by ICBs); 21: "sustainability" no longer tags climate change (in the guidance it is financial or service sustainability); 22: "mature" and "system maturity" tag system development

SKIP_NAMES = {"provenance.json", "glossary.json", "readme.md", ".ds_store", "thumbs.db"}
# progress(event, detail): "files" (total), "file" (name), "chunks" (n done, n total) - UI and CLI hook in
ProgressFn = Callable[[str, dict], None]


@dataclass(frozen=True)
class Provenance:
    title: str | None = None
    kind: str | None = None
    publisher: str | None = None


def load_provenance(folder: Path) -> dict[str, Provenance]:
    """Read ``provenance.json`` beside the files, if any: {file name: {title, kind, ...}}."""
    f = folder / "provenance.json"
    if not f.exists():
        return {}
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        log.warning("ignoring unreadable %s: %s", f, exc)
        return {}
    return {name: Provenance(title=_text(v.get("title")), kind=_text(v.get("kind")), publisher=_text(v.get("publisher")))
            for name, v in data.items() if isinstance(v, dict)}


def _text(value: object) -> str | None:
    """A provenance field as text: a string kept, anything else (null, a number, a list) left out."""
    return value.strip() or None if isinstance(value, str) else None


def expand_paths(paths: Sequence[Path]) -> tuple[list[Path], list[IngestFailure], list[Path]]:
    """Files to ingest, failures for paths that do not exist, and the folders that were walked."""
    files: list[Path] = []
    failures: list[IngestFailure] = []
    folders: list[Path] = []
    for p in paths:
        p = Path(p).expanduser()
        if p.is_dir():
            folders.append(p.resolve())
            for f in sorted(p.rglob("*")):
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts) \
                        and f.name.lower() not in SKIP_NAMES:
                    files.append(f.resolve())
        elif p.is_file():
            files.append(p.resolve())
        elif p.exists():
            failures.append(IngestFailure(str(p), "not a regular file: give a document or a folder of documents."))
        else:
            failures.append(IngestFailure(str(p), "no such file or folder: check the path and try again."))
    # the same file named twice is read once
    return list(dict.fromkeys(files)), failures, folders


def _hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Ingestor:
    def __init__(self, manifest: Manifest, index: VectorIndex, embedder: Embedder, *, lock_path: Path,
                 chunking: ChunkingConfig | None = None, max_file_mb: float = 100.0, batch_size: int = 64) -> None:
        self.manifest = manifest
        self.index = index
        self.embedder = embedder
        self.lock_path = lock_path
        self.chunking = chunking or ChunkingConfig()
        self.max_file_mb = max_file_mb
        self.batch_size = batch_size
        self.embed_seconds = 0.0
        self.embedded_views = 0
        self.embedded_sentences = 0  # sentence texts embedded for the answerer (not counted as views)
        # the chunking settings are part of what a file turns into
        self._version = f"{PIPELINE_VERSION}:{self.chunking.target_tokens}:{self.chunking.overlap_tokens}"

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def purge_orphans(self) -> int:
        """Delete vectors of documents the manifest does not know (left by an interrupted run)."""
        orphans = self.index.doc_ids() - self.manifest.doc_ids()
        for doc_id in orphans:
            self.index.delete_document(doc_id)
        if orphans:
            log.info("purged %d incomplete document(s) left by an interrupted run", len(orphans))
        return len(orphans)

    def ingest(self, paths: Sequence[Path], *, kind: str | None = None, progress: ProgressFn | None = None,
               sync_folders: bool = True) -> IngestReport:
        report = IngestReport()
        files, failures, folders = expand_paths(paths)
        report.failed.extend(failures)
        emit = progress or (lambda event, detail: None)
        with self._locked():
            self.purge_orphans()
            emit("files", {"total": len(files)})
            views_before = self.embedded_views
            provenance: dict[Path, dict[str, Provenance]] = {}
            index_failed = False
            for i, f in enumerate(files):
                emit("file", {"name": f.name})
                prov = provenance.setdefault(f.parent, load_provenance(f.parent)).get(f.name, Provenance())
                try:
                    outcome = self._ingest_file(f, prov, kind, emit)
                except DocumentError as exc:
                    report.failed.append(IngestFailure(str(f), exc.message))
                    continue
                except JfpError as exc:  # the index failed: stop, nothing half-written is visible
                    report.failed.append(IngestFailure(str(f), exc.message))
                    # the files not reached are listed too, so none is silently left out
                    report.failed.extend(IngestFailure(str(rest), "Not ingested: the index failed on an earlier file "
                                                       "(see above). Fix that and run the ingest again.")
                                         for rest in files[i + 1 :])
                    index_failed = True
                    break
                setattr(report, outcome, getattr(report, outcome) + 1)
            if sync_folders and not index_failed:
                report.removed += self._remove_vanished(folders)
            report.embedded_chunks = self.embedded_views - views_before
        docs = self.manifest.documents()
        report.documents = len(docs)
        report.chunks = sum(d.chunks for d in docs)
        return report

    def _ingest_file(self, f: Path, prov: Provenance, kind: str | None, emit: ProgressFn) -> str:
        try:
            size = f.stat().st_size
        except OSError as exc:
            raise DocumentError(f"Could not read '{f.name}': {exc.strerror or exc}. Check the file's permissions.") from exc
        if size > self.max_file_mb * 1024 * 1024:
            raise DocumentError(f"Could not read '{f.name}': {over_size_limit(size, self.max_file_mb)}. "
                                "Split it into smaller files, or raise JFP_MAX_FILE_MB if you trust it.")
        try:
            content_hash = _hash_file(f)
        except OSError as exc:
            raise DocumentError(f"Could not read '{f.name}': {exc.strerror or exc}. Check the file's permissions.") from exc
        doc_id = content_hash[:16]
        path = str(f)
        old = self.manifest.doc_for_path(path)
        known = self.manifest.has_document(doc_id)
        current = known and self.manifest.document_version(doc_id) == self._version
        if current:
            if prov.publisher:  # provenance is read on every run: a publisher added later is recorded
                self.manifest.set_publisher(doc_id, prov.publisher)
            if old == doc_id:
                return "unchanged"
            self.manifest.add_path(path, doc_id)  # same content under another name: no new chunks
            if old:
                self._drop_if_unreferenced(old)
                return "updated"
            return "unchanged"
        doc_kind = prov.kind or kind or "other"
        doc, chunks = self._read(f, doc_id, doc_kind, prov)
        if not chunks:
            raise DocumentError(f"'{f.name}' has no text to index. If it is a scan, run OCR on it first.")
        # vectors first (a stale partial set from a killed run is replaced by upsert)
        self.index.delete_document(doc_id)
        entries = [(view_id, text, c) for c in chunks for view_id, text in views(c)]
        sentence_vecs: dict[str, tuple[str, np.ndarray]] = {}
        seen: dict[str, np.ndarray] = {}  # a sentence repeated in the document is embedded once
        ready = 0  # chunks[:ready] have their sentence vectors
        position = {c.chunk_id: i for i, c in enumerate(chunks)}
        for start in range(0, len(entries), self.batch_size):
            batch = entries[start : start + self.batch_size]
            t = time.perf_counter()
            vecs = self.embedder.embed_documents([text for _, text, _ in batch])
            self.embed_seconds += time.perf_counter() - t
            self.embedded_views += len(batch)
            self.index.upsert([c for _, _, c in batch], vecs, view_ids=[v for v, _, _ in batch])
            # the sentences of the chunks whose views are all done, so progress stays true
            done = len(chunks) if start + self.batch_size >= len(entries) else position[batch[-1][2].chunk_id]
            sentence_vecs.update(self._embed_sentences(chunks[ready:done], seen))
            ready = max(ready, done)
            emit("chunks", {"done": min(len(chunks), batch[-1][2].ordinal + 1), "total": len(chunks), "name": f.name})
        replaces = [old] if old and old != doc_id and self._only_path(old, path) else []
        record = DocumentRecord(doc_id=doc_id, title=doc.title, source=doc.source, kind=doc_kind, pages=doc.pages,
                                chunks=len(chunks), content_hash=content_hash, path=path,
                                publisher=prov.publisher or "")
        full_text = "\n".join(p.text for p in doc.passages)
        self.manifest.commit_document(record, chunks, [path], full_text, replaces=replaces, version=self._version,
                                      sentence_vectors=sentence_vecs, model=getattr(self.embedder, "name", ""))
        for r in replaces:
            self.index.delete_document(r)
        return "updated" if old or known else "added"

    def _embed_sentences(self, chunks: list, seen: dict[str, np.ndarray]) -> dict[str, tuple[str, np.ndarray]]:
        """Vectors of the sentences the answerer scores, one matrix per chunk (rows in ``sentences_of``
        order), with the digest that ties them to those texts. New texts go to the model in one call
        (batched inside it by ``batch_size``, shortest together)."""
        contexts = {c.chunk_id: sentence_contexts(c) for c in chunks}
        new = [t for t in dict.fromkeys(t for ts in contexts.values() for t in ts) if t not in seen]
        if new:
            t0 = time.perf_counter()
            vecs = self.embedder.embed_documents(new)
            self.embed_seconds += time.perf_counter() - t0
            self.embedded_sentences += len(new)
            seen.update(zip(new, vecs, strict=True))
        return {cid: (contexts_digest(ts), np.stack([seen[t] for t in ts]).astype(np.float16))
                for cid, ts in contexts.items() if ts}

    def _read(self, f: Path, doc_id: str, doc_kind: str, prov: Provenance) -> tuple[LoadedDocument, list]:
        """Load and chunk one file. Any failure while reading it is that file's problem (a DocumentError),
        never the whole run's: a loader bug on one odd file must not stop the others."""
        try:
            doc = load_document(f, max_file_mb=self.max_file_mb, title=prov.title)
            return doc, chunk_document(doc, doc_id, doc_kind, self.chunking)
        except DocumentError:
            raise
        except RecursionError:
            raise DocumentError(
                f"Could not read '{f.name}': its structure is nested too deeply to follow. "
                "Save it again in a simpler form (for example as PDF or plain text) and ingest that."
            ) from None
        except Exception as exc:  # noqa: BLE001 - reported per file, with the detail in the log
            log.warning("reading %s failed", f, exc_info=True)
            raise DocumentError(
                f"Could not read '{f.name}': the reader failed unexpectedly ({exc.__class__.__name__}). "
                "Save it in another supported format and ingest it again; run with --debug for details."
            ) from exc

    def _only_path(self, doc_id: str, path: str) -> bool:
        return all(p == path for p in self.manifest.paths_for(doc_id))

    def _drop_if_unreferenced(self, doc_id: str) -> None:
        if doc_id in self.manifest.orphan_docs_without_paths():
            self.manifest.remove_document(doc_id)
            self.index.delete_document(doc_id)

    def _remove_vanished(self, folders: list[Path]) -> int:
        """Documents ingested from a walked folder whose file is gone are removed."""
        removed = 0
        if not folders:
            return 0
        for path, doc_id in self.manifest.all_paths():
            p = Path(path)
            if any(folder in p.parents for folder in folders) and not p.exists():
                self.manifest.forget_path(path)
                if doc_id in self.manifest.orphan_docs_without_paths():
                    self.manifest.remove_document(doc_id)
                    self.index.delete_document(doc_id)
                    removed += 1
        return removed

    def remove(self, doc_id: str) -> int:
        with self._locked():
            n = self.manifest.remove_document(doc_id)
            if n:
                self.index.delete_document(doc_id)
            return n


def supported_extensions() -> tuple[str, ...]:
    return tuple(sorted(SUPPORTED_EXTENSIONS))


__all__ = ["Ingestor", "expand_paths", "load_provenance", "supported_extensions"]
