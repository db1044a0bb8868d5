"""Fit the abstention threshold on the dev gold split (never on the held-out split).

For every dev question the product computes its confidence (see assistant/answerability.py) and
whether the answer-type checks already abstain; the threshold is the value, on a grid, with the
best abstention F1 (ties: the lowest threshold, so in-scope questions are answered). The result
and the figures it was fitted on go to assistant/calibration.json.

    python -m eval.calibrate [--gold eval/gold/dev.jsonl] [--index DIR]
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import numpy as np

from assistant.answer import CALIBRATION_FILE
from assistant.config import Settings
from assistant.service import JfpService
from eval.harness import DEFAULT_GOLD, load_gold


def _shown(path: str) -> str:
    """The gold file as a path relative to the project, so the record does not name one machine."""
    p = Path(path).resolve()
    root = Path(__file__).resolve().parents[1]
    return str(p.relative_to(root)) if p.is_relative_to(root) else p.name


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", default=str(DEFAULT_GOLD))
    ap.add_argument("--index", default=None)
    args = ap.parse_args()
    svc = JfpService(Settings(**({"index_dir": args.index} if args.index else {})))
    if not svc.manifest.doc_ids():
        svc.ingest()
    svc.answers.threshold = 0.0  # measure every question's confidence
    rows = []
    for item in load_gold(args.gold):
        ans = svc.ask(item.question)
        conf = float(ans.notices[-1].split()[1]) if ans.abstained and ans.notices[-1].startswith("confidence") else None
        if conf is None:
            qv = svc.embedder.embed_query(svc.expand(item.question))
            res = list(ans.retrieved)
            picks = svc.answers.extractive.select(svc.expand(item.question), res, qv, duties=ans.duty_ids)
            conf = svc.answers.evidence(picks, res).confidence
        rows.append((item.out_of_scope, conf, ans.abstained))
    best = None
    for t in np.arange(0.20, 0.70, 0.005):
        tp = sum(1 for oos, c, rule in rows if oos and (c < t or rule))
        fp = sum(1 for oos, c, rule in rows if not oos and (c < t or rule))
        fn = sum(1 for oos, c, rule in rows if oos and not (c < t or rule))
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if best is None or f1 > best[0] + 1e-9:
            best = (f1, float(round(t, 3)), p, r)
    f1, t, p, r = best
    CALIBRATION_FILE.write_text(json.dumps({
        "abstain_threshold": t, "fitted_on": _shown(args.gold), "date": date.today().isoformat(),
        "n": len(rows), "f1": round(f1, 4), "precision": round(p, 4), "recall": round(r, 4),
    }, indent=2) + "\n")
    print(f"threshold {t} (F1 {f1:.3f}, precision {p:.3f}, recall {r:.3f} on {len(rows)} items) -> {CALIBRATION_FILE}")


if __name__ == "__main__":
    main()
