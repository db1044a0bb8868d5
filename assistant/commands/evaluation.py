"""jfp eval / ui."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from assistant.cli import JsonOpt, app, command, emit_json, err, out, state
from assistant.config import PROJECT_ROOT

DEFAULT_GOLD = PROJECT_ROOT / "eval" / "gold" / "dev.jsonl"
SHIPPED_REPORT = PROJECT_ROOT / "eval" / "reports" / "latest.md"


def default_report_path(gold: Path | None, index_dir: Path) -> Path:
    """The project's own report for its dev set; for any other gold set a report in the index folder,
    named after the gold file, so a run on your questions never overwrites the shipped dev report."""
    if gold is None or gold.resolve() == DEFAULT_GOLD.resolve():
        return SHIPPED_REPORT
    return index_dir / "reports" / f"{gold.stem}.md"


@app.command("eval", epilog="Examples: jfp eval  |  jfp eval --gold my-questions.jsonl --out answers.jsonl --json  |  jfp eval --baselines")
@command
def eval_(
    gold: Optional[Path] = typer.Option(None, "--gold", help="A gold set in JSON Lines (default: eval/gold/dev.jsonl)."),
    out_file: Optional[Path] = typer.Option(None, "--out", help="Write one JSON line per gold item."),
    baselines: bool = typer.Option(False, "--baselines", help="Also run the BM25-only and dense-only (LangChain recipe) baselines."),
    report: Optional[Path] = typer.Option(
        None, "--report",
        help="Write a Markdown report (default: eval/reports/latest.md for the dev set, else reports/GOLD.md "
             "in the index folder, GOLD being the gold file's name without its extension)."),
    as_json: bool = JsonOpt,
) -> None:
    """Score the assistant on a gold set: retrieval, key-point coverage, citations, abstention."""
    from eval.baselines import assistant_system, bm25_system, dense_langchain_system
    from eval.harness import load_gold, run_eval
    from eval.report import compare, intervals, write_report

    items = load_gold(gold or DEFAULT_GOLD)
    svc = state.service()
    if not svc.manifest.doc_ids():
        svc.ingest()
    systems = [assistant_system(svc)]
    if baselines:
        systems += [bm25_system(svc), dense_langchain_system(svc)]
    results = {}
    for s in systems:
        results[s.name] = run_eval(items, s.ask, s.chunk_text, s.doc_text, progress=err.is_terminal)
    main = results["assistant"]
    if out_file:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        with out_file.open("w", encoding="utf-8") as fh:
            for row in main.rows():
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    report_path = report or default_report_path(gold, svc.settings.index_dir)
    try:
        write_report(results, report_path, note=f"Gold set: `{_shown(gold or DEFAULT_GOLD)}` ({len(items)} items).")
    except OSError as exc:
        err.print(f"could not write the report to {report_path}: {exc}")
    if as_json:
        doc = main.summary()
        if baselines:
            doc["baselines"] = {name: r.summary() for name, r in results.items() if name != "assistant"}
        emit_json(doc)
    else:
        out.print(compare(results), markup=False, soft_wrap=True)
        spread = intervals(results)
        if spread:
            out.print(f"\n{spread}", markup=False, soft_wrap=True)
        out.print(f"\nreport: {report_path}", markup=False, soft_wrap=True)  # a path on one line, to copy


@app.command(epilog="Example: jfp ui --port 7860")
@command
def ui(
    host: Optional[str] = typer.Option(None, help="Interface to bind (default 127.0.0.1)."),
    port: Optional[int] = typer.Option(None, help="Port (default 7860)."),
) -> None:
    """Serve the web app for planners, authors and governance staff."""
    from assistant.ui import serve

    svc = state.service()
    served = serve(svc, svc.settings, host, port, block=False)
    out.print(f"jfp-assistant is running at {served.url}  (open it in your browser; Ctrl+C to stop)", markup=False)
    served.demo.block_thread()


def _shown(path: Path) -> str:
    """A gold set's path as a reader of the report can use it: relative to the project (the shipped
    sets) or to the current folder when it is under either, else as given."""
    resolved = Path(path).resolve()
    for base in (PROJECT_ROOT.resolve(), Path.cwd().resolve()):
        if resolved.is_relative_to(base):
            return resolved.relative_to(base).as_posix()
    return str(path)
