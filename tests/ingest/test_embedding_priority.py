"""A question is embedded between the slices of a long batch, not after it: one planner's answer is
never queued behind another's whole-plan check. Real model; the order of events is asserted, not a time.
Through torch, where the question shares the model with the batch (through ONNX it does not wait at all:
``test_onnx_query``)."""

from __future__ import annotations

import threading

import numpy as np

from assistant.config import Settings
from ingest.embedding import SLICE, load_embedder


def test_a_question_is_embedded_while_a_long_batch_is_still_running():
    s = Settings()
    emb = load_embedder(s.embedding_model, s.embedding_batch_size, query_backend="torch")
    texts = [f"Partners will review estates plan number {i} with the local authority and the VCSE sector."
             for i in range(SLICE * 30)]
    batch_done = threading.Event()
    result: dict[str, np.ndarray] = {}

    def batch() -> None:
        result["batch"] = emb.embed_documents(texts)
        batch_done.set()

    worker = threading.Thread(target=batch)
    worker.start()
    try:
        while not emb._busy:  # the batch has started its first slice
            pass
        q = emb.embed_query("How will partners cut carbon emissions from their buildings?")
        assert not batch_done.is_set(), "the question waited for the whole batch"
    finally:
        worker.join()
    assert result["batch"].shape == (len(texts), emb.dimension)
    assert np.isclose(np.linalg.norm(q), 1.0, atol=1e-3)
    # slicing does not change the vectors
    np.testing.assert_allclose(result["batch"][:3], emb.embed_documents(texts[:3]), atol=1e-5)
