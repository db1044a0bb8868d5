"""Questions embedded with ONNX Runtime: the same model and the same vectors, in about a third of the time.

A question is one short text. Through torch, all-MiniLM-L6-v2 takes about 18 ms for it on one thread of
this kind of machine, most of a retrieval's time; the same graph in ONNX Runtime takes about 7 ms
(``bench/query.py`` measures both in one run). Batches (ingest, a draft's or a plan check's sentences)
stay on torch, where the vectors stored in the index come from.

The ONNX graph is exported from the local sentence-transformers model with ``torch.onnx`` (nothing is
downloaded), once, into a cache folder keyed by the model's files; ``python -m ingest.onnx_query``
(run by ``make setup``) does it ahead of time. Before it is used, the exported graph, with the model's
own ``tokenizer.json`` read by the ``tokenizers`` library, must give the torch vectors on a few probe
texts (cosine >= ``AGREEMENT``); then a ``checked.json`` beside it lets later processes load it without
torch at all (a process that only answers questions starts in a fraction of the time). If the check
fails, if the model is not a plain transformer with mean pooling, or if anything fails, questions are
embedded with torch as before and the reason is logged: never a different vector, never an error a
planner sees.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

AGREEMENT = 0.9999  # least cosine between the ONNX and the torch vector of every probe text
EXPORT_VERSION = 1  # bump when the exported graph changes
_PROBES = (
    "What must the joint forward plan say about climate change?",
    "and for children?",
    "ICBs must publish the JFP by 30 June 2023 and share it with health and wellbeing boards (HWBs).",
    # longer than the model's window: truncation must match too
    " ".join(["Partners will review the estates plan with the local authority and the VCSE sector."] * 40),
)
_PLAIN = ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling"]


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(os.environ.get("JFP_ONNX_CACHE_DIR") or Path(base) / "jfp-assistant" / "onnx")


def model_key(model_path: Path) -> str:
    """Names the export: the model folder, its small files' contents, and its weights' size and date."""
    h = hashlib.sha256(f"v{EXPORT_VERSION}:{model_path.resolve()}".encode())
    for f in sorted(p for p in model_path.rglob("*") if p.is_file()):
        st = f.stat()
        h.update(f"{f.relative_to(model_path)}:{st.st_size}:{st.st_mtime_ns}".encode())
        if st.st_size < 1_000_000:
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _plain_pooling_config(model_path: Path) -> dict[str, Any] | None:
    """The pooling config of a model that is a transformer, mean pooling and (optionally) normalisation,
    nothing else, with a ``tokenizer.json``: the only pipeline the ONNX path reproduces; else ``None``."""
    try:
        modules = json.loads((model_path / "modules.json").read_text())
        types = [m["type"] for m in modules]
        pooling = next(m for m in modules if m["type"].endswith(".Pooling"))
        cfg = json.loads((model_path / pooling["path"] / "config.json").read_text())
    except (OSError, ValueError, KeyError, TypeError, StopIteration):
        return None
    modes = {k for k, v in cfg.items() if k.startswith("pooling_mode") and v is True}
    plain = (types[:2] == _PLAIN and set(types[2:]) <= {"sentence_transformers.models.Normalize"}
             and modes == {"pooling_mode_mean_tokens"} and (model_path / "tokenizer.json").is_file())
    return cfg if plain else None


def plain_mean_pooling(model_path: Path) -> bool:
    """Whether the ONNX path can reproduce this model (see ``_plain_pooling_config``)."""
    return _plain_pooling_config(model_path) is not None


def output_dimension(model_path: Path) -> int | None:
    """The vector size of a plain mean-pooling model, read from its pooling config (no model loaded);
    ``None`` for any other model."""
    cfg = _plain_pooling_config(model_path)
    try:
        return int(cfg["word_embedding_dimension"]) if cfg else None
    except (KeyError, TypeError, ValueError):
        return None


class OnnxQueryEncoder:
    """One text at a time through an exported graph, on one thread; the model's own ``tokenizer.json``
    (``tokenizers``, not transformers: nothing imports torch); mean pooling, unit length."""

    def __init__(self, onnx_file: Path, tokenizer_file: Path, max_length: int) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1  # one short text: a second thread only waits (see embed_query)
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self._session = ort.InferenceSession(str(onnx_file), opts, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=max_length)

    def encode(self, text: str) -> np.ndarray:
        enc = self._tokenizer.encode(text)
        mask = np.array([enc.attention_mask], dtype=np.int64)
        feeds = {"input_ids": np.array([enc.ids], dtype=np.int64), "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.array([enc.type_ids], dtype=np.int64)
        hidden = self._session.run(None, feeds)[0]
        m = mask[..., None].astype(np.float32)
        v = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        v = v[0] / max(float(np.linalg.norm(v[0])), 1e-12)
        return v.astype(np.float32)


def export(st_model: Any, target: Path) -> Path:
    """Write ``target/model.onnx`` from a loaded SentenceTransformer (its first module's transformer).
    Written beside and renamed into place, so a crash leaves no half file."""
    import torch

    bert = st_model[0].auto_model
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if bert.config.model_type == "bert" else [])

    class _Hidden(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, *args: torch.Tensor) -> torch.Tensor:
            return self.inner(**dict(zip(names, args, strict=True))).last_hidden_state

    sample = st_model[0].tokenizer(["an example question"], return_tensors="pt")
    args = tuple(sample.get(n, torch.zeros_like(sample["input_ids"])) for n in names)
    axes = {n: {0: "batch", 1: "tokens"} for n in names} | {"hidden": {0: "batch", 1: "tokens"}}
    target.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target, prefix=".export-"))
    try:
        with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(_Hidden(bert).eval(), args, str(tmp / "model.onnx"), input_names=names,
                              output_names=["hidden"], dynamic_axes=axes, opset_version=17, dynamo=False)
        os.replace(tmp / "model.onnx", target / "model.onnx")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target / "model.onnx"


def agrees(encoder: OnnxQueryEncoder, torch_encode: Any) -> float:
    """Least cosine between the ONNX and the torch vector over the probe texts."""
    return min(float(encoder.encode(t) @ torch_encode(t)) for t in _PROBES)


CHECKED = "checked.json"  # written once the graph gave the torch vectors: later loads need no torch


def load_checked(model_path: Path) -> OnnxQueryEncoder | None:
    """The encoder from an export that passed the check before, without loading torch; ``None`` if
    there is none (or it no longer loads: then it is removed, to be exported again)."""
    model_path = Path(model_path)
    if not plain_mean_pooling(model_path):
        return None
    target = cache_dir() / model_key(model_path)
    try:
        checked = json.loads((target / CHECKED).read_text())
        return OnnxQueryEncoder(target / "model.onnx", model_path / "tokenizer.json", int(checked["max_length"]))
    except FileNotFoundError:
        return None
    except Exception as exc:  # a corrupt graph or note: export again
        log.warning("the ONNX export in %s no longer loads (%s); exporting again", target, exc)
        shutil.rmtree(target, ignore_errors=True)
        return None


def load(st_model: Any, model_path: Path, torch_encode: Any) -> OnnxQueryEncoder | None:
    """The ONNX question encoder for this model, exported first if need be and checked against torch;
    ``None`` (questions go through torch) when the model is not plain mean pooling, export is not
    possible, or the graph does not give the torch vectors. ``torch_encode(text)`` is the unit-length
    torch vector of one text."""
    model_path = Path(model_path)
    if not plain_mean_pooling(model_path):
        log.info("questions embedded with torch: %s is not a plain mean-pooling model", model_path)
        return None
    target = cache_dir() / model_key(model_path)
    onnx_file = target / "model.onnx"
    max_length = int(st_model.max_seq_length)
    try:
        if not onnx_file.exists():
            log.info("exporting the embedding model to ONNX in %s (once)", target)
            export(st_model, target)
        encoder = OnnxQueryEncoder(onnx_file, model_path / "tokenizer.json", max_length)
        worst = agrees(encoder, torch_encode)
    except Exception as exc:  # a missing onnx package, a corrupt file, a full disk: torch still works
        log.warning("questions embedded with torch (ONNX export unusable: %s)", exc)
        shutil.rmtree(target, ignore_errors=True)
        return None
    if worst < AGREEMENT:
        log.warning("questions embedded with torch: the ONNX graph differs (cosine %.6f < %s)", worst, AGREEMENT)
        shutil.rmtree(target, ignore_errors=True)
        return None
    note = {"max_length": max_length, "agreement": worst, "export_version": EXPORT_VERSION}
    tmp = target / f".{CHECKED}.{os.getpid()}"
    tmp.write_text(json.dumps(note))
    os.replace(tmp, target / CHECKED)
    return encoder


def main() -> None:
    """Export ahead of time (``make setup``) so the first question does not wait for it."""
    from assistant.config import Settings
    from ingest.embedding import load_embedder

    emb = load_embedder(Settings().embedding_model)
    ready = emb.query_encoder() is not None
    print(f"ONNX question encoder {'ready in ' + str(cache_dir()) if ready else 'not available: questions use torch'}")


if __name__ == "__main__":
    main()
