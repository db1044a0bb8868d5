"""Compare two evaluation runs item by item: is the change a gain, a loss, or chance?

    jfp eval --out before.jsonl          # on the code as it was
    jfp eval --out after.jsonl           # on the change
    python -m eval.compare_runs before.jsonl after.jsonl

For each figure it prints both means and the mean change with its 95% paired bootstrap interval
(``eval.uncertainty.paired_difference``) over the items both runs scored; an interval that holds 0 is
marked "within chance". Then it lists the items whose coverage changed, with the key points won and
lost. The files are the one-line-per-item output of ``jfp eval --out``; items are matched by id.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import InputError
from eval.uncertainty import Interval, paired_difference

FIGURES = ("keypoint_coverage", "lead_coverage", "reciprocal_rank", "hit_at_5", "citation_validity")


@dataclass(frozen=True)
class Change:
    figure: str
    before: float
    after: float
    difference: Interval
    n: int

    @property
    def within_chance(self) -> bool:
        return self.difference.contains(0.0)


def load_rows(path: str | Path) -> dict[str, dict[str, Any]]:
    """The rows of a ``jfp eval --out`` file, by gold item id."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"Cannot read the evaluation output {p}: {exc.strerror or exc}.") from exc
    rows: dict[str, dict[str, Any]] = {}
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{p}, line {n}: not JSON ({exc.msg}). Use the file 'jfp eval --out' writes.") from exc
        if not isinstance(row, dict) or "id" not in row:
            raise InputError(f"{p}, line {n}: no gold item id. Use the file 'jfp eval --out' writes.")
        rows[str(row["id"])] = row
    if not rows:
        raise InputError(f"{p} holds no evaluated items.")
    return rows


def changes(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]],
            figures: Sequence[str] = FIGURES) -> list[Change]:
    """The change in each figure over the items both runs scored (ids in both files)."""
    ids = [i for i in before if i in after]
    if not ids:
        raise InputError("The two runs share no gold item ids: compare runs of the same gold set.")
    out = []
    for f in figures:
        pairs = [(float(before[i][f]), float(after[i][f])) for i in ids
                 if before[i].get(f) is not None and after[i].get(f) is not None]
        if pairs:
            b, a = zip(*pairs, strict=True)
            out.append(Change(f, sum(b) / len(b), sum(a) / len(a), paired_difference(b, a), len(pairs)))
    return out


def changed_items(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]],
                  figure: str = "keypoint_coverage") -> list[tuple[str, float, float, list[str], list[str]]]:
    """``(id, before, after, key points won, key points lost)`` for each item whose ``figure`` changed."""
    out = []
    for i in before:
        if i not in after:
            continue
        b, a = before[i].get(figure), after[i].get(figure)
        if b is None or a is None or b == a:
            continue
        missed_b, missed_a = set(before[i].get("missed") or []), set(after[i].get("missed") or [])
        out.append((i, float(b), float(a), sorted(missed_b - missed_a), sorted(missed_a - missed_b)))
    return out


def render(found: Sequence[Change], items: Sequence[tuple[str, float, float, list[str], list[str]]]) -> str:
    lines = [f"{'figure':<18} {'before':>7} {'after':>7} {'change':>8}  95% interval of the change"]
    for c in found:
        d = c.difference
        verdict = ("unchanged" if d.low == d.high == 0 else "within chance" if c.within_chance
                   else "gain" if d.mean > 0 else "loss")
        lines.append(f"{c.figure:<18} {c.before:7.4f} {c.after:7.4f} {d.mean:+8.4f}  "
                     f"{d.low:+.4f} to {d.high:+.4f}  ({verdict}, {c.n} items)")
    lines.append("")
    lines.append(f"Items whose coverage changed: {len(items)}")
    for i, b, a, won, lost in items:
        lines.append(f"  {i}: {b:.3f} -> {a:.3f}" + (f"  won {won}" if won else "") + (f"  lost {lost}" if lost else ""))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.compare_runs", description=__doc__.split("\n\n")[0])
    ap.add_argument("before", help="'jfp eval --out' file of the run to compare against")
    ap.add_argument("after", help="'jfp eval --out' file of the changed run")
    args = ap.parse_args(argv)
    try:
        before, after = load_rows(args.before), load_rows(args.after)
        print(render(changes(before, after), changed_items(before, after)))
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
