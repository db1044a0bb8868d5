"""The ``jfp`` command line. Follows ../shared/CONTRACT.md: ``--json`` prints one JSON document on
stdout, logs and progress go to stderr, errors are plain English with a non-zero exit status."""

from __future__ import annotations

import functools
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console

from assistant import privacy
from assistant.config import Settings
from assistant.errors import JfpError, NotBuiltError

privacy.apply()


def _flags_show_no_type() -> None:
    """typer's rich help puts a type beside every option, flags too ('--json <bool>'), which reads as if
    the flag took a value ('jfp duties --json true' then fails). Show flags bare, as click's plain help does."""
    option = getattr(typer.core, "TyperOption", None)
    shown = getattr(option, "display_type_rich", None)
    if option is None or shown is None or getattr(shown, "_jfp_flags_bare", False):
        return

    @functools.wraps(shown)
    def display_type_rich(self, ctx):
        return None if self.is_flag and not self.count else shown(self, ctx)

    display_type_rich._jfp_flags_bare = True
    option.display_type_rich = display_type_rich


_flags_show_no_type()

app = typer.Typer(
    name="jfp",
    help=(
        "jfp-assistant: cited answers, section drafts and coverage checks for NHS joint forward plans.\n\n"
        "Start with 'jfp ingest' (indexes the shipped guidance), then 'jfp ask \"What must the plan say about "
        "climate change?\"'."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
err = Console(stderr=True, highlight=False, soft_wrap=True)  # messages are never hard-wrapped: scripts read them
out = Console(highlight=False)


class _State:
    index: Optional[Path] = None
    debug: bool = False
    _service = None

    def settings(self) -> Settings:
        overrides: dict[str, Any] = {}
        if self.index is not None:
            overrides["index_dir"] = self.index
        return Settings(**overrides)

    def service(self):
        if self._service is None:
            from assistant.service import JfpService

            self._service = JfpService(self.settings())
        return self._service


state = _State()

JsonOpt = typer.Option(False, "--json", help="Print one JSON document on stdout (see CONTRACT.md).")


def progress_bar(enabled: bool | None = None):
    """The one progress-bar style for long work: on stderr, gone when done, off when not a terminal."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=True, disable=not (err.is_terminal if enabled is None else enabled))


def emit_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=None) + "\n")
    sys.stdout.flush()


def command(fn: Callable) -> Callable:
    """Run a command body; turn JfpError (and the unexpected) into a message and an exit status."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        as_json = kwargs.get("as_json", False)
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except JfpError as exc:
            _fail(exc.type, exc.message, exc.exit_code, as_json, exc.details())
        except KeyboardInterrupt:
            _fail("interrupted", "Stopped. Nothing half-written is visible in the index; run the command again to finish.", 130, as_json)
        except Exception as exc:  # a bug: say so plainly, traceback only with --debug
            if state.debug:
                raise
            _fail("internal_error", f"Something went wrong inside jfp-assistant: {exc.__class__.__name__}: {exc}. "
                  "Run again with --debug for details, and report it if it persists.", 1, as_json)

    return wrapper


def _fail(kind: str, message: str, code: int, as_json: bool, details: dict | None = None) -> None:
    err.print(f"[bold red]Error:[/] {message}", markup=True)
    if as_json:
        emit_json({"error": {"type": kind, "message": message, **(details or {})}})
    raise typer.Exit(code)


@app.callback()
def main(
    index: Optional[Path] = typer.Option(None, "--index", help="Index folder (default: $JFP_INDEX_DIR or ~/.local/share/jfp-assistant/index)."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks and debug logs."),
) -> None:
    state.index = index
    state.debug = debug
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    if not debug:
        for noisy in ("transformers", "sentence_transformers", "chromadb", "httpx", "huggingface_hub", "bm25s"):
            logging.getLogger(noisy).setLevel(logging.ERROR)


def not_built(what: str) -> None:
    raise NotBuiltError(f"'{what}' is not built yet in this version of jfp-assistant.")


# Commands live in their own modules, registered here.
from assistant.commands import answering as _answering  # noqa: E402,F401
from assistant.commands import checking as _checking  # noqa: E402,F401
from assistant.commands import drafting as _drafting  # noqa: E402,F401
from assistant.commands import evaluation as _evaluation  # noqa: E402,F401
from assistant.commands import library as _library  # noqa: E402,F401


def run() -> None:
    """The console entry point (``jfp`` in pyproject's [project.scripts], and ``python -m assistant``).

    Without --json, typer handles everything. With --json, a usage error (a missing argument, a bad
    option value, an unknown command) is shown on stderr as usual and also reported on stdout as
    ``{"error": {"type": "usage", ...}}``, as CONTRACT.md asks of every failure."""
    if "--json" not in sys.argv[1:]:
        app()
        return
    try:
        code = app(standalone_mode=False)  # returns a typer.Exit's code instead of exiting
    except typer.TyperException as exc:  # typer's (vendored) click UsageError and ClickException
        _show_usage_error(exc)
        emit_json({"error": {"type": "usage", "message": exc.format_message()}})
        sys.exit(exc.exit_code)
    except typer.Abort:  # end of input at a prompt (Ctrl+C becomes exit status 130 in typer)
        err.print("Aborted.", markup=False)
        emit_json({"error": {"type": "interrupted", "message": "Aborted."}})
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


def _show_usage_error(exc: typer.TyperException) -> None:
    """Show a usage error on stderr as typer does in standalone mode (usage line, hint, error box)."""
    try:
        from typer.rich_utils import rich_format_error
    except ImportError:  # typer installed without rich
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            err.print(f"Error: {exc.format_message()}", markup=False)
    else:
        rich_format_error(exc)

