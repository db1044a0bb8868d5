"""Fixtures for the evaluation tests (data and fakes live in eval_fakes.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

# ``tests/eval`` has no ``__init__.py`` and shares its name with the ``eval`` package; make sure the
# package in the repository root is the one that ``import eval`` finds.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from eval_fakes import ANSWERS, CHUNKS, DOCS, GOLD_LINES, CountingLookup, RecordingAsk  # noqa: E402


@pytest.fixture
def gold_file(tmp_path: Path) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in GOLD_LINES), encoding="utf-8")
    return path


@pytest.fixture
def fake_ask() -> RecordingAsk:
    return RecordingAsk(ANSWERS)


@pytest.fixture
def chunk_lookup() -> CountingLookup:
    return CountingLookup({cid: text for cid, (_, text) in CHUNKS.items()})


@pytest.fixture
def doc_lookup() -> CountingLookup:
    return CountingLookup(dict(DOCS))


@pytest.fixture
def three_item_result(gold_file, fake_ask, chunk_lookup, doc_lookup):
    from eval.harness import load_gold, run_eval

    return run_eval(load_gold(gold_file), fake_ask, chunk_lookup, doc_lookup, progress=False)
