"""The web app (Gradio): Ask, Requirements, Draft, Check and Library tabs over ``JfpService``.

This module lays the page out and serves it; the callbacks (``assistant.ui_callbacks``) are thin
calls into the same service the CLI uses, and ``assistant.ui_format`` renders their results. Each
browser session keeps its own chat in ``gr.State``. ``serve`` binds 127.0.0.1 unless told otherwise,
with analytics off and an optional login (JFP_UI_AUTH).
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from pathlib import Path

from assistant import privacy

privacy.apply()

import gradio as gr  # noqa: E402

from assistant import ui_format as fmt  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.errors import InputError, JfpError  # noqa: E402
from assistant.service import MAX_QUESTION_CHARS as QUESTION_MAX  # noqa: E402
from assistant.ui_callbacks import ANY, EXAMPLES, KINDS, REMOVE, WHOLE_PLAN, Callbacks, new_session  # noqa: E402
from assistant.ui_files import UPLOAD_TYPES, Outbox  # noqa: E402
from assistant.ui_theme import CSS, HEADER, theme  # noqa: E402

log = logging.getLogger(__name__)


def build_app(service, settings: Settings | None = None) -> gr.Blocks:
    """The Gradio app. ``serve`` launches it with the theme, CSS and safety settings."""
    settings = settings or service.settings
    cb = Callbacks(service, settings, Outbox())
    duties = [(d.title, d.id) for d in service.duties()]
    private = {"api_visibility": "private"}
    with gr.Blocks(title="Joint forward plan assistant", analytics_enabled=False) as demo:
        gr.HTML(HEADER, js_on_load=None)
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                session = gr.State(new_session())
                asked = gr.State("")
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        chat = gr.Chatbot(label="Conversation", height=390, buttons=["copy"], latex_delimiters=[],
                                          feedback_options=None, placeholder="Ask about joint forward plans. Every answer cites its sources.",
                                          elem_id="jfp-chat", show_label=False)
                        with gr.Row():
                            question = gr.Textbox(label="Your question", placeholder="e.g. What must the plan say about climate change?",
                                                  info=f"Up to {QUESTION_MAX:,} characters.", scale=5,
                                                  max_length=QUESTION_MAX, elem_id="jfp-question", autofocus=True)
                            ask_btn = gr.Button("Ask", variant="primary", scale=1, elem_id="jfp-ask")
                        with gr.Row():
                            duty = gr.Dropdown([("Any duty", ANY), *duties], value=ANY, label="Duty", elem_id="jfp-duty-filter")
                            doc = gr.Dropdown([("All documents", ANY)], value=ANY, label="Document", elem_id="jfp-doc-filter")
                        with gr.Row():
                            gr.Examples(EXAMPLES, inputs=question, label="Try a question")
                            new_btn = gr.Button("New conversation", size="sm", scale=0)
                    with gr.Column(scale=2):
                        evidence = gr.HTML(fmt.empty_evidence(), elem_id="jfp-evidence", max_height=470, js_on_load=None)
                        with gr.Accordion("Copy or download this answer with its citations", open=False):
                            export_box = gr.Textbox(label="Answer and citations (Markdown)", lines=6, buttons=["copy"],
                                                    interactive=False, elem_id="jfp-export")
                            download = gr.DownloadButton("Download answer (.md)", value=None, elem_id="jfp-download-answer")
                for trigger in (question.submit, ask_btn.click):
                    trigger(cb.echo, [question, chat], [chat, question, asked, evidence], queue=False, **private).success(
                        cb.answer, [asked, duty, doc, chat, session], [chat, session, evidence, export_box, download, doc],
                        show_progress_on=[evidence], **private)
                chat.select(cb.select_message, [session], [evidence, export_box, download], **private)
                for reset in (new_btn.click, chat.clear):  # the chat's own bin starts a new conversation too
                    reset(cb.new_chat, None, [chat, session, evidence, export_box, download], **private)

            with gr.Tab("Requirements", id="requirements"):
                gr.Markdown("What the guidance requires for a duty (must, should, may), quoted and cited.")
                with gr.Row():
                    req_duty = gr.Dropdown(duties, value=None, label="Duty", scale=3, elem_id="jfp-req-duty")
                    req_all = gr.Checkbox(label="Show all requirements", value=False, scale=1, elem_id="jfp-req-all")
                    req_btn = gr.Button("Show requirements", variant="primary", scale=1, elem_id="jfp-req-go")
                req_out = gr.HTML(elem_classes="jfp-out", elem_id="jfp-req-out", js_on_load=None)
                req_btn.click(cb.requirements, [req_duty, req_all], [req_out], **private)

            with gr.Tab("Draft", id="draft"):
                gr.Markdown("A first draft of a plan section, grounded in the sources. "
                            "<mark class='jfp-placeholder'>Highlighted</mark> placeholders mark local detail to add.")
                with gr.Row():
                    draft_duty = gr.Dropdown([("Whole plan (every duty and content area)", WHOLE_PLAN), *duties], value=None,
                                             label="Duty", scale=3, elem_id="jfp-draft-duty")
                    draft_btn = gr.Button("Draft", variant="primary", scale=1, elem_id="jfp-draft-go")
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        draft_text = gr.Markdown(elem_id="jfp-draft-text", max_height=440, sanitize_html=True,
                                                 line_breaks=True)
                    with gr.Column(scale=2):
                        with gr.Row():
                            draft_docx = gr.DownloadButton("Download Word", value=None, elem_id="jfp-draft-docx", visible=False)
                            draft_md = gr.DownloadButton("Download Markdown", value=None, elem_id="jfp-draft-md", visible=False)
                        draft_cites = gr.HTML(elem_classes="jfp-out", elem_id="jfp-draft-cites", max_height=380,
                                              js_on_load=None)
                draft_btn.click(cb.draft, [draft_duty], [draft_text, draft_cites, draft_md, draft_docx],
                                show_progress_on=[draft_text], **private)

            with gr.Tab("Check", id="check"):
                gr.Markdown("Upload a draft plan to see, duty by duty, what it covers and what to add. "
                            "The plan is not added to the library.")
                with gr.Row():
                    plan = gr.File(label="Draft plan", file_types=list(UPLOAD_TYPES), scale=3, elem_id="jfp-plan", height=120)
                    check_btn = gr.Button("Check plan", variant="primary", scale=1, elem_id="jfp-check-go")
                with gr.Row():
                    check_csv = gr.DownloadButton("Download CSV", value=None, elem_id="jfp-check-csv", visible=False)
                    check_docx = gr.DownloadButton("Download Word", value=None, elem_id="jfp-check-docx", visible=False)
                    check_md = gr.DownloadButton("Download Markdown", value=None, elem_id="jfp-check-md", visible=False)
                check_out = gr.HTML(elem_classes="jfp-out", elem_id="jfp-check-out", max_height=470, js_on_load=None)
                check_btn.click(cb.check, [plan], [check_out, check_csv, check_docx, check_md], **private)

            with gr.Tab("Library", id="library"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=2, min_width=340):
                        files = gr.File(label=f"Add documents ({', '.join(UPLOAD_TYPES)}; up to {settings.upload_max_mb:g} MB each)",
                                        file_count="multiple", file_types=list(UPLOAD_TYPES), height=150, elem_id="jfp-upload")
                        with gr.Row():
                            kind = gr.Dropdown(KINDS, value="other", label="Kind of document", scale=2)
                            add_btn = gr.Button("Add to library", variant="primary", elem_id="jfp-add", scale=1)
                        lib_status = gr.HTML(elem_id="jfp-lib-status", js_on_load=None)
                        results = gr.HTML(elem_id="jfp-results", js_on_load=None)
                    with gr.Column(scale=3):
                        table = gr.HTML(elem_id="jfp-library", max_height=440, js_on_load=None)
                        with gr.Row():
                            remove_doc = gr.Dropdown([], label="Remove a document", scale=3, elem_id="jfp-remove-doc")
                            remove_btn = gr.Button(REMOVE, variant="stop", scale=1, elem_id="jfp-remove")
                        armed = gr.State("")  # the document the Remove button asks to confirm
                        corpus_btn = gr.Button("Index the shipped guidance again", size="sm")
                refresh = {"fn": cb.library, "inputs": [doc], "outputs": [table, remove_doc, doc], **private}
                add_btn.click(cb.upload, [files, kind], [lib_status, results, files], **private).then(**refresh)
                remove_btn.click(cb.remove, [remove_doc, armed, doc], [lib_status, remove_btn, armed, table, remove_doc, doc],
                                 **private)
                remove_doc.change(cb.disarm, None, [remove_btn, armed], **private)
                corpus_btn.click(cb.ingest_corpus, None, [lib_status], **private).then(**refresh)
        demo.load(**refresh)
    return demo


# --- serving ---------------------------------------------------------------------------------------
@dataclass
class Served:
    demo: gr.Blocks
    url: str


def parse_auth(spec: str | None) -> list[tuple[str, str]] | None:
    """'user:pw,user2:pw2' (JFP_UI_AUTH) -> [(user, pw), ...]; None when no login is configured."""
    if not spec or not spec.strip():
        return None
    pairs = []
    for item in spec.split(","):
        user, sep, password = item.strip().partition(":")
        if not sep or not user.strip() or not password:
            raise InputError("JFP_UI_AUTH must look like 'user:password' or 'user1:pw1,user2:pw2' "
                             "(each entry a user name, a colon and a password).")
        pairs.append((user.strip(), password))
    return pairs


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str, auth) -> str | None:
    """The warning to log when the app is reachable from other computers without a login."""
    if is_loopback(host) or auth:
        return None
    return (f"The web app is listening on {host}, reachable from other computers, with no login. "
            "Set JFP_UI_AUTH='user:password' to require one, or bind to 127.0.0.1.")


def warm_up(service) -> None:
    """Load the model, index and retriever once, before two first requests race to do it."""
    service.embedder, service.index, service.retriever, service.answers  # noqa: B018
    if service.manifest.doc_ids():
        service.retriever.refresh()


def serve(service=None, settings: Settings | None = None, host: str | None = None, port: int | None = None,
          *, block: bool = True, quiet: bool = True) -> Served:
    """Launch the app on ``host:port`` (127.0.0.1:7860 by default) and return it with its local URL."""
    from assistant.service import JfpService

    settings = settings or (service.settings if service else Settings())
    service = service or JfpService(settings)
    host = host or settings.ui_host
    port = port if port is not None else settings.ui_port
    auth = parse_auth(settings.ui_auth)
    if warning := exposure_warning(host, auth):
        log.warning(warning)
    warm_up(service)
    demo = build_app(service, settings)
    demo.queue(default_concurrency_limit=4)
    try:
        _, url, _ = demo.launch(
            server_name=host, server_port=port, auth=auth, auth_message="Sign in to the joint forward plan assistant.",
            prevent_thread_lock=True, quiet=quiet, show_error=False, share=False, inbrowser=False,
            max_file_size=f"{settings.upload_max_mb:g}mb", blocked_paths=[str(Path(settings.index_dir).resolve())],
            footer_links=["settings"], ssr_mode=False, mcp_server=False, pwa=False, enable_monitoring=False,
            theme=theme(), css=CSS,
        )
    except OSError as exc:
        demo.close()
        raise JfpError(f"Could not start the web app on {host}:{port} ({exc}). Another program may be using that port: "
                       "choose another with 'jfp ui --port 7870'.") from exc
    if block:
        demo.block_thread()
    return Served(demo, url)
