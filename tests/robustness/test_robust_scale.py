"""10,000 tiny files in one folder: the run finishes, every file is accounted for, and an unchanged
re-ingest is quick (it hashes and looks up, embeds nothing).

The files hold 100 distinct texts (each under 100 names): every distinct file costs one embedding
call, one Chroma write and one manifest transaction (about a second each on a busy 2-core machine),
so 10,000 distinct files would take hours; the walk, hashing, de-duplication and path bookkeeping are
exercised at the full 10,000."""

from __future__ import annotations

import time

import pytest

from tests.robustness.conftest import new_service

FILES = 10_000
DISTINCT = 100


@pytest.mark.slow
def test_ten_thousand_tiny_files_finish_and_unchanged_reingest_is_quick(tmp_path):
    folder = tmp_path / "many"
    for i in range(FILES):
        sub = folder / f"batch{i // 1000:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        k = i % DISTINCT
        (sub / f"note{i:05d}.txt").write_text(
            f"Note {k}: partners will review topic {k} at the quarterly board meeting.\n", encoding="utf-8")
    svc = new_service(tmp_path / "index")
    t = time.perf_counter()
    first = svc.ingest([folder])
    first_s = time.perf_counter() - t
    assert not first.failed, first.failed[:3]
    assert first.added == DISTINCT and first.added + first.unchanged == FILES
    assert first.documents == DISTINCT
    assert len(svc.manifest.all_paths()) == FILES, "every file name is recorded"

    t = time.perf_counter()
    again = svc.ingest([folder])
    again_s = time.perf_counter() - t
    assert again.unchanged == FILES and again.added == 0 and again.embedded_chunks == 0
    assert again_s < max(0.5 * first_s, 5.0), f"unchanged re-ingest took {again_s:.1f} s (first {first_s:.1f} s)"
    a = svc.ask("When will partners review topic 42?")
    assert any("topic 42" in c.quote for c in a.citations)
