"""The same VectorIndex contract against embedded Chroma and a real `chroma run` server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from assistant.types import Chunk
from ingest.index import ChromaIndex, Filters


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    exe = shutil.which("chroma") or str(Path(__import__("sys").executable).with_name("chroma"))
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen([exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**__import__("os").environ, "ANONYMIZED_TELEMETRY": "False"})
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("chroma server did not start")
    yield port
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(params=["embedded", "server"])
def index(request, tmp_path):
    from assistant.config import Settings
    from ingest.embedding import load_embedder

    emb = load_embedder(Settings().embedding_model)
    name = f"t{abs(hash(request.node.name)) % 10**8}"
    if request.param == "embedded":
        return ChromaIndex.embedded(tmp_path / "chroma", name, emb), emb
    port = request.getfixturevalue("chroma_server")
    return ChromaIndex.server("127.0.0.1", port, name, emb), emb


def _chunk(doc: str, i: int, text: str, duties=()) -> Chunk:
    return Chunk(chunk_id=f"{doc}:{i:05d}", doc_id=doc, title=doc, source=f"{doc}.md", kind="guidance", page=None,
                 section="S", duty_ids=tuple(duties), text=text, n_tokens=10, content_hash=str(i), ordinal=i)


def _load(idx, emb):
    chunks = [
        _chunk("d1", 0, "Net zero carbon emissions and the green plan.", ["climate_change"]),
        _chunk("d1", 1, "Recruitment and retention of nursing staff.", ["workforce"]),
        _chunk("d2", 0, "Domestic abuse services for survivors.", []),
    ]
    idx.upsert(chunks, emb.embed_documents([c.text for c in chunks]))
    return chunks


def test_upsert_then_count_and_list_documents(index):
    idx, emb = index
    _load(idx, emb)
    assert idx.count() == 3
    assert idx.doc_ids() == {"d1", "d2"}


def test_query_ranks_the_semantically_closest_chunk_first(index):
    idx, emb = index
    _load(idx, emb)
    hits = idx.query(emb.embed_query("reducing greenhouse gases"), 3)
    assert hits[0].chunk_id == "d1:00000"
    assert hits[0].similarity > hits[-1].similarity


def test_query_honours_duty_and_document_filters(index):
    idx, emb = index
    _load(idx, emb)
    hits = idx.query(emb.embed_query("staff"), 3, Filters(duty="climate_change"))
    assert [h.chunk_id for h in hits] == ["d1:00000"]
    hits = idx.query(emb.embed_query("staff"), 3, Filters(doc_id="d2"))
    assert {h.doc_id for h in hits} == {"d2"}


def test_upsert_is_idempotent_and_delete_removes_a_document(index):
    idx, emb = index
    _load(idx, emb)
    _load(idx, emb)
    assert idx.count() == 3
    idx.delete_document("d1")
    assert idx.doc_ids() == {"d2"} and idx.count() == 1


def test_unreachable_server_gives_a_plain_message():
    from assistant.config import Settings
    from assistant.errors import IndexUnavailableError
    from ingest.embedding import load_embedder

    with pytest.raises(IndexUnavailableError) as e:
        ChromaIndex.server("127.0.0.1", _free_port(), "x", load_embedder(Settings().embedding_model))
    assert "chroma run" in e.value.message


def test_similarities_score_a_chunk_by_its_best_view_as_query_does(index):
    idx, emb = index
    chunks = _load(idx, emb)
    # a second view of the first chunk: a window that matches the query better than the chunk
    window = "Greenhouse gas emissions will be cut."
    idx.upsert([chunks[0]], emb.embed_documents([window]), view_ids=[f"{chunks[0].chunk_id}#w1"])
    qv = emb.embed_query("cutting greenhouse gas emissions")
    by_query = {h.chunk_id: h.similarity for h in idx.query(qv, 3)}
    by_id = idx.similarities(qv, list(by_query))
    assert set(by_id) == set(by_query)
    for cid, sim in by_query.items():
        assert by_id[cid] == pytest.approx(sim, abs=1e-4)
    whole = float(emb.embed_documents([chunks[0].text])[0] @ qv)
    assert by_id[chunks[0].chunk_id] > whole  # the window, not the whole chunk, scored it
    # by view id (the fast path) the same, and a chunk whose views are not all named is still found
    ids = {c.chunk_id: c.chunk_id for c in chunks} | {f"{chunks[0].chunk_id}#w1": chunks[0].chunk_id}
    assert idx.similarities(qv, [c.chunk_id for c in chunks], ids) == pytest.approx(
        idx.similarities(qv, [c.chunk_id for c in chunks]), abs=1e-6)
    assert set(idx.similarities(qv, [c.chunk_id for c in chunks], {"d1:00000": "d1:00000"})) == {c.chunk_id for c in chunks}


def test_a_hit_names_its_chunk_and_document_from_the_vector_id_alone(index):
    """A search reads ids and distances, not metadata: every view id must lead back to its chunk."""
    from ingest.chunking import chunk_of_view, doc_of_chunk, views

    idx, emb = index
    long = _chunk("3f9c0a:b", 7, " ".join(f"Sentence {n} on estates and the green plan." for n in range(60)))
    long = Chunk(**{**long.__dict__, "n_tokens": 600})
    pairs = views(long)
    assert len(pairs) > 2  # the chunk and its windows
    assert {chunk_of_view(v) for v, _ in pairs} == {long.chunk_id}
    assert doc_of_chunk(long.chunk_id) == "3f9c0a:b"  # a colon in a document id is kept
    idx.upsert([long] * len(pairs), emb.embed_documents([t for _, t in pairs]), view_ids=[v for v, _ in pairs])
    _load(idx, emb)
    hits = idx.query(emb.embed_query("the green plan for estates"), 4)
    assert [h.chunk_id for h in hits].count(long.chunk_id) == 1
    assert {(h.chunk_id, h.doc_id) for h in hits} <= {(long.chunk_id, "3f9c0a:b"), ("d1:00000", "d1"),
                                                      ("d1:00001", "d1"), ("d2:00000", "d2")}
