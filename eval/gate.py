"""The quality gate: figures on the gold splits must not fall below min(target, best so far).

``eval/gate.json`` holds the targets (from the Ask issue) and the ratchet: the best figures the
product has reached on each split. A figure the issue sets no target for (the key points covered in
an answer's first 100 words) is held at its best so far. The ratchet only rises: ``python -m eval.gate --update``
records new figures where they are higher and never lowers one. The test suite runs
``check()``, which fails on any metric below its bar.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from eval.harness import load_gold, run_eval

GATE_FILE = Path(__file__).with_name("gate.json")
GOLD = Path(__file__).with_name("gold")
METRICS = {
    "hit_at_5": ("retrieval", "hit_at_5"),
    "mrr": ("retrieval", "mrr"),
    "keypoint_coverage": ("answer", "keypoint_coverage"),
    "lead_coverage": ("answer", "lead_coverage"),
    "citation_validity": ("citations", "validity"),
    "abstention_precision": ("abstention", "precision"),
    "abstention_recall": ("abstention", "recall"),
}
# CPU floating point differs slightly between machines; a figure this close to its bar passes.
TOLERANCE = 0.002


def figures(summary: dict) -> dict[str, float]:
    return {name: float(summary[a][b]) for name, (a, b) in METRICS.items()}


def measure(service, split: str) -> dict[str, float]:
    items = load_gold(GOLD / f"{split}.jsonl")
    res = run_eval(items, lambda q, d: service.ask(q), service.chunk_text, service.document_text, progress=False)
    return figures(res.summary())


def bars(split: str) -> dict[str, float]:
    gate = json.loads(GATE_FILE.read_text())
    best = gate["ratchet"].get(split, {})
    targets = gate["targets"]
    out = {}
    for m in METRICS:
        target = targets.get(m)
        out[m] = best.get(m, 0.0) if target is None else min(target, best.get(m, target))
    return out


def check(measured: dict[str, float], split: str) -> list[str]:
    """Plain-English failures (empty when the gate passes)."""
    return [f"{split}: {m} is {measured[m]:.4f}, below its bar {bar:.4f}"
            for m, bar in bars(split).items() if measured[m] < bar - TOLERANCE]


def update(measured: dict[str, float], split: str) -> dict[str, float]:
    gate = json.loads(GATE_FILE.read_text())
    best = gate["ratchet"].setdefault(split, {})
    for m, v in measured.items():
        best[m] = round(max(v, best.get(m, 0.0)), 4)
    GATE_FILE.write_text(json.dumps(gate, indent=2) + "\n")
    return best


def main() -> None:
    from assistant.config import Settings
    from assistant.service import JfpService

    ap = argparse.ArgumentParser(description="Run the quality gate on the gold splits.")
    ap.add_argument("--update", action="store_true", help="raise the ratchet where the figures are higher")
    ap.add_argument("--index", default=None)
    args = ap.parse_args()
    svc = JfpService(Settings(**({"index_dir": args.index} if args.index else {})))
    if not svc.manifest.doc_ids():
        svc.ingest()
    failures = []
    for split in ("dev", "heldout"):
        measured = measure(svc, split)
        print(split, json.dumps(measured))
        failures += check(measured, split)
        if args.update:
            print("ratchet", split, update(measured, split))
    for f in failures:
        print("FAIL", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
