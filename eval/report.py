"""Markdown views of evaluation results: a comparison table and a full report file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eval.harness import EvalResult

_COLUMNS = ("system", "n", "hit@5", "MRR", "key points retrieved", "coverage", "coverage, first 100 words", "citation validity", "faithfulness", "abstention P/R")


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _summary_of(result: EvalResult | Mapping[str, Any]) -> Mapping[str, Any]:
    return result.summary() if isinstance(result, EvalResult) else result


def compare(systems: Mapping[str, EvalResult | Mapping[str, Any]]) -> str:
    """A Markdown table, one row per system, of the headline figures.

    Each value is an :class:`EvalResult` or an already computed ``summary()`` dict (for example one
    saved from an earlier ``jfp eval --json``). Figures show 3 decimals; "—" means nothing was scored.
    """
    rows = []
    for name, result in systems.items():
        s = _summary_of(result)
        ab = s["abstention"]
        rows.append(
            (
                name,
                str(s["n"]),
                _fmt(s["retrieval"]["hit_at_5"]),
                _fmt(s["retrieval"]["mrr"]),
                _fmt(s["retrieval"].get("keypoint_recall")),  # absent from summaries saved before it existed
                _fmt(s["answer"]["keypoint_coverage"]),
                _fmt(s["answer"].get("lead_coverage")),  # absent from summaries saved before it existed
                _fmt(s["citations"]["validity"]),
                _fmt(s["answer"].get("faithfulness")),
                f"{_fmt(ab['precision'])} / {_fmt(ab['recall'])}",
            )
        )
    return _table(_COLUMNS, rows)


def intervals(systems: Mapping[str, EvalResult | Mapping[str, Any]]) -> str:
    """One line per system: coverage and MRR with their 95% bootstrap intervals over the gold items,
    so a difference between two runs can be read against what chance alone moves (``eval.uncertainty``;
    ``python -m eval.compare_runs`` compares two runs item by item). Empty for summaries saved before the
    intervals existed."""
    lines = []
    for name, result in systems.items():
        s = _summary_of(result)
        parts = []
        for label, figure, iv in (("coverage", s["answer"]["keypoint_coverage"], s["answer"].get("keypoint_coverage_interval")),
                                  ("MRR", s["retrieval"]["mrr"], s["retrieval"].get("mrr_interval"))):
            if figure is not None and iv:
                parts.append(f"{label} {_fmt(figure)} ({_fmt(iv[0])}-{_fmt(iv[1])})")
        if parts:
            lines.append(f"- {name}: {'; '.join(parts)}")
    if not lines:
        return ""
    return "95% intervals over the gold items (bootstrap; chance alone moves a figure this much):\n\n" + "\n".join(lines)


def _breakdown_table(label: str, groups: Mapping[str, Mapping[str, Any]]) -> str:
    header = (label, "n", "hit@5", "MRR", "coverage", "abstention accuracy")
    rows = [
        (
            key,
            str(g["n"]),
            _fmt(g["hit_at_5"]),
            _fmt(g["mrr"]),
            _fmt(g["keypoint_coverage"]),
            _fmt(g["abstention_accuracy"]),
        )
        for key, g in groups.items()
    ]
    return _table(header, rows)


def _system_section(result: EvalResult, level: str) -> list[str]:
    s = result.summary()
    out: list[str] = []
    backends = sorted({r.answer.backend for r in result.items})
    if backends:
        out += [f"Backend: {', '.join(backends)}.", ""]
    if s["per_duty"]:
        out += [f"{level} Per duty", "", _breakdown_table("duty", s["per_duty"]), ""]
    if s["per_kind"]:
        out += [f"{level} Per kind", "", _breakdown_table("kind", s["per_kind"]), ""]
    failed = result.failures()
    out += [f"{level} Failed items ({len(failed)} of {s['n']})", ""]
    if failed:
        rows = [(r.item.id, r.item.question, "; ".join(r.problems)) for r in failed]
        out += [_table(("id", "question", "what was missed"), rows), ""]
    else:
        out += ["None.", ""]
    return out


def write_report(
    results: EvalResult | Mapping[str, EvalResult],
    path: str | Path,
    title: str = "jfp-assistant evaluation",
    note: str = "",
) -> Path:
    """Write a Markdown report to ``path`` (parent folders are created) and return the path.

    ``results`` is one :class:`EvalResult` or a mapping of system name to result. The report holds
    the summary table (:func:`compare`), then for each system the per-duty and per-kind tables and
    the failed items with what each missed. ``note`` (for example the gold file and index used) is
    printed under the title.
    """
    systems = {"assistant": results} if isinstance(results, EvalResult) else dict(results)
    lines = [f"# {title}", ""]
    if note:
        lines += [note, ""]
    lines += [
        "## Summary",
        "",
        compare(systems),
        "",
    ]
    spread = intervals(systems)
    if spread:
        lines += [spread, ""]
    lines += [
        "Metric definitions: `eval/metrics.py`. Coverage counts key points in an answer's first 300 "
        "words; key points retrieved counts those found in any retrieved chunk, about the most an answer drawn "
        "from them could cover; citation validity checks each quote verbatim against its chunk and its document.",
        "",
    ]
    for name, result in systems.items():
        if len(systems) == 1:
            lines += _system_section(result, "##")
        else:
            lines += [f"## {name}", "", *_system_section(result, "###")]
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return target
