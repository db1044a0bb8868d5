"""How far a gold-set figure can be trusted: bootstrap intervals over the gold items.

A figure from 63 questions moves by chance: a coverage of 0.768 has a 95% interval about 0.15 wide.
``interval`` gives that interval for a mean over items; ``paired_difference`` gives it for the change
between two runs over the same items (each item compared with itself, which is far tighter than two
separate intervals), so "0.771 against 0.768" can be read as a gain or as noise.

Both resample the items with replacement (``scipy.stats.bootstrap``, percentile method) from a fixed
seed, so the same scores give the same interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import bootstrap

LEVEL = 0.95
RESAMPLES = 2000
SEED = 20231


@dataclass(frozen=True)
class Interval:
    mean: float
    low: float
    high: float

    def contains(self, x: float) -> bool:
        return self.low <= x <= self.high


def _bootstrap(v: np.ndarray, level: float, resamples: int) -> tuple[float, float]:
    res = bootstrap((v,), np.mean, confidence_level=level, n_resamples=resamples, method="percentile",
                    rng=np.random.default_rng(SEED))
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def interval(xs: Sequence[float | None], level: float = LEVEL, resamples: int = RESAMPLES) -> Interval | None:
    """The mean of the values that are not ``None``, with its bootstrap interval; ``None`` when there
    are none. With one value, or all values equal, the interval is that value (nothing to resample)."""
    v = np.array([x for x in xs if x is not None], dtype=float)
    if not len(v):
        return None
    m = float(v.mean())
    if len(v) == 1 or np.all(v == v[0]):
        return Interval(m, m, m)
    low, high = _bootstrap(v, level, resamples)
    return Interval(m, low, high)


def paired_difference(before: Sequence[float | None], after: Sequence[float | None], level: float = LEVEL,
                      resamples: int = RESAMPLES) -> Interval | None:
    """The mean of ``after - before`` over the items scored in both runs (same order), with its
    bootstrap interval; ``None`` when no item is scored in both. An interval that holds 0 means the
    runs differ by no more than chance."""
    if len(before) != len(after):
        raise ValueError("paired_difference needs the same items in both runs.")
    return interval([a - b for b, a in zip(before, after, strict=True) if b is not None and a is not None],
                    level, resamples)

__all__ = ["Interval", "interval", "paired_difference"]
