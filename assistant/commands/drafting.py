"""jfp draft."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from assistant.cli import JsonOpt, app, command, emit_json, err, progress_bar, state
from assistant.errors import InputError
from assistant.formats import choose_format

FORMATS = ("md", "docx")


def _notices(notices) -> None:
    for n in dict.fromkeys(notices):
        err.print(f"[yellow]note:[/] {n}", markup=True)


@app.command(epilog="Examples: jfp draft climate_change  |  jfp draft inequalities --format docx -o inequalities.docx  |  jfp draft --all -o plan.docx")
@command
def draft(
    duty_id: Optional[str] = typer.Argument(None, help="A duty id (see 'jfp duties')."),
    all_duties: bool = typer.Option(False, "--all", help="Draft the whole plan: one section per duty and content area."),
    fmt: Optional[str] = typer.Option(None, "--format", help="md or docx (default md). With -o, optional: the file's "
                                      "suffix says it (the two must agree); docx needs -o."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write the draft to this file, ending in .md "
                                          "or .docx (or give --format for a file with no suffix)."),
    as_json: bool = JsonOpt,
) -> None:
    """Draft a plan section for a duty, grounded in the guidance and your own documents, with citations.

    Every statement is quoted from, or checked against, a cited source; where your documents hold no
    local fact (a target, a date, a named lead) the draft says [TO CONFIRM: ...] instead.
    """
    from assistant import export

    if all_duties and duty_id:
        raise InputError("Give either a duty id or --all, not both.")
    if not all_duties and not duty_id:
        raise InputError("Say what to draft: 'jfp draft DUTY_ID' for one section (run 'jfp duties' for the ids), "
                         "or 'jfp draft --all -o plan.docx' for the whole plan.")
    kind = choose_format(output, fmt, FORMATS, "md", what="a draft")  # a bad format fails before the slow part
    svc = state.service()
    if all_duties:
        with progress_bar() as bar:
            task = bar.add_task("drafting", total=len(svc.duties()))
            started = [0]

            def advance(duty) -> None:  # called as each section starts
                bar.update(task, description=f"drafting {duty.id}", completed=started[0])
                started[0] += 1

            result = svc.draft_plan(progress=advance)
            bar.update(task, completed=started[0])
        _notices(n for d in result.sections for n in d.notices)
        payload = {**result.to_json(), "path": None}
        markdown = export.plan_to_markdown(result)
        write_docx = export.plan_to_docx
        citations = sum(len(d.citations) for d in result.sections)
    else:
        result = svc.draft(duty_id)
        _notices(result.notices)
        payload = result.to_json()
        markdown = export.draft_to_markdown(result)
        write_docx = export.draft_to_docx
        citations = len(result.citations)
    if output is not None:
        if kind == "docx":
            path = write_docx(result, output)
        else:
            path = Path(output)
            try:
                path.write_text(markdown, encoding="utf-8")
            except OSError as exc:
                raise InputError(f"Could not write '{path}': {exc.strerror or exc}.") from exc
        payload["path"] = str(path)
        err.print(f"Draft written to {path} ({citations} citations, {result.placeholders} placeholders to confirm).",
                  markup=False)
    if as_json:
        emit_json(payload)
    elif output is None:
        sys.stdout.write(markdown)
        sys.stdout.flush()
