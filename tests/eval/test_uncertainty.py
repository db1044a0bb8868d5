"""Bootstrap intervals of gold-set figures, and the paired comparison of two runs (``eval.compare_runs``)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.errors import InputError
from eval import compare_runs as compare
from eval.report import intervals
from eval.uncertainty import interval, paired_difference


def test_the_interval_holds_the_mean_and_narrows_with_more_items():
    rng = np.random.default_rng(1)
    few = list(rng.choice([0.0, 0.5, 1.0], size=20))
    many = list(rng.choice([0.0, 0.5, 1.0], size=500))
    a, b = interval(few), interval(many)
    assert a.low < a.mean < a.high and b.low < b.mean < b.high
    assert (b.high - b.low) < (a.high - a.low) / 3  # about sqrt(25) = 5 times narrower
    # a mean of coverages lies in [0, 1], and so does every resampled mean
    assert 0.0 <= a.low and a.high <= 1.0


def test_the_interval_is_the_same_every_run_and_ignores_unscored_items():
    xs = [0.2, None, 0.8, 1.0, 0.0, None, 0.6]
    assert interval(xs) == interval(xs)
    assert interval(xs) == interval([x for x in xs if x is not None])
    assert interval([]) is None and interval([None]) is None
    assert interval([0.7, 0.7, 0.7]).low == interval([0.7, 0.7, 0.7]).high == pytest.approx(0.7)


def test_a_paired_difference_sees_a_small_consistent_gain_that_separate_intervals_cannot():
    rng = np.random.default_rng(2)
    before = list(rng.uniform(0, 1, size=60))
    after = [min(1.0, b + 0.03) if i % 4 else b for i, b in enumerate(before)]  # 45 items up by up to 0.03
    d = paired_difference(before, after)
    assert 0 < d.low <= d.mean <= d.high
    # each run's own interval is far wider than the change, so comparing them would call it chance
    assert interval(before).high > interval(after).low
    # the same run against itself: no change at all
    same = paired_difference(before, before)
    assert same.low == same.mean == same.high == 0.0
    with pytest.raises(ValueError):
        paired_difference([0.1], [0.1, 0.2])


def test_a_noisy_change_with_no_direction_is_within_chance():
    before = [0.0, 1.0] * 20
    after = [1.0, 0.0] * 20  # every item changes, half up, half down
    d = paired_difference(before, after)
    assert d.mean == pytest.approx(0.0) and d.low < 0 < d.high


def _rows(path, scores):
    path.write_text("\n".join(json.dumps({"id": i, "keypoint_coverage": c, "missed": m}) for i, c, m in scores) + "\n",
                    encoding="utf-8")
    return path


def test_compare_reports_the_change_and_the_items_that_moved(tmp_path, capsys):
    before = _rows(tmp_path / "before.jsonl", [("a", 0.5, ["x"]), ("b", 1.0, []), ("c", 0.0, ["y", "z"])])
    after = _rows(tmp_path / "after.jsonl", [("a", 1.0, []), ("b", 1.0, []), ("c", 0.5, ["z"]), ("d", 1.0, [])])
    assert compare.main([str(before), str(after)]) == 0
    out = capsys.readouterr().out
    cov = next(line for line in out.splitlines() if line.startswith("keypoint_coverage"))
    assert "0.5000" in cov and "+0.3333" in cov and "3 items" in cov  # "d" is in one run only
    assert "a: 0.500 -> 1.000  won ['x']" in out and "c: 0.000 -> 0.500  won ['y']" in out
    assert "b:" not in out
    found = compare.changes(compare.load_rows(before), compare.load_rows(after))
    assert [c.figure for c in found] == ["keypoint_coverage"]  # the other figures are not in these rows


def test_compare_explains_unusable_files(tmp_path, capsys):
    good = _rows(tmp_path / "good.jsonl", [("a", 0.5, [])])
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    assert compare.main([str(good), str(bad)]) == 2
    assert "line 1: not JSON" in capsys.readouterr().err
    assert compare.main([str(good), str(tmp_path / "missing.jsonl")]) == 2
    assert "Cannot read" in capsys.readouterr().err
    other = _rows(tmp_path / "other.jsonl", [("zz", 0.5, [])])
    with pytest.raises(InputError, match="share no gold item ids"):
        compare.changes(compare.load_rows(good), compare.load_rows(other))


def test_the_report_shows_the_intervals_and_skips_old_summaries():
    summary = {"answer": {"keypoint_coverage": 0.768, "keypoint_coverage_interval": [0.69, 0.843]},
               "retrieval": {"mrr": 0.875, "mrr_interval": [0.81, 0.93]}}
    text = intervals({"assistant": summary})
    assert "- assistant: coverage 0.768 (0.690-0.843); MRR 0.875 (0.810-0.930)" in text
    old = {"answer": {"keypoint_coverage": 0.7}, "retrieval": {"mrr": 0.8}}
    assert intervals({"assistant": old}) == ""
