"""The CI quality gate: the product's figures on both gold splits must not fall below their bars."""

import json

import pytest

from eval import gate


@pytest.mark.slow
@pytest.mark.parametrize("split", ["dev", "heldout"])
def test_quality_does_not_fall_below_min_of_target_and_ratchet(corpus_service, split):
    measured = gate.measure(corpus_service, split)
    failures = gate.check(measured, split)
    assert not failures, "\n".join(failures)


def test_ratchet_never_lowers_a_figure(tmp_path, monkeypatch):
    f = tmp_path / "gate.json"
    f.write_text(json.dumps({"targets": {m: 0.9 for m in gate.METRICS}, "ratchet": {"dev": {"mrr": 0.7}}}))
    monkeypatch.setattr(gate, "GATE_FILE", f)
    best = gate.update({m: 0.5 for m in gate.METRICS} | {"mrr": 0.6}, "dev")
    assert best["mrr"] == 0.7
    best = gate.update({m: 0.5 for m in gate.METRICS} | {"mrr": 0.8}, "dev")
    assert best["mrr"] == 0.8


def test_bar_is_the_lower_of_target_and_best_so_far(tmp_path, monkeypatch):
    f = tmp_path / "gate.json"
    f.write_text(json.dumps({"targets": {m: 0.9 for m in gate.METRICS}, "ratchet": {"dev": {"mrr": 0.7, "hit_at_5": 0.99}}}))
    monkeypatch.setattr(gate, "GATE_FILE", f)
    b = gate.bars("dev")
    assert b["mrr"] == 0.7 and b["hit_at_5"] == 0.9
    assert gate.check({m: 0.95 for m in gate.METRICS} | {"mrr": 0.69}, "dev") == ["dev: mrr is 0.6900, below its bar 0.7000"]


def test_a_figure_with_no_target_is_held_at_its_best(tmp_path, monkeypatch):
    f = tmp_path / "gate.json"
    targets = {m: 0.9 for m in gate.METRICS if m != "lead_coverage"}
    f.write_text(json.dumps({"targets": targets, "ratchet": {"dev": {"lead_coverage": 0.5}}}))
    monkeypatch.setattr(gate, "GATE_FILE", f)
    assert gate.bars("dev")["lead_coverage"] == 0.5
    assert gate.check({m: 0.95 for m in gate.METRICS} | {"lead_coverage": 0.45}, "dev") == [
        "dev: lead_coverage is 0.4500, below its bar 0.5000"]
    assert gate.bars("heldout")["lead_coverage"] == 0.0  # nothing measured yet: no bar
