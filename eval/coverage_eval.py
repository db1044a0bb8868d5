"""Accuracy of ``jfp check`` on the labelled plans in ``eval/plans`` (and its calibration).

    .venv/bin/python -m eval.coverage_eval                # figures per plan and overall
    .venv/bin/python -m eval.coverage_eval --calibrate    # refit assistant/coverage_calibration.json first
    .venv/bin/python -m eval.coverage_eval --index DIR    # reuse an index that holds the shipped corpus

Metrics, over (plan, duty) pairs:

- **omitted-duty safety**: of the duties a plan omits (expected ``missing``), the share reported
  ``missing`` or ``partial``; never ``addressed``. Target 100%.
- **addressed recall**: of the duties a plan covers fully (expected ``addressed``), the share
  reported ``addressed``. Target at least 90%.
- **exact accuracy**: the share reported with exactly the expected status.
- **partial over-called**: of the duties covered only in passing (expected ``partial``), the share
  reported ``addressed`` (reported, no target).

Calibration fits the logistic weights (addressed against missing; partial labels sit between and are
left out of the fit) and the two thresholds on the plans not listed as ``heldout`` in
``eval/plans/labels.json``. The upper threshold sits above the highest score of any omitted duty in
those plans (so none is reported addressed), halfway to the lowest fully covered duty above it, and
the lower one maximises exact accuracy.
The held-out plans are never used for fitting: their figures show how the calibration generalises.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PLANS = ROOT / "eval" / "plans"
LABELS = PLANS / "labels.json"
TARGET_SAFETY = 1.0
TARGET_RECALL = 0.9
UPPER_MARGIN = 0.02  # the upper threshold sits at least this far above the highest omitted-duty score


@dataclass(frozen=True)
class Labels:
    plans: dict[str, dict[str, str]]  # plan file -> duty id -> expected status
    heldout: tuple[str, ...]

    @property
    def calibration(self) -> list[str]:
        return [p for p in self.plans if p not in self.heldout]


def load_labels(path: Path = LABELS) -> Labels:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return Labels({k: dict(v) for k, v in data["plans"].items()}, tuple(data.get("heldout", ())))


@dataclass(frozen=True)
class Figures:
    omitted: int
    omitted_safe: int
    covered: int
    covered_found: int
    partial: int
    partial_over: int
    total: int
    exact: int

    @property
    def safety(self) -> float:
        return self.omitted_safe / self.omitted if self.omitted else 1.0

    @property
    def recall(self) -> float:
        return self.covered_found / self.covered if self.covered else 1.0

    @property
    def accuracy(self) -> float:
        return self.exact / self.total if self.total else 1.0

    def meets_targets(self) -> bool:
        return self.safety >= TARGET_SAFETY and self.recall >= TARGET_RECALL

    def to_json(self) -> dict:
        return {"omitted_safety": round(self.safety, 4), "omitted": self.omitted, "omitted_safe": self.omitted_safe,
                "addressed_recall": round(self.recall, 4), "addressed": self.covered, "addressed_found": self.covered_found,
                "exact_accuracy": round(self.accuracy, 4), "exact": self.exact, "n": self.total,
                "partial_over_called": self.partial_over, "partial": self.partial}


def figures(pairs: Iterable[tuple[str, str]]) -> Figures:
    """Figures over (expected, reported) status pairs."""
    pairs = list(pairs)
    return Figures(
        omitted=sum(e == "missing" for e, _ in pairs),
        omitted_safe=sum(e == "missing" and r != "addressed" for e, r in pairs),
        covered=sum(e == "addressed" for e, _ in pairs),
        covered_found=sum(e == "addressed" and r == "addressed" for e, r in pairs),
        partial=sum(e == "partial" for e, _ in pairs),
        partial_over=sum(e == "partial" and r == "addressed" for e, r in pairs),
        total=len(pairs),
        exact=sum(e == r for e, r in pairs),
    )


# --- calibration ---------------------------------------------------------------------------------
def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 50) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method, classes weighted to balance."""
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    pos = y.sum()
    sw = np.where(y == 1, n / (2 * max(pos, 1)), n / (2 * max(n - pos, 1)))
    w = np.zeros(d + 1)
    reg = np.eye(d + 1) * l2
    reg[-1, -1] = 0.0  # no penalty on the bias
    for _ in range(iters):
        p = 1 / (1 + np.exp(-(xb @ w)))
        grad = xb.T @ (sw * (p - y)) + reg @ w
        hess = (xb * (sw * p * (1 - p))[:, None]).T @ xb + reg
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def calibrate(analyses: dict, labels: Labels):
    """Fit weights and thresholds on the calibration plans' analyses (see the module docstring)."""
    from assistant.coverage_scoring import Calibration

    fit_on = labels.calibration
    rows = [(analyses[p].features[d].vector(), s) for p in fit_on for d, s in labels.plans[p].items()]
    x = np.array([v for v, s in rows if s != "partial"], dtype=float)
    y = np.array([1.0 if s == "addressed" else 0.0 for _, s in rows if s != "partial"])
    w, b = fit_logistic(x, y)
    draft = Calibration(tuple(float(v) for v in w), b, 1.0, 0.0, tuple(fit_on), labels.heldout)
    scored = [(draft.score(analyses[p].features[d]), d in analyses[p].headed, s)
              for p in fit_on for d, s in labels.plans[p].items()]
    top_missing = max(sc for sc, _, s in scored if s == "missing")
    above = [sc for sc, _, s in scored if s == "addressed" and sc > top_missing + UPPER_MARGIN]
    # halfway between the highest omitted duty and the lowest covered one above it: a margin both ways
    upper = min(max(top_missing + UPPER_MARGIN, (top_missing + min(above)) / 2 if above else 0.0), 0.999)
    candidates = sorted({0.0, *(sc for sc, _, _ in scored if sc < upper)})

    def exact(lower: float) -> int:
        trial = Calibration(draft.weights, b, upper, lower)
        return sum(trial.status(sc, headed) == s for sc, headed, s in scored)

    best_lower = max(candidates, key=lambda t: (exact(t), -t))
    return Calibration(draft.weights, b, round(upper, 6), round(best_lower, 6), tuple(fit_on), labels.heldout)


# --- running -------------------------------------------------------------------------------------
def analyse_plans(service, labels: Labels, calibration=None) -> dict:
    from assistant.coverage import analyse_plan

    return {name: analyse_plan(service, PLANS / name, calibration=calibration) for name in labels.plans}


def evaluate(service, labels: Labels | None = None, *, recalibrate: bool = False, write: bool = False) -> dict:
    """Run every labelled plan; returns per-plan and overall figures (and the calibration used)."""
    from assistant.coverage_scoring import CALIBRATION_PATH, FEATURES, Calibration

    labels = labels or load_labels()
    if recalibrate:  # features do not depend on the calibration: analyse with a neutral one, then fit
        analyses = analyse_plans(service, labels, Calibration((0.0,) * len(FEATURES), 0.0, 1.0, 0.0))
    else:
        calibration = Calibration.load()
        analyses = analyse_plans(service, labels, calibration)
    if recalibrate:
        calibration = calibrate(analyses, labels)
        if write:
            CALIBRATION_PATH.write_text(json.dumps(calibration.to_json(), indent=2) + "\n", encoding="utf-8")
    per_plan, errors = {}, []
    for name, analysis in analyses.items():
        pairs = []
        for duty_id, expected in labels.plans[name].items():
            score = calibration.score(analysis.features[duty_id])
            reported = calibration.status(score, duty_id in analysis.headed)
            pairs.append((expected, reported))
            if expected != reported:
                errors.append({"plan": name, "duty_id": duty_id, "expected": expected, "reported": reported,
                               "score": round(score, 3)})
        per_plan[name] = figures(pairs)
    split = {"calibration": labels.calibration, "heldout": list(labels.heldout)}
    overall = {k: _sum(per_plan[p] for p in names) for k, names in split.items()}
    overall["all"] = _sum(per_plan.values())
    return {"plans": {p: {"split": "heldout" if p in labels.heldout else "calibration", **f.to_json()}
                      for p, f in per_plan.items()},
            "overall": {k: f.to_json() for k, f in overall.items()},
            "meets_targets": overall["all"].meets_targets(),
            "calibration": calibration.to_json(), "errors": errors}


def _sum(items: Iterable[Figures]) -> Figures:
    items = list(items)
    return Figures(*(sum(getattr(f, k) for f in items) for k in Figures.__dataclass_fields__))


def print_table(result: dict, out=sys.stdout) -> None:
    def line(name: str, f: dict, split: str = "") -> None:
        out.write(f"{name:34} {split:11} {f['omitted_safe']:>3}/{f['omitted']:<3} {f['omitted_safety']:>6.0%}   "
                  f"{f['addressed_found']:>3}/{f['addressed']:<3} {f['addressed_recall']:>6.0%}   "
                  f"{f['exact']:>3}/{f['n']:<3} {f['exact_accuracy']:>6.0%}   {f['partial_over_called']}/{f['partial']}\n")

    out.write(f"{'plan':34} {'split':11} {'omitted safety':>15}   {'addressed recall':>15}   {'exact':>13}   "
              "partial->addressed\n")
    for name, f in result["plans"].items():
        line(name, f, f["split"])
    for name, f in result["overall"].items():
        line(f"ALL ({name})", f)
    t = result["calibration"]["thresholds"]
    out.write(f"\nthresholds: addressed >= {t['addressed']:.3f}, partial >= {t['partial']:.3f}; "
              f"targets: safety 100%, recall >= 90%: {'MET' if result['meets_targets'] else 'NOT MET'}\n")
    for e in result["errors"]:
        out.write(f"  {e['plan']}: {e['duty_id']} expected {e['expected']}, reported {e['reported']} ({e['score']})\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calibrate", action="store_true", help="refit and write assistant/coverage_calibration.json")
    ap.add_argument("--index", type=Path, help="an index that holds the shipped corpus (default: a fresh temporary one)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)

    from assistant import privacy
    from assistant.config import Settings
    from assistant.service import JfpService

    privacy.apply()
    with tempfile.TemporaryDirectory(prefix="jfp-coverage-eval-") as tmp:
        service = JfpService(Settings(index_dir=args.index or Path(tmp)))
        if not service.sources():
            service.ingest()
        result = evaluate(service, recalibrate=args.calibrate, write=args.calibrate)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)
    return 0 if result["meets_targets"] else 1


if __name__ == "__main__":
    sys.exit(main())
