"""One exception hierarchy. Every message says what happened and what to do about it."""

from __future__ import annotations


class JfpError(Exception):
    """Base class: the CLI prints ``message`` and exits non-zero; the UI shows it."""

    type: str = "error"
    exit_code: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def details(self) -> dict:
        """Fields the CLI's JSON error carries besides ``type`` and ``message``."""
        return {}


class InputError(JfpError):
    """The user's input (a question, an option, a path) cannot be used as given."""

    type = "invalid_input"
    exit_code = 2


class UnknownDutyError(InputError):
    type = "unknown_duty"

    def __init__(self, duty_id: str, known: list[str], suggestion: str | None = None) -> None:
        hint = f" Did you mean '{suggestion}'?" if suggestion else ""
        super().__init__(
            f"'{duty_id}' is not a duty id.{hint} Run 'jfp duties' to list them; known ids are: "
            + ", ".join(known)
            + "."
        )
        self.duty_id = duty_id
        self.suggestion = suggestion

    def details(self) -> dict:
        return {"duty_id": self.duty_id, "suggestion": self.suggestion}


class DocumentError(JfpError):
    """A document could not be read (corrupt, encrypted, scanned, too large, unsupported...)."""

    type = "document_error"


class IndexUnavailableError(JfpError):
    """The index is missing, empty or cannot be reached."""

    type = "index_error"


class LLMError(JfpError):
    """The configured language model endpoint failed; callers fall back to extractive mode."""

    type = "llm_error"


class NotBuiltError(JfpError):
    """A command that exists in the contract but is not implemented yet."""

    type = "not_implemented"
    exit_code = 3
