"""Many processes opening one fresh index at the same instant (ten `jfp ingest` started together):
every one opens it; none dies on Chroma's first-time set-up ("table collections already exists")."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from tests.conftest import ROOT
from tests.robustness.conftest import python_env

OPEN = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from ingest.index import ChromaIndex

    class NoModel:  # opening the index embeds nothing; the real model is not needed here
        name, dimension, model_path = "none", 384, ""
        def embed_documents(self, texts):
            raise AssertionError("nothing is embedded when an index is opened")

    start = float(sys.argv[2])
    while time.time() < start:
        time.sleep(0.001)
    print(ChromaIndex.embedded(Path(sys.argv[1]), "jfp_chunks", NoModel()).count())
""")


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(2))
def test_processes_opening_a_fresh_index_at_once_all_succeed(tmp_path, round_):
    path = tmp_path / "index" / "chroma"
    start = time.time() + 8  # every process imports Chroma first, then all open together
    procs = [subprocess.Popen([sys.executable, "-c", OPEN, str(path), str(start)], env=python_env(), cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(8)]
    outs = [p.communicate(timeout=180) for p in procs]
    failed = [err[-400:] for p, (_, err) in zip(procs, outs, strict=True) if p.returncode != 0]
    assert not failed, failed[0]
    assert all(out.strip() == "0" for out, _ in outs)
