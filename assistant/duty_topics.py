"""Vectors of the duties' titles and one-line summaries (``assistant.duties``), for the answerer's
on-topic term: for a question about a duty, a sentence close to that duty's summary is a little
preferred over a neighbouring row's or section's.

They depend only on the registry and the embedding model, so they are made once (through the
question encoder, which does not load the full model) and kept beside the index (``duty_topics.npz``, with a digest of the model and the texts); answering then
embeds only the question. An index without the file, or with one made for other texts or another
model, has them made again on first use.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.duties import all_duties
from ingest.embedding import Embedder

log = logging.getLogger(__name__)

FILE_NAME = "duty_topics.npz"


def topic_text(duty) -> str:
    return f"{duty.title}. {duty.summary}"


class DutyTopics:
    def __init__(self, embedder: Embedder, index_dir: Path | None = None) -> None:
        self.embedder = embedder
        self.path = Path(index_dir) / FILE_NAME if index_dir is not None else None
        self._lock = threading.Lock()
        self._vectors: dict[str, np.ndarray] | None = None

    def _digest(self, ids: Sequence[str], texts: Sequence[str]) -> str:
        h = hashlib.sha1(usedforsecurity=False)
        h.update(getattr(self.embedder, "name", "").encode("utf-8"))
        for i, t in zip(ids, texts, strict=True):
            h.update(f"\x1f{i}\x1e{t}".encode())
        return h.hexdigest()[:16]

    def ensure(self) -> dict[str, np.ndarray]:
        """The vectors by duty id: read from the file when it matches, else embedded and saved."""
        with self._lock:
            if self._vectors is not None:
                return self._vectors
            duties = all_duties()
            ids = [d.id for d in duties]
            texts = [topic_text(d) for d in duties]
            digest = self._digest(ids, texts)
            matrix = self._load(digest, len(ids))
            if matrix is None:
                # through the question encoder (ONNX, ~0.15 s for all): no need to load the full model
                matrix = np.stack([np.asarray(self.embedder.embed_query(t), dtype=np.float32) for t in texts])
                self._save(digest, matrix)
            self._vectors = dict(zip(ids, matrix, strict=True))
            return self._vectors

    def vector(self, duty_ids: Sequence[str]) -> np.ndarray:
        """The mean vector of these duties' topics."""
        vectors = self.ensure()
        return np.mean([vectors[d] for d in duty_ids], axis=0)

    def _load(self, digest: str, n: int) -> np.ndarray | None:
        if self.path is None or not self.path.is_file():
            return None
        try:
            with np.load(self.path, allow_pickle=False) as data:
                if str(data["digest"]) != digest or data["vectors"].shape[0] != n:
                    return None
                return data["vectors"].astype(np.float32)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("could not read %s (%s); the duty topic vectors are made again", self.path, exc)
            return None

    def _save(self, digest: str, matrix: np.ndarray) -> None:
        """Written to a temporary file and moved into place: a reader never sees half a file."""
        if self.path is None or not self.path.parent.is_dir():
            return
        try:
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".duty_topics.", suffix=".npz")
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, digest=np.array(digest), vectors=matrix)
            os.chmod(tmp, 0o644)
            os.replace(tmp, self.path)
        except OSError as exc:  # a read-only index still answers; the vectors stay in memory
            log.warning("could not save %s (%s)", self.path, exc)
