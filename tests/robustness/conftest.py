"""Robustness fixtures: a small real library (real model, real Chroma), a snapshot of what it answers,
and ``assert_index_intact`` to show that a failure left it answering exactly as before.

The library is a few short planning notes rather than the shipped corpus: embedding is the floor on
two cores and each worker builds its own, so it must be cheap while still giving real answers.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, jfp_env

JFP = [sys.executable, "-m", "assistant"]
QUESTION = "How will partners cut carbon emissions from their buildings?"

LIBRARY = {
    "estates.md": """# Estates and climate

## Our estate plan

Partners will consolidate the estate and share buildings, so that fewer sites need heating and lighting.
We will cut carbon emissions from our buildings by 30% by 2028 through heat pumps and better insulation.
Every new building must meet the net zero carbon standard for health buildings.

## Travel

Staff and patients will be offered more low-carbon travel options, including electric pool cars.
""",
    "workforce.md": """# Workforce

## One workforce

We will recruit and retain staff through one workforce approach across the partners in the system.
Partners should offer joint training so that staff can move between organisations without repeating it.

## Wellbeing

Staff wellbeing hubs will stay open, and managers will be trained to spot early signs of burnout.
""",
    "inequalities.md": """# Health inequalities

## Core20PLUS5

The plan must say how the ICB will reduce inequalities in access, experience and outcomes.
We will focus on the most deprived 20% of the population and on five clinical areas of care.

## Data

Complete and timely data on ethnicity and deprivation will show whether gaps are closing.
""",
}


@dataclass(frozen=True)
class Snapshot:
    sources: tuple[tuple, ...]
    answer: str
    citations: tuple[tuple, ...]
    chunks: int


def _sources(service) -> tuple[tuple, ...]:
    return tuple((d.doc_id, d.title, d.source, d.kind, d.pages, d.chunks, d.content_hash)
                 for d in sorted(service.sources(), key=lambda d: d.doc_id))


def snapshot(service) -> Snapshot:
    a = service.ask(QUESTION)
    return Snapshot(sources=_sources(service), answer=a.answer,
                    citations=tuple((c.chunk_id, c.quote) for c in a.citations),
                    chunks=len(service.manifest.chunks()))


def assert_index_intact(service, before: Snapshot) -> None:
    """The index lists the same documents and gives the same answer to the fixed question; every
    listed document has all its chunks, and each chunk's whole-chunk vector is in the index."""
    assert _sources(service) == before.sources, "sources() changed"
    for d in service.sources():
        assert len(service.manifest.chunks(d.doc_id)) == d.chunks, f"{d.source}: partial chunk set"
    stored = service.index.chunk_ids()
    missing = {c.chunk_id for c in service.manifest.chunks()} - stored
    assert not missing, f"{len(missing)} chunk(s) have no vector"
    a = service.ask(QUESTION)
    assert a.answer == before.answer, "the answer to the fixed question changed"
    assert tuple((c.chunk_id, c.quote) for c in a.citations) == before.citations


def remove_extras(service, before: Snapshot) -> None:
    """Remove every document the snapshot did not have (a test's clean-up, pass or fail)."""
    keep = {s[0] for s in before.sources}
    for d in service.sources():
        if d.doc_id not in keep:
            service.remove(d.doc_id)


@contextmanager
def leaves_intact(service, before: Snapshot) -> Iterator[None]:
    """Run a block that adds documents; remove them afterwards, even when the block fails."""
    try:
        yield
    finally:
        remove_extras(service, before)


def write_library(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in LIBRARY.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def new_service(index_dir: Path, **overrides):
    from assistant.config import Settings
    from assistant.service import JfpService

    return JfpService(Settings(index_dir=index_dir, **overrides))


def build_library(base: Path, **overrides):
    svc = new_service(base / "index", **overrides)
    report = svc.ingest([write_library(base / "library")])
    assert not report.failed and report.added == len(LIBRARY), report
    return svc


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """A service over the small library, shared by a module's tests; each test must leave it as it found it."""
    base = tmp_path_factory.mktemp("library")
    svc = build_library(base)
    return svc, snapshot(svc), base


@pytest.fixture
def fresh_library(tmp_path):
    """A library of the test's own, for tests that damage or kill things."""
    svc = build_library(tmp_path)
    return svc, snapshot(svc)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_jfp(index_dir: Path, *args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*JFP, "--index", str(index_dir), *args], env=env or jfp_env(index_dir), cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def python_env(index_dir: Path | None = None, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "tests")])
    if index_dir is not None:
        env["JFP_INDEX_DIR"] = str(index_dir)
    env.update(extra)
    return env
