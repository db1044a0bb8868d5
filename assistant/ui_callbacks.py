"""The web UI's callbacks: each reads its inputs, calls ``JfpService`` (the same service the CLI
calls) and formats the result with ``assistant.ui_format``. Errors become plain messages
(``JfpError.message``), never tracebacks. Per-session state is a plain dict kept in ``gr.State``.
"""

from __future__ import annotations

import functools
import inspect
import logging
from pathlib import Path

import gradio as gr

from assistant import ui_format as fmt
from assistant.config import Settings
from assistant.errors import InputError, JfpError, NotBuiltError
from assistant.ui_files import Outbox, is_inside, store_upload

log = logging.getLogger(__name__)

ANY = ""  # the "no filter" choice in dropdowns
WHOLE_PLAN = "__plan__"
KINDS = ["other", "strategy", "icb_plan", "icb_paper", "guidance", "briefing", "commentary"]
EXAMPLES = ["What must the joint forward plan say about climate change?",
            "How should the plan show it will reduce health inequalities?",
            "When must the plan be refreshed and published?"]
UNAVAILABLE = {"draft": "Drafting is not available in this version of jfp-assistant yet.",
               "check": "Checking a plan is not available in this version of jfp-assistant yet."}


def offer(path: Path | None):
    """A download button showing ``path``, or hidden when there is nothing to download."""
    return gr.update(value=str(path) if path else None, visible=path is not None)


def new_session() -> dict:
    return {"questions": [], "records": {}}


def friendly(outputs: int, at: int = 0):
    """Wrap a callback so that any error becomes a plain message in output ``at`` (others unchanged)."""

    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except JfpError as exc:
                message = exc.message
            except Exception as exc:  # a bug: say so plainly, log the traceback
                log.exception("UI callback %s failed", fn.__name__)
                message = (f"Something went wrong inside jfp-assistant ({exc.__class__.__name__}: {exc}). "
                           "Try again; if it persists, report it with the server log.")
            result = [gr.skip()] * outputs
            result[at] = fmt.error_html(message)
            return tuple(result) if outputs > 1 else result[0]

        return wrapper

    return deco


class Callbacks:
    """Every UI action, each a few lines calling the service."""

    def __init__(self, service, settings: Settings, outbox: Outbox) -> None:
        self.service, self.settings, self.outbox = service, settings, outbox
        self.uploads = Path(settings.index_dir) / "uploads"

    # --- shared ----------------------------------------------------------------------------------
    def _texts(self, citations, retrieved=()) -> dict[str, str | None]:
        texts = {s.chunk.chunk_id: s.chunk.text for s in retrieved}
        for c in citations:
            cid = c["chunk_id"] if isinstance(c, dict) else c.chunk_id
            if cid and cid not in texts:
                texts[cid] = self.service.chunk_text(cid)
        return texts

    def doc_choices(self) -> list[tuple[str, str]]:
        return [(f"{d.title} ({d.source})", d.doc_id) for d in self.service.sources()]

    # --- Ask -------------------------------------------------------------------------------------
    def echo(self, question: str, chat: list):
        """Show the question at once and clear the box; the answer follows."""
        if not (question or "").strip():
            raise gr.Error("Please type a question.", print_exception=False)
        return [*chat, {"role": "user", "content": fmt.answer_markdown(question)}], "", question

    def answer(self, question: str, duty: str, doc_id: str, chat: list, session: dict):
        chat, session = list(chat), dict(session)
        try:
            a = self.service.ask(question, duty=duty or None, doc_id=doc_id or None, history=session["questions"])
        except JfpError as exc:
            chat.append({"role": "assistant", "content": fmt.answer_markdown(exc.message)})
            return chat, session, fmt.error_html(exc.message), "", gr.skip()
        cites = [c.to_json() for c in a.citations]
        panel = fmt.evidence_html(a.question, a.abstained, cites, self._texts(cites, a.retrieved), a.notices, a.backend)
        text = ("**Not in the sources.** " if a.abstained else "") + fmt.answer_markdown(a.answer)
        chat.append({"role": "assistant", "content": text})
        export = fmt.answer_export(a.question, a.answer, a.abstained, cites)
        session["questions"] = [*session["questions"], a.question]
        session["records"] = {**session["records"], len(chat) - 1: {"panel": panel, "export": export}}
        return chat, session, panel, export, self.outbox.write("jfp-answer.md", export)

    def select_message(self, session: dict, evt: gr.SelectData):
        idx = evt.index if isinstance(evt.index, int) else evt.index[0]
        record = session["records"].get(idx) or session["records"].get(idx + 1)
        if not record:
            return gr.skip(), gr.skip(), gr.skip()
        return record["panel"], record["export"], self.outbox.write("jfp-answer.md", record["export"])

    def new_chat(self):
        return [], new_session(), fmt.empty_evidence(), "", None

    # --- Requirements ----------------------------------------------------------------------------
    @friendly(1)
    def requirements(self, duty_id: str):
        if not duty_id:
            raise InputError("Choose a duty first.")
        r = self.service.requirements(duty_id).to_json()
        return fmt.requirements_html(r, self._texts([q["citation"] for q in r["requirements"]]))

    # --- Draft -----------------------------------------------------------------------------------
    @friendly(4, at=1)
    def draft(self, duty_id: str, progress=gr.Progress()):
        if not duty_id:
            raise InputError("Choose a duty, or the whole plan, first.")
        whole = duty_id == WHOLE_PLAN
        try:
            from assistant import export

            if whole:
                plan = self.service.draft_plan(**_progress_kw(self.service.draft_plan, DutyProgress(progress, len(self.service.duties()))))
            else:
                progress(0.1, desc="Drafting from the sources")
                d = self.service.draft(duty_id)
        except (ImportError, NotBuiltError) as exc:
            log.info("drafting unavailable: %s", exc)
            return "", fmt.info_html(UNAVAILABLE["draft"]), offer(None), offer(None)
        folder = self.outbox.folder()
        if whole:
            md, docx = folder / "jfp-plan.md", folder / "jfp-plan.docx"
            md.write_text(export.plan_to_markdown(plan), encoding="utf-8")
            export.plan_to_docx(plan, docx)
            summary = fmt.info_html(f"{len(plan.sections)} sections drafted, {plan.placeholders} placeholders to fill. "
                                    "Each section lists its sources; download the Word file to edit it.")
            return fmt.highlight_placeholders(export.plan_to_markdown(plan)), summary, offer(md), offer(docx)
        md, docx = folder / f"jfp-draft-{duty_id}.md", folder / f"jfp-draft-{duty_id}.docx"
        md.write_text(export.draft_to_markdown(d), encoding="utf-8")
        export.draft_to_docx(d, docx)
        data = d.to_json()
        notes = "".join(fmt.info_html(n) for n in data.get("notices") or [])
        return (fmt.draft_markdown(data), notes + fmt.draft_citations_html(data["citations"], self._texts(data["citations"])),
                offer(md), offer(docx))

    # --- Check -----------------------------------------------------------------------------------
    @friendly(3, at=0)
    def check(self, plan_file: str | None, progress=gr.Progress()):
        if not plan_file:
            raise InputError("Choose a draft plan to check first (PDF, Word, HTML, Markdown or text).")
        path = store_upload(Path(plan_file), Path(plan_file).name, self.outbox.folder(), self.settings.upload_max_mb)
        try:
            report = self.service.check(path, progress=ProgressBridge(progress, "Checking"))
        except (ImportError, NotBuiltError) as exc:
            log.info("checking unavailable: %s", exc)
            return fmt.info_html(UNAVAILABLE["check"]), offer(None), offer(None)
        csv_file, docx_file = self._check_files(report, path.stem)
        return fmt.coverage_html(report.to_json()), offer(csv_file), offer(docx_file)

    def _check_files(self, report, stem: str) -> tuple[Path | None, Path | None]:
        try:
            from assistant import coverage_export
        except ImportError:
            return None, None
        folder = self.outbox.folder()
        csv, docx = folder / f"{stem}-coverage.csv", folder / f"{stem}-coverage.docx"
        coverage_export.write_csv(report, csv)
        coverage_export.write_docx(report, docx)
        return csv, docx

    # --- Library ---------------------------------------------------------------------------------
    def library(self):
        docs = self.service.sources()
        choices = [(f"{d.title} ({d.source})", d.doc_id) for d in docs]
        return (fmt.library_html(docs), gr.update(choices=choices, value=None),
                gr.update(choices=[("All documents", ANY), *choices]))

    @friendly(3)
    def upload(self, files: list[str] | None, kind: str, progress=gr.Progress()):
        if not files:
            raise InputError("Choose one or more files to add first.")
        rows = []
        for i, f in enumerate(files):
            name = Path(f).name
            try:
                dest = store_upload(Path(f), name, self.uploads, self.settings.upload_max_mb)
                r = self.service.ingest([dest], kind=kind or None, progress=ProgressBridge(progress, "Adding", i, len(files)))
            except JfpError as exc:
                rows.append([name, "not added", exc.message])
                continue
            rows.append(ingest_row(name, r))
        ok = sum(1 for r in rows if r[1] != "not added")
        status = fmt.info_html(f"{ok} of {len(rows)} file{'s' if len(rows) != 1 else ''} added to the library.")
        return status, fmt.results_html(rows), None

    @friendly(1)
    def remove(self, doc_id: str | None):
        if not doc_id:
            raise InputError("Choose a document to remove first.")
        record = next((d for d in self.service.sources() if d.doc_id == doc_id), None)
        n = self.service.remove(doc_id)
        if record and record.path and is_inside(record.path, self.uploads):
            Path(record.path).unlink(missing_ok=True)  # our own copy of an upload
        title = record.title if record else doc_id
        return fmt.info_html(f"Removed '{title}' ({n} passages) from the library.")

    @friendly(1)
    def ingest_corpus(self, progress=gr.Progress()):
        r = self.service.ingest(None, progress=ProgressBridge(progress, "Indexing"))
        failed = "; ".join(f"{Path(f.path).name}: {f.error}" for f in r.failed)
        return fmt.info_html(f"Shipped guidance: {r.added} added, {r.updated} updated, {r.unchanged} unchanged. "
                             f"The library holds {r.documents} documents." + (f" Not added: {failed}" if failed else ""))


def _progress_kw(fn, progress) -> dict:
    """Pass a progress callback only to service methods that take one."""
    return {"progress": progress} if "progress" in inspect.signature(fn).parameters else {}


class DutyProgress:
    """Whole-plan drafting reports each duty as it starts: show 'Drafting <duty> (3 of 24)'."""

    def __init__(self, progress, total: int) -> None:
        self.progress, self.n, self.total = progress, 0, max(total, 1)

    def __call__(self, duty) -> None:
        self.n += 1
        self.progress(min((self.n - 1) / self.total, 1.0),
                      desc=f"Drafting {getattr(duty, 'title', duty)} ({self.n} of {self.total})")


def ingest_row(name: str, report) -> list[str]:
    if report.failed:
        return [name, "not added", "; ".join(f.error for f in report.failed)]
    if report.added:
        return [name, "added", "indexed and ready to cite"]
    if report.updated:
        return [name, "updated", "replaced the earlier version with the same name"]
    return [name, "unchanged", "already in the library: nothing to do"]


class ProgressBridge:
    """Turns the service's progress events (files / file / chunks) into a Gradio progress bar."""

    def __init__(self, progress, verb: str, offset: int = 0, of: int = 1) -> None:
        self.progress, self.verb, self.offset, self.of = progress, verb, offset, max(of, 1)
        self.total, self.done, self.name = 1, -1, ""

    def _show(self, within: float, desc: str) -> None:
        self.progress(min((self.offset + within) / self.of, 1.0), desc=desc)

    def __call__(self, event: str, detail: dict) -> None:
        detail = detail or {}
        if event == "files":
            self.total = max(int(detail.get("total") or 1), 1)
        elif event == "file":
            self.done, self.name = self.done + 1, str(detail.get("name") or "")
            self._show(self.done / self.total, f"{self.verb} {self.name}")
        elif "done" in detail and detail.get("total"):
            done, total = int(detail["done"]), int(detail["total"])
            label = detail.get("name") or self.name
            desc = (f"{self.verb} {label}: {done} of {total} passages" if event == "chunks"
                    else f"{self.verb}: {label} ({done} of {total})")
            self._show((max(self.done, 0) + done / total) / self.total, desc)
