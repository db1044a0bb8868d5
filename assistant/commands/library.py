"""jfp duties / ingest / sources / remove."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Column, Table

from assistant.cli import JsonOpt, app, command, emit_json, err, out, progress_bar, state
from assistant.duties import all_duties


@app.command(epilog="Example: jfp duties --json")
@command
def duties(as_json: bool = JsonOpt) -> None:
    """List the statutory duties and content areas a joint forward plan must cover."""
    rows = [d.to_json() for d in all_duties()]
    if as_json:
        emit_json(rows)
        return
    t = Table("id", "title", "kind", "statutory basis", show_lines=False)
    for d in rows:
        t.add_row(d["id"], d["title"], d["kind"].replace("_", " "), d["statutory_basis"])
    out.print(t)


class _Bars:
    """Per-file and overall progress bars on stderr, fed by the ingest pipeline's events."""

    def __init__(self, enabled: bool) -> None:
        self.p = progress_bar(enabled)
        self.overall = None
        self.file = None

    def __enter__(self):
        self.p.__enter__()
        return self

    def __exit__(self, *exc):
        self.p.__exit__(*exc)

    def __call__(self, event: str, detail: dict) -> None:
        if event == "files":
            self.overall = self.p.add_task("documents", total=detail["total"])
        elif event == "file":
            if self.file is not None:
                self.p.remove_task(self.file)
            self.file = self.p.add_task(f"  {detail['name'][:40]}", total=None)
            if self.overall is not None:
                self.p.advance(self.overall)
        elif event == "chunks" and self.file is not None:
            self.p.update(self.file, completed=detail["done"], total=detail["total"])


@app.command(epilog="Examples: jfp ingest  |  jfp ingest ~/plans/strategy.pdf board-papers/ --json")
@command
def ingest(
    paths: Optional[list[Path]] = typer.Argument(None, help="Files or folders. None: the shipped corpus."),
    kind: Optional[str] = typer.Option(None, help="Kind for documents without provenance (e.g. strategy, icb_plan)."),
    as_json: bool = JsonOpt,
) -> None:
    """Add documents (PDF, Word, HTML, Markdown, text) to the index. Unchanged files are skipped."""
    svc = state.service()
    with _Bars(enabled=err.is_terminal) as bars:
        report = svc.ingest(paths or None, kind=kind, progress=bars)
    if as_json:
        emit_json(report.to_json())
    else:
        out.print(f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, removed {report.removed}; "
                  f"index holds {report.documents} documents, {report.chunks} chunks.")
        for f in report.failed:
            err.print(f"[red]failed[/] {f.path}: {f.error}", markup=True)
    if report.failed:
        raise typer.Exit(1)


@app.command(epilog="Example: jfp sources --json")
@command
def sources(as_json: bool = JsonOpt) -> None:
    """List the indexed documents."""
    docs = state.service().sources()
    if as_json:
        emit_json([d.to_json() for d in docs])
        return
    t = Table("title", "publisher", "kind", "pages", "chunks", "source")
    # whole, never cut to "8184f204…": the id is what 'jfp remove' and 'jfp ask --doc' take
    t.columns.insert(0, Column("doc_id", no_wrap=True, min_width=16))
    for d in docs:
        t.add_row(d.doc_id, d.title, d.publisher, d.kind, "" if d.pages is None else str(d.pages), str(d.chunks),
                  d.source)
    out.print(t)


@app.command(epilog="Example: jfp remove 3f2a9c0d1e2b4a5c")
@command
def remove(doc_id: str = typer.Argument(..., help="A doc_id from 'jfp sources'."), as_json: bool = JsonOpt) -> None:
    """Remove one document and its chunks from the index."""
    n = state.service().remove(doc_id)
    if as_json:
        emit_json({"removed": doc_id, "chunks": n})
    else:
        out.print(f"removed {doc_id} ({n} chunks)")
