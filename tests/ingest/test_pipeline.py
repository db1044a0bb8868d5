"""Ingestion with the real model and a real Chroma (embedded and, for the contract, a server)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import jfp_env

NOTE = "# Estates\n\n## Our estate plan\n\nWe will consolidate our estate and cut its carbon emissions by sharing buildings.\n"
OTHER = "# Workforce\n\nWe will recruit and retain staff through one workforce approach across partners.\n"


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_reingest_of_unchanged_file_embeds_nothing(service, tmp_path):
    f = write(tmp_path / "docs" / "estates.md", NOTE)
    first = service.ingest([f])
    assert first.added == 1 and first.chunks >= 1
    before = service.ingestor.embed_seconds
    again = service.ingest([f])
    assert again.unchanged == 1 and again.added == 0
    assert service.ingestor.embed_seconds == before


def test_a_publisher_added_to_provenance_later_is_recorded_without_reembedding(service, tmp_path):
    f = write(tmp_path / "docs" / "estates.md", NOTE)
    service.ingest([f])
    assert service.sources()[0].publisher == ""
    before = service.ingestor.embed_seconds
    (f.parent / "provenance.json").write_text(json.dumps({"estates.md": {"publisher": "NHS Northshire ICB"}}))
    again = service.ingest([f])
    assert again.unchanged == 1 and service.ingestor.embed_seconds == before
    assert service.sources()[0].publisher == "NHS Northshire ICB"
    chunk = service.manifest.chunks()[0]
    assert chunk.publisher == "NHS Northshire ICB"  # and so every citation of it
    ans = service.ask("How will we consolidate our estate?")
    assert ans.citations and {c.publisher for c in ans.citations} == {"NHS Northshire ICB"}


def test_changed_file_replaces_its_chunks(service, tmp_path):
    f = write(tmp_path / "plan.md", NOTE)
    service.ingest([f])
    old_id = service.sources()[0].doc_id
    write(f, OTHER)
    rep = service.ingest([f])
    assert rep.updated == 1
    docs = service.sources()
    assert len(docs) == 1 and docs[0].doc_id != old_id
    texts = " ".join(c.text for c in service.manifest.chunks())
    assert "recruit and retain" in texts and "consolidate our estate" not in texts
    assert service.index.doc_ids() == {docs[0].doc_id}


def test_same_file_under_two_names_is_stored_once(service, tmp_path):
    a = write(tmp_path / "a.md", NOTE)
    b = write(tmp_path / "copy-of-a.md", NOTE)
    rep = service.ingest([a, b])
    assert rep.documents == 1
    assert len(service.index.chunk_ids()) == service.sources()[0].chunks


def test_remove_deletes_document_and_vectors(service, tmp_path):
    service.ingest([write(tmp_path / "a.md", NOTE), write(tmp_path / "b.md", OTHER)])
    doc = next(d for d in service.sources() if d.source == "a.md")
    n = service.remove(doc.doc_id)
    assert n == doc.chunks
    assert [d.source for d in service.sources()] == ["b.md"]
    assert doc.doc_id not in service.index.doc_ids()


def test_file_deleted_from_an_ingested_folder_is_removed_on_next_ingest(service, tmp_path):
    folder = tmp_path / "strategies"
    write(folder / "a.md", NOTE)
    gone = write(folder / "b.md", OTHER)
    service.ingest([folder])
    gone.unlink()
    rep = service.ingest([folder])
    assert rep.removed == 1 and [d.source for d in service.sources()] == ["a.md"]


def test_bad_file_is_reported_and_the_rest_ingested(service, tmp_path):
    folder = tmp_path / "mixed"
    write(folder / "good.md", NOTE)
    (folder / "empty.pdf").write_bytes(b"")
    rep = service.ingest([folder])
    assert rep.added == 1
    assert len(rep.failed) == 1 and rep.failed[0].path.endswith("empty.pdf")
    assert rep.failed[0].error  # a plain-English reason


def test_shipped_corpus_ingests_five_documents_with_titles_and_kinds(corpus_service):
    docs = corpus_service.sources()
    assert len(docs) == 5
    kinds = {d.kind for d in docs}
    assert kinds == {"guidance", "briefing", "commentary", "icb_plan", "icb_paper"}
    assert all(d.title and not d.title.endswith(".txt") for d in docs)
    sections = {c.section for c in corpus_service.manifest.chunks() if c.kind == "guidance"}
    assert any(s.endswith("Duty as to climate change") for s in sections)


def _consistent(index_dir):
    """Every manifest document has all its chunks; the index holds no visible partial document."""
    from assistant.config import Settings
    from assistant.service import JfpService

    svc = JfpService(Settings(index_dir=index_dir))
    for d in svc.sources():
        assert len(svc.manifest.chunks(d.doc_id)) == d.chunks
    return svc


@pytest.mark.slow
def test_kill_9_mid_ingest_leaves_index_consistent_and_next_run_completes(tmp_path):
    index_dir = tmp_path / "index"
    docs = tmp_path / "docs"
    for i in range(12):
        write(docs / f"doc{i:02d}.md", f"# Document {i}\n\n" + "\n\n".join(
            f"Paragraph {j} of document {i} about integrated care, estates and workforce planning in the system."
            for j in range(120)))
    cmd = [sys.executable, "-m", "assistant", "--index", str(index_dir), "ingest", str(docs), "--json"]
    proc = subprocess.Popen(cmd, env=jfp_env(index_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # wait until at least one document is committed, then kill mid-way
    manifest = index_dir / "manifest.sqlite3"
    deadline = time.time() + 300
    import sqlite3

    while time.time() < deadline:
        if manifest.exists():
            try:
                n = sqlite3.connect(manifest).execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            except sqlite3.Error:
                n = 0
            if n >= 2:
                break
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    svc = _consistent(index_dir)
    assert 0 < len(svc.sources()) < 12, "the kill should land mid-ingest"
    out = subprocess.run(cmd, env=jfp_env(index_dir), capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["documents"] == 12
    svc = _consistent(index_dir)
    assert svc.index.doc_ids() == {d.doc_id for d in svc.sources()}, "orphan vectors were purged"
    assert len(svc.index.chunk_ids()) == sum(d.chunks for d in svc.sources())
