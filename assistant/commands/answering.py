"""jfp ask / requirements."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.markdown import Markdown

from assistant.citations import collapse
from assistant.cli import JsonOpt, app, command, emit_json, err, out, state
from assistant.errors import InputError


def _read_history(path: Path | None) -> list[str]:
    """Previous questions: a JSON list of strings or of {"role","content"} turns, or one question a line."""
    if path is None:
        return []
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"Could not read the history file '{path}': {exc.strerror or exc}.") from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        return [line.strip() for line in raw.splitlines() if line.strip()]
    if isinstance(data, list):
        turns = []
        for t in data:
            if isinstance(t, str):
                turns.append(t)
            elif isinstance(t, dict) and t.get("role", "user") == "user" and t.get("content"):
                turns.append(str(t["content"]))
        return turns
    raise InputError("The history file must be a JSON list of earlier questions, or one question per line.")


@app.command(epilog='Example: jfp ask "What must the plan say about patient choice?" --duty patient_choice --json')
@command
def ask(
    question: str = typer.Argument(..., help="Your question, in plain English."),
    duty: Optional[str] = typer.Option(None, help="Focus on one duty id (see 'jfp duties')."),
    k: Optional[int] = typer.Option(None, "--k", help="How many passages to retrieve (default 8)."),
    history: Optional[Path] = typer.Option(None, "--history", help="Earlier questions for a follow-up (JSON list or one per line)."),
    doc: Optional[str] = typer.Option(None, "--doc", help="Only search this doc_id."),
    kind: Optional[str] = typer.Option(None, "--kind", help="Only search documents of this kind (guidance, icb_plan...)."),
    as_json: bool = JsonOpt,
) -> None:
    """Answer a question from the indexed sources, every sentence cited."""
    ans = state.service().ask(question, duty=duty, k=k, history=_read_history(history), doc_id=doc, kind=kind)
    if as_json:
        emit_json(ans.to_json())
        return
    for n in ans.notices:
        err.print(f"[yellow]note:[/] {n}", markup=True)
    out.print(Markdown(ans.answer))
    out.print()
    for c in ans.citations:
        where = c.title + (f", p.{c.page}" if c.page else "") + (f" — {c.section}" if c.section else "")
        out.print(f"[{c.n}] {where}\n    “{collapse(c.quote)}”", markup=False)


@app.command(epilog="Example: jfp requirements climate_change --json")
@command
def requirements(
    duty_id: str = typer.Argument(..., help="A duty id (see 'jfp duties')."),
    limit: Optional[int] = typer.Option(None, "--limit", help="How many requirements to list, closest first (default 18)."),
    as_json: bool = JsonOpt,
) -> None:
    """What the guidance requires for one duty, verbatim, with must/should/may and citations."""
    res = state.service().requirements(duty_id, limit=limit)
    if as_json:
        emit_json(res.to_json())
        return
    out.print(f"{res.title} ({res.statutory_basis})\n", markup=False)
    current = None
    for r in res.requirements:
        if r.citation.title != current:
            current = r.citation.title
            out.print(f"\n{current}", style="bold", markup=False)
        where = f"p.{r.citation.page}, " if r.citation.page else ""
        out.print(f"  [{r.strength.upper()}] {r.text}  ({where}{r.citation.section})", markup=False)
        if r.lead_in:  # an item of a list: what it completes
            out.print(f"      in the list: \u201c{r.lead_in}\u201d", style="dim", markup=False)
    if res.more:
        shown = len(res.requirements)
        out.print(f"\nThese are the {shown} closest to the duty; {res.more} more {'was' if res.more == 1 else 'were'} found. "
                  f"'jfp requirements {res.duty.id} --limit 200' lists them all.", markup=False)
