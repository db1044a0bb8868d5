"""Fit the abstention threshold on the dev gold split (never on the held-out split).

For every dev question the product computes its confidence (see assistant/answerability.py) and
whether the answer-type checks already abstain; the threshold is the value, on a grid, with the
best abstention F1; where a run of thresholds ties, the middle of the lowest run (the widest margin
the dev questions allow on both sides). The threshold is fitted without the vocabulary check, which
gets its own cut: the share of a question's words unknown to the library above which it is refused,
half-way between the answerable dev questions and the out-of-scope ones above them all. The results
and the figures they were fitted on go to assistant/calibration.json.

    python -m eval.calibrate [--gold eval/gold/dev.jsonl] [--index DIR]
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import numpy as np

from assistant.answer import CALIBRATION_FILE
from assistant.answerability import unknown_words
from assistant.config import Settings
from assistant.service import JfpService
from eval.harness import DEFAULT_GOLD, load_gold


def _shown(path: str) -> str:
    """The gold file as a path relative to the project, so the record does not name one machine."""
    p = Path(path).resolve()
    root = Path(__file__).resolve().parents[1]
    return str(p.relative_to(root)) if p.is_relative_to(root) else p.name


def _f1(rows: list[tuple[bool, float, bool]], t: float) -> tuple[float, float, float]:
    """Abstention F1, precision and recall on ``rows`` (out of scope, confidence, a rule abstained) at threshold ``t``."""
    tp = sum(1 for oos, c, rule in rows if oos and (c < t or rule))
    fp = sum(1 for oos, c, rule in rows if not oos and (c < t or rule))
    fn = sum(1 for oos, c, rule in rows if oos and not (c < t or rule))
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return (2 * p * r / (p + r) if p + r else 0.0), p, r


def _fit_unknown_share(items, weights) -> float:
    """The vocabulary cut: half-way between the highest share of unknown words in an answerable dev
    question and the next share above it among the out-of-scope ones, so no answerable dev question
    is refused for its words (1.0, no check, when no out-of-scope question lies above them all)."""
    answerable = max((unknown_words(i.question, weights)[1] for i in items if not i.out_of_scope), default=0.0)
    above = [sh for i in items if i.out_of_scope and (sh := unknown_words(i.question, weights)[1]) > answerable]
    return round((answerable + min(above)) / 2, 3) if above else 1.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", default=str(DEFAULT_GOLD))
    ap.add_argument("--index", default=None)
    args = ap.parse_args()
    svc = JfpService(Settings(**({"index_dir": args.index} if args.index else {})))
    if not svc.manifest.doc_ids():
        svc.ingest()
    svc.answers.threshold = 0.0  # measure every question's confidence
    svc.answers.max_unknown_share = 1.0  # and fit the threshold on its own (the vocabulary check is fitted below)
    items = load_gold(args.gold)
    svc.retriever.refresh()
    share_cut = _fit_unknown_share(items, svc.retriever.term_weights)
    rows = []
    for item in items:
        ans = svc.ask(item.question)
        rows.append((item.out_of_scope, ans.confidence if ans.confidence is not None else 0.0, ans.abstained))
    grid = [float(round(t, 3)) for t in np.arange(0.20, 0.70, 0.005)]
    scored = [(t, *_f1(rows, t)) for t in grid]
    top = max(f1 for _, f1, _, _ in scored)
    # the thresholds that reach the best F1 form runs; take the middle of the lowest run, so the
    # threshold sits as far as the dev set allows from the questions on either side of it
    first = next(i for i, row in enumerate(scored) if row[1] >= top - 1e-9)
    last = first
    while last + 1 < len(scored) and scored[last + 1][1] >= top - 1e-9:
        last += 1
    t, f1, p, r = scored[(first + last) // 2]
    CALIBRATION_FILE.write_text(json.dumps({
        "abstain_threshold": t, "max_unknown_share": share_cut, "fitted_on": _shown(args.gold), "date": date.today().isoformat(),
        "n": len(rows), "f1": round(f1, 4), "precision": round(p, 4), "recall": round(r, 4),
    }, indent=2) + "\n")
    print(f"threshold {t} (F1 {f1:.3f}, precision {p:.3f}, recall {r:.3f} on {len(rows)} items) -> {CALIBRATION_FILE}")


if __name__ == "__main__":
    main()
