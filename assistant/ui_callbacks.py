"""The web UI's callbacks: each reads its inputs, calls ``JfpService`` (the same service the CLI
calls) and formats the result with ``assistant.ui_format``. Errors become plain messages
(``JfpError.message``), never tracebacks. Per-session state is a plain dict kept in ``gr.State``.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import logging
from pathlib import Path

import gradio as gr

from assistant import ui_format as fmt
from assistant.config import Settings
from assistant.errors import InputError, JfpError, NotBuiltError
from assistant.ui_files import Outbox, is_inside, portable_name, store_upload

log = logging.getLogger(__name__)

ANY = ""  # the "no filter" choice in dropdowns
WHOLE_PLAN = "__plan__"
KINDS = ["other", "strategy", "icb_plan", "icb_paper", "guidance", "briefing", "commentary"]
EXAMPLES = ["What must the joint forward plan say about climate change?",
            "How should the plan show it will reduce health inequalities?",
            "When must the plan be refreshed and published?"]
EMPTY_QUESTION = "Please type a question."
REMOVE = "Remove"  # the Remove button's label; after a first click it asks to confirm
DOC_GONE = ("The document chosen in the Document filter is no longer in the library, so the filter is back to "
            "All documents. Choose another document, or ask again to search them all.")
UNAVAILABLE = {"draft": "Drafting is not available in this version of jfp-assistant yet.",
               "check": "Checking a plan is not available in this version of jfp-assistant yet."}


def offer(path: Path | None):
    """A download button showing ``path``, or hidden when there is nothing to download."""
    return gr.update(value=str(path) if path else None, visible=path is not None)


def new_session() -> dict:
    return {"questions": [], "records": {}}


def friendly(outputs: int, at: int = 0, hide: tuple[int, ...] = (), empty: tuple[int, ...] = ()):
    """Wrap a callback so that any error becomes a plain message in output ``at``. The download buttons
    in ``hide`` are hidden and the outputs in ``empty`` emptied, so that nothing from an earlier run
    (another plan's report) is still offered beside the error; other outputs are unchanged."""

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
            for i in hide:
                result[i] = offer(None)
            for i in empty:
                result[i] = ""
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
        """Show the question at once and clear the box; the answer follows. An empty question gets a
        plain request for one in the evidence panel (a gr.Error here would cover the chat and box)."""
        if not (question or "").strip():
            return gr.skip(), gr.skip(), "", fmt.info_html(EMPTY_QUESTION)
        return [*chat, {"role": "user", "content": fmt.answer_markdown(question)}], "", question, gr.skip()

    def answer(self, question: str, duty: str, doc_id: str, chat: list, session: dict):
        """Outputs: chat, session, evidence, export text, export download, Document filter."""
        if not (question or "").strip():  # echo has already asked for a question
            return (gr.skip(),) * 6
        chat, session = list(chat), dict(session)
        if doc_id and doc_id not in {d.doc_id for d in self.service.sources()}:  # removed since it was chosen
            chat.append({"role": "assistant", "content": fmt.answer_markdown(DOC_GONE)})
            return (chat, session, fmt.error_html(DOC_GONE), "", gr.skip(),
                    gr.update(choices=[("All documents", ANY), *self.doc_choices()], value=ANY))
        try:
            a = self.service.ask(question, duty=duty or None, doc_id=doc_id or None, history=session["questions"])
        except JfpError as exc:
            chat.append({"role": "assistant", "content": fmt.answer_markdown(fmt.for_the_web(exc.message))})
            return chat, session, fmt.error_html(exc.message), "", gr.skip(), gr.skip()
        cites = [c.to_json() for c in a.citations]
        panel = fmt.evidence_html(a.question, a.abstained, cites, self._texts(cites, a.retrieved), a.notices, a.backend)
        said = fmt.for_the_web(a.answer) if a.abstained else a.answer  # the abstain text names CLI commands
        text = ("**Not in the sources.** " if a.abstained else "") + fmt.answer_markdown(said)
        chat.append({"role": "assistant", "content": text})
        export = fmt.answer_export(a.question, said, a.abstained, cites)
        session["questions"] = [*session["questions"], a.question]
        session["records"] = {**session["records"], len(chat) - 1: {"panel": panel, "export": export}}
        return chat, session, panel, export, self.outbox.write("jfp-answer.md", export), gr.skip()

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
    def requirements(self, duty_id: str, show_all: bool = False):
        if not duty_id:
            raise InputError("Choose a duty first.")
        from assistant.requirements import MAX_LIMIT

        r = self.service.requirements(duty_id, limit=MAX_LIMIT if show_all else None).to_json()
        return fmt.requirements_html(r, self._texts([q["citation"] for q in r["requirements"]]))

    # --- Draft -----------------------------------------------------------------------------------
    @friendly(4, at=1, hide=(2, 3), empty=(0,))
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
    @friendly(4, at=0, hide=(1, 2, 3))
    def check(self, plan_file: str | None, progress=gr.Progress()):
        """Outputs: the report, then its CSV, Word and Markdown downloads (named after the plan)."""
        if not plan_file:
            raise InputError("Choose a draft plan to check first (PDF, Word, HTML, Markdown or text).")
        name = Path(plan_file).name  # the person's own file name (Gradio keeps it)
        path = store_upload(Path(plan_file), name, self.outbox.folder(), self.settings.upload_max_mb, keep_name=True)
        try:
            report = self.service.check(path, progress=ProgressBridge(progress, "Checking"))
        except (ImportError, NotBuiltError) as exc:
            log.info("checking unavailable: %s", exc)
            return fmt.info_html(UNAVAILABLE["check"]), offer(None), offer(None), offer(None)
        if dataclasses.is_dataclass(report) and hasattr(report, "plan"):
            report = dataclasses.replace(report, plan=name)
        files = self._check_files(report, Path(name).stem)
        return fmt.coverage_html(report.to_json()), *(offer(f) for f in files)

    def _check_files(self, report, stem: str) -> tuple[Path | None, Path | None, Path | None]:
        """The report as CSV, Word and Markdown (``coverage_export``, as 'jfp check -o' writes it)."""
        try:
            from assistant import coverage_export
        except ImportError:
            return None, None, None
        folder = self.outbox.folder()
        csv, docx, md = (folder / portable_name(f"{stem}-coverage.{ext}") for ext in ("csv", "docx", "md"))
        coverage_export.write_csv(report, csv)
        coverage_export.write_docx(report, docx)
        coverage_export.write_markdown(report, md)
        return csv, docx, md

    # --- Library ---------------------------------------------------------------------------------
    def library(self, chosen: str | None = ANY):
        """The library table, the Remove choices and Ask's Document filter, which keeps the document
        ``chosen`` there while it is still in the library (and goes back to All documents when not)."""
        docs = self.service.sources()
        choices = [(f"{d.title} ({d.source})", d.doc_id) for d in docs]
        kept = chosen if chosen in {d.doc_id for d in docs} else ANY
        return (fmt.library_html(docs), gr.update(choices=choices, value=None),
                gr.update(choices=[("All documents", ANY), *choices], value=kept))

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
        return fmt.info_html(fmt.upload_summary(r[1] for r in rows)), fmt.results_html(rows), None

    @friendly(6)
    def remove(self, doc_id: str | None, armed: str = "", chosen: str | None = ANY):
        """Remove in two steps: the first click asks to confirm (the button names the document), the
        second removes. ``chosen``: the document in Ask's filter. Outputs: status, Remove button,
        armed (state), library table, Remove choices, Ask's Document filter."""
        if not doc_id:
            raise InputError("Choose a document to remove first.")
        record = next((d for d in self.service.sources() if d.doc_id == doc_id), None)
        if record is None:
            return (fmt.info_html("That document is no longer in the library."), *self.disarm(), *self.library(chosen))
        if armed != doc_id:
            return (fmt.info_html(f"Select \u201cConfirm remove\u201d to remove '{record.title}' and its passages "
                                  "from the library, or choose another document."),
                    gr.update(value=f"Confirm remove {fmt.shorten(record.title, 60)}"), doc_id,
                    gr.skip(), gr.skip(), gr.skip())
        n = self.service.remove(doc_id)
        if record.path and is_inside(record.path, self.uploads):
            Path(record.path).unlink(missing_ok=True)  # our own copy of an upload
        return (fmt.info_html(f"Removed '{record.title}' ({fmt.plural(n, 'passage')}) from the library."),
                *self.disarm(), *self.library(chosen))

    def disarm(self):
        """The Remove button back to its first step (another document was chosen, or one was removed)."""
        return gr.update(value=REMOVE), ""

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
