"""Shared fixtures: real settings in a temporary folder, the real model, a real Chroma."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant import privacy

privacy.apply()

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


@pytest.fixture
def settings(tmp_path):
    from assistant.config import Settings

    return Settings(index_dir=tmp_path / "index")


@pytest.fixture
def service(settings):
    from assistant.service import JfpService

    return JfpService(settings)


@pytest.fixture(scope="session")
def corpus_service(tmp_path_factory):
    """A service whose index holds the shipped corpus (ingested once per test worker)."""
    from assistant.config import Settings
    from assistant.service import JfpService

    svc = JfpService(Settings(index_dir=tmp_path_factory.mktemp("corpus-index")))
    report = svc.ingest()
    assert not report.failed, report.failed
    return svc


def jfp_env(index_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["JFP_INDEX_DIR"] = str(index_dir)
    return env
