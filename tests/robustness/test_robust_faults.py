"""Faults from outside: kill -9 in the middle of a remove and of an answer, the Chroma server going away
mid-ingest, a full disk. Each leaves a consistent index and a plain message; the next run completes.
(kill -9 during an ingest is covered in tests/ingest/test_pipeline.py.)"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.robustness.conftest import (
    LIBRARY,
    QUESTION,
    assert_index_intact,
    free_port,
    new_service,
    python_env,
    run_jfp,
    snapshot,
    wait_for,
)

# A child that runs one service call and stalls at a chosen point, so the kill lands exactly there.
STALL = textwrap.dedent("""
    import pathlib, sys, time
    from assistant.config import Settings
    from assistant.service import JfpService
    what, arg, marker = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
    svc = JfpService(Settings())
    def stall(*args, **kwargs):
        marker.write_text("stalled")
        time.sleep(600)
    if what == "remove":  # after the manifest commit, before the vectors are deleted
        svc.index.delete_document = stall
        svc.remove(arg)
    else:  # an answer: retrieval done, the answer being built
        svc.answers.build = stall
        svc.ask(arg)
""")


def reopen(index_dir: Path, **overrides):
    """A service that reads the index from disk again (Chroma caches a client per folder in-process)."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    return new_service(index_dir, **overrides)


def _kill_when_stalled(index_dir: Path, tmp_path: Path, what: str, arg: str) -> None:
    marker = tmp_path / f"{what}.stalled"
    proc = subprocess.Popen([sys.executable, "-c", STALL, what, arg, str(marker)], env=python_env(index_dir),
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: marker.exists() or proc.poll() is not None, 240, f"the {what} to reach its stall point")
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.slow
def test_kill_9_during_a_remove_leaves_the_document_gone_and_the_next_ingest_purges_its_vectors(fresh_library, tmp_path):
    svc, before = fresh_library
    index_dir = svc.settings.index_dir
    victim = next(d for d in svc.sources() if d.source == "workforce.md")
    _kill_when_stalled(index_dir, tmp_path, "remove", victim.doc_id)

    after = reopen(index_dir)
    assert victim.doc_id not in {d.doc_id for d in after.sources()}, "the manifest commit is the remove"
    assert victim.doc_id in after.index.doc_ids(), "the kill landed before the vectors were deleted"
    a = after.ask("How will we recruit and retain staff through one workforce approach?")
    assert all(r.chunk.doc_id != victim.doc_id for r in a.retrieved), "orphan vectors must never be retrieved"
    report = after.ingest([svc.settings.index_dir.parent / "library" / "estates.md"])
    assert report.unchanged == 1 and not report.failed, "the lock died with the process"
    assert after.index.doc_ids() == {d.doc_id for d in after.sources()}, "the next ingest purged the orphans"


@pytest.mark.slow
def test_kill_9_during_an_answer_leaves_the_index_as_it_was(fresh_library, tmp_path):
    svc, before = fresh_library
    index_dir = svc.settings.index_dir
    _kill_when_stalled(index_dir, tmp_path, "ask", QUESTION)
    after = reopen(index_dir)
    assert_index_intact(after, before)
    assert after.ingest([index_dir.parent / "library"]).unchanged == len(LIBRARY)


# --- the Chroma server going away ------------------------------------------------------------
CHROMA = Path(sys.executable).with_name("chroma")


def _start_chroma(path: Path, port: int, log: Path) -> subprocess.Popen:
    import httpx

    proc = subprocess.Popen([str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log.open("ab"), stderr=subprocess.STDOUT, env=python_env())

    def up() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"chroma run exited: {log.read_text()[-1000:]}")
        try:
            return httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(up, 60, "the Chroma server to start", interval=0.3)
    return proc


def _doc(i: int) -> str:
    paras = "\n\n".join(f"Paragraph {j} of plan {i}: partners will improve estates, workforce and digital services "
                        f"in neighbourhood {j}, reporting progress to the board every quarter of year {i}."
                        for j in range(6))
    return f"# Plan {i}\n\n## Delivery\n\n{paras}\n"


def _manifest_docs(index_dir: Path) -> dict[str, tuple[int, int]]:
    db = index_dir / "manifest.sqlite3"
    if not db.exists():
        return {}
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            rows = conn.execute("SELECT d.doc_id, d.chunks, (SELECT COUNT(*) FROM chunks c WHERE c.doc_id = d.doc_id) "
                                "FROM documents d").fetchall()
    except sqlite3.Error:
        return {}
    return {r[0]: (r[1], r[2]) for r in rows}


@pytest.mark.slow
@pytest.mark.skipif(not CHROMA.exists(), reason="the chroma command is not installed in this environment")
def test_chroma_server_going_away_mid_ingest_gives_a_plain_message_and_the_rerun_completes(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(6):
        (docs / f"plan{i}.md").write_text(_doc(i), encoding="utf-8")
    index_dir, data, port, log = tmp_path / "index", tmp_path / "chroma-data", free_port(), tmp_path / "chroma.log"
    env = python_env(index_dir, JFP_CHROMA_HOST="127.0.0.1", JFP_CHROMA_PORT=str(port))
    server = _start_chroma(data, port, log)
    try:
        ingest = subprocess.Popen([sys.executable, "-m", "assistant", "ingest", str(docs), "--json"], env=env,
                                  cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_for(lambda: len(_manifest_docs(index_dir)) >= 2 or ingest.poll() is not None, 300,
                 "two documents to be committed")
        server.kill()
        server.wait()
        out, err = ingest.communicate(timeout=120)
        assert ingest.returncode != 0, "a failed ingest must exit non-zero"
        assert "Traceback" not in err
        # with --json the reason travels in the report's "failed" list (or, if the run stopped before the
        # report, in {"error": ...}); either way it names the server and says what failed
        doc = json.loads(out)
        message = doc["failed"][0]["error"] if "failed" in doc else doc["error"]["message"]
        assert "http://127.0.0.1" in message and ("Chroma" in message or "vector index" in message), message
        committed = _manifest_docs(index_dir)
        assert 2 <= len(committed) < 6, "the kill should land mid-ingest"
        assert all(n == have for n, have in committed.values()), "a partial document is visible in the manifest"
        if "failed" in doc:
            assert len(doc["failed"]) == 6 - len(committed), "every file not ingested is listed"

        server = _start_chroma(data, port, log)
        again = subprocess.run([sys.executable, "-m", "assistant", "ingest", str(docs), "--json"], env=env, cwd=ROOT,
                               capture_output=True, text=True, timeout=600)
        assert again.returncode == 0, again.stderr[-2000:]
        assert json.loads(again.stdout)["documents"] == 6
        svc = new_service(index_dir, chroma_host="127.0.0.1", chroma_port=port)
        assert svc.index.doc_ids() == {d.doc_id for d in svc.sources()}, "orphans purged, nothing missing"
        assert svc.index.chunk_ids() >= {c.chunk_id for c in svc.manifest.chunks()}
    finally:
        server.kill()
        server.wait()


# --- a full disk -------------------------------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path):
    mnt = tmp_path / "small-disk"
    mnt.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a size-limited tmpfs here ({res.stderr.strip() or 'not permitted'})")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


@pytest.mark.slow
def test_full_disk_stops_the_ingest_with_a_clear_message_and_a_consistent_manifest(small_disk, tmp_path):
    index_dir = small_disk / "index"
    docs = tmp_path / "notes"
    docs.mkdir()
    for i in range(30):
        (docs / f"note{i:02d}.md").write_text(
            f"# Note {i}\n\n## Plan\n\nPartners will work on topic {i} with shared measures and budgets for year {i}, "
            f"reporting to the board each quarter.\n", encoding="utf-8")
    first = run_jfp(index_dir, "ingest", str(docs / "note00.md"), "--json")
    assert first.returncode == 0, first.stderr[-1000:]
    ballast = small_disk / "ballast"
    with ballast.open("wb") as fh:  # fill the disk to within 400 KB
        fh.write(b"\0" * max(0, shutil.disk_usage(small_disk).free - 400 * 1024))

    out = run_jfp(index_dir, "ingest", str(docs), "--json")

    assert out.returncode != 0
    assert "Traceback" not in out.stderr
    report = json.loads(out.stdout)
    assert report["failed"], "the ingest must stop with a reason"
    assert "disk" in report["failed"][0]["error"] and "full" in report["failed"][0]["error"], report["failed"][0]
    assert report["added"] + 1 + len(report["failed"]) == 30, "every file is ingested or listed as not ingested"
    committed = _manifest_docs(index_dir)
    assert all(n == have for n, have in committed.values()), "a partial document is visible in the manifest"

    ballast.unlink()
    again = run_jfp(index_dir, "ingest", str(docs), "--json")
    assert again.returncode == 0, again.stderr[-1000:]
    assert json.loads(again.stdout)["documents"] == 30
    svc = reopen(index_dir)
    assert svc.index.doc_ids() == {d.doc_id for d in svc.sources()}
    a = svc.ask("What will partners do on topic 17?")
    assert any("topic 17" in c.quote for c in a.citations)
    snapshot(svc)
