"""jfp check."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from assistant.cli import JsonOpt, app, command, emit_json, err, out, progress_bar, state

_STYLE = {"addressed": "green", "partial": "yellow", "missing": "red"}


class _Bar:
    """One progress bar on stderr that follows the check's phases: guidance, plan, duties."""

    def __init__(self, enabled: bool) -> None:
        self.p = progress_bar(enabled)
        self.task = None
        self.phase = ""

    def __enter__(self):
        self.p.__enter__()
        return self

    def __exit__(self, *exc):
        self.p.__exit__(*exc)

    def __call__(self, event: str, detail: dict) -> None:
        if "total" not in detail:
            return
        label = {"guidance": "Reading the guidance", "embedding": str(detail.get("name", "Reading the plan")),
                 "duties": "Checking duties"}.get(event, event)
        if self.task is None or event != self.phase:
            if self.task is not None:
                self.p.remove_task(self.task)
            self.task = self.p.add_task(label, total=detail["total"])
            self.phase = event
        self.p.update(self.task, completed=detail["done"], total=detail["total"])


@app.command(epilog="Examples: jfp check draft-plan.pdf  |  jfp check plan.docx --format docx -o coverage.docx  |  "
                    "jfp check plan.md -o coverage.csv  |  jfp check plan.md --format csv > coverage.csv")
@command
def check(
    plan_file: Path = typer.Argument(..., help="The draft plan (PDF, Word, HTML, Markdown or text)."),
    fmt: Optional[str] = typer.Option(None, "--format", help="md, csv or docx. With -o, optional: the file's suffix "
                                      "says it (the two must agree). Without -o, md or csv prints that report "
                                      "instead of the table."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write the report to this file, ending in "
                                          ".md, .csv or .docx (or give --format for a file with no suffix)."),
    as_json: bool = JsonOpt,
) -> None:
    """Check a draft plan against every statutory duty and content area: addressed, partial or missing.

    The plan is read in memory and never added to the index. Each duty gets a status, a score, the
    plan's best evidence (page, section, quote) and what the guidance asks for.
    """
    from assistant import coverage_export

    kind = coverage_export.infer_format(output, fmt)  # a bad format fails before the slow part
    svc = state.service()
    with _Bar(enabled=err.is_terminal) as bar:
        report = svc.check(plan_file, progress=bar)
    if output is not None:
        written = coverage_export.write(report, output, kind)
        if not as_json:
            counts = report.counts()
            out.print(f"Wrote {written} ({counts['addressed']} addressed, {counts['partial']} partial, "
                      f"{counts['missing']} missing).")
    if as_json:
        emit_json(report.to_json())
    elif output is None and fmt is None:
        _print_table(report)
    elif output is None:  # --format md or csv: the report itself, for a pipe or a redirect
        text = coverage_export.to_csv(report) if kind == "csv" else coverage_export.to_markdown(report)
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()


def _print_table(report) -> None:
    t = Table("duty or content area", "status", "score", "best evidence in the plan", title=f"Coverage: {report.plan}",
              show_lines=False)
    for r in report.duties:
        best = r.evidence[0] if r.evidence else None
        where = ", ".join(x for x in (f"p.{best.page}" if best and best.page else "", best.section if best else "") if x)
        quote = f"“{best.quote[:160]}{'…' if len(best.quote) > 160 else ''}” [dim]({where})[/]" if best else "[dim]nothing found[/]"
        t.add_row(r.title, f"[{_STYLE[r.status]}]{r.status}[/]", f"{r.score:.2f}", quote)
    out.print(t)
    c = report.counts()
    out.print(f"{c['addressed']} addressed, {c['partial']} partial, {c['missing']} missing. "
              "Use -o report.md, .csv or .docx for the evidence and what the guidance asks for each duty.")
