"""Questions through ONNX Runtime give the torch vectors, and anything wrong with the export falls back to
torch with the same vectors. Real model, real export, real ONNX Runtime."""

from __future__ import annotations

import json
import logging
import threading

import numpy as np
import pytest

from assistant.config import Settings
from ingest import onnx_query
from ingest.embedding import SentenceTransformerEmbedder, load_embedder

TEXTS = [
    "What must the joint forward plan say about climate change?",
    "and for children?",
    "Wie viele Betten hat das Krankenhaus?",  # not English: still the same vector
    "£3.2m — 80% by 2032 (NHS Carbon Footprint Plus)",
    "",
    " ".join(["The ICB will work with the VCSE sector and local authorities on estates."] * 60),  # truncated
]


@pytest.fixture(scope="module")
def torch_embedder():
    return load_embedder(Settings().embedding_model, query_backend="torch")


def test_the_default_embeds_questions_with_onnx_and_gives_the_torch_vectors(torch_embedder):
    emb = load_embedder(Settings().embedding_model)
    assert emb.query_backend == "onnx"
    assert emb.query_encoder() is not None, "the ONNX question encoder did not load: questions are slow"
    for text in TEXTS:
        fast, slow = emb.embed_query(text), torch_embedder.embed_query(text)
        assert fast.shape == slow.shape == (emb.dimension,)
        assert fast.dtype == np.float32
        assert float(fast @ slow) >= onnx_query.AGREEMENT, text
        assert np.isclose(np.linalg.norm(fast), 1.0, atol=1e-4)


def test_torch_backend_never_loads_onnx(torch_embedder):
    assert torch_embedder.query_encoder() is None


def test_unknown_backend_is_refused_in_plain_words():
    with pytest.raises(Exception, match="Unknown question embedding backend 'gpu'"):
        SentenceTransformerEmbedder(Settings().embedding_model, query_backend="gpu")


def test_a_corrupt_export_falls_back_to_torch_and_is_removed(tmp_path, monkeypatch, caplog, torch_embedder):
    monkeypatch.setenv("JFP_ONNX_CACHE_DIR", str(tmp_path))
    model = Settings().embedding_model
    bad = tmp_path / onnx_query.model_key(model) / "model.onnx"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"not an onnx graph")
    emb = SentenceTransformerEmbedder(model)
    with caplog.at_level(logging.WARNING, logger="ingest.onnx_query"):
        assert emb.query_encoder() is None
    assert "questions embedded with torch" in caplog.text
    assert not bad.exists(), "the corrupt export was left to fail again"
    q = TEXTS[0]
    np.testing.assert_allclose(emb.embed_query(q), torch_embedder.embed_query(q), atol=1e-6)


def test_an_export_that_disagrees_with_torch_is_not_used(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("JFP_ONNX_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(onnx_query, "AGREEMENT", 1.01)  # no graph can be this close: the guard must refuse it
    emb = SentenceTransformerEmbedder(Settings().embedding_model)
    with caplog.at_level(logging.WARNING, logger="ingest.onnx_query"):
        assert emb.query_encoder() is None
    assert "differs" in caplog.text
    assert not any(tmp_path.rglob("*.onnx"))


def test_a_model_that_is_not_mean_pooling_is_not_exported(tmp_path):
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]))
    pooling = {"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False}
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    assert not onnx_query.plain_mean_pooling(tmp_path)
    pooling = {"pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True}
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    assert not onnx_query.plain_mean_pooling(tmp_path)  # no tokenizer.json: the ONNX path cannot tokenize
    (tmp_path / "tokenizer.json").write_text("{}")
    assert onnx_query.plain_mean_pooling(tmp_path)
    assert onnx_query.plain_mean_pooling(Settings().embedding_model)


def test_questions_from_many_threads_during_a_batch(torch_embedder):
    """Eight planners ask at once while an ingest-sized batch runs: every answer vector is right (the
    ONNX path has its own tokenizer: one shared across threads fails with "Already borrowed")."""
    emb = load_embedder(Settings().embedding_model)
    assert emb.query_encoder() is not None
    questions = [f"What does the plan say about estates and workforce, item {i}?" for i in range(8)]
    expected = {q: torch_embedder.embed_query(q) for q in questions}
    batch = [f"Partners will review estates plan number {i} with the local authority." for i in range(256)]
    got: dict[str, float] = {}
    errors: list[BaseException] = []

    def ask(q: str) -> None:
        try:
            for _ in range(5):
                got[q] = float(emb.embed_query(q) @ expected[q])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    worker = threading.Thread(target=emb.embed_documents, args=(batch,))
    askers = [threading.Thread(target=ask, args=(q,)) for q in questions]
    worker.start()
    for t in askers:
        t.start()
    for t in [*askers, worker]:
        t.join()
    assert not errors, errors
    assert len(got) == len(questions)
    assert min(got.values()) >= onnx_query.AGREEMENT


def test_a_checked_export_that_no_longer_loads_is_exported_again(tmp_path, monkeypatch, caplog, torch_embedder):
    monkeypatch.setenv("JFP_ONNX_CACHE_DIR", str(tmp_path))
    model = Settings().embedding_model
    first = SentenceTransformerEmbedder(model)
    assert first.query_encoder() is not None
    target = tmp_path / onnx_query.model_key(model)
    assert (target / onnx_query.CHECKED).is_file()
    (target / "model.onnx").write_bytes(b"\x00" * 64)  # a disk fault after the check
    again = SentenceTransformerEmbedder(model)
    with caplog.at_level(logging.WARNING, logger="ingest.onnx_query"):
        assert again.query_encoder() is not None
    assert "no longer loads" in caplog.text
    q = TEXTS[0]
    assert float(again.embed_query(q) @ torch_embedder.embed_query(q)) >= onnx_query.AGREEMENT


def test_answering_through_a_checked_export_never_loads_torch(torch_embedder):
    """A fresh process that embeds a question (as `jfp ask` does) imports neither torch nor
    sentence-transformers, and gets the torch vector."""
    import subprocess
    import sys

    model = Settings().embedding_model
    assert load_embedder(model).query_encoder() is not None  # exported and checked (make setup does this)
    q = TEXTS[0]
    code = ("import json, sys\n"
            "from assistant.config import Settings\n"
            "from ingest.embedding import load_embedder\n"
            f"v = load_embedder(Settings().embedding_model).embed_query({q!r})\n"
            "print(json.dumps({'torch': 'torch' in sys.modules, 'st': 'sentence_transformers' in sys.modules,"
            " 'v': [float(x) for x in v]}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["torch"] is False and got["st"] is False, got
    assert float(np.asarray(got["v"], dtype=np.float32) @ torch_embedder.embed_query(q)) >= onnx_query.AGREEMENT


def test_the_dimension_is_read_without_loading_the_model(torch_embedder):
    assert onnx_query.output_dimension(Settings().embedding_model) == torch_embedder._model_dimension() == 384
