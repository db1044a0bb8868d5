"""Chat models behind one small protocol: ``ChatModel.complete(messages) -> str``.

``OpenAICompatibleChat`` talks to any OpenAI-compatible endpoint with the official ``openai``
client: Ollama (``http://127.0.0.1:11434/v1``), vLLM, the llama.cpp server, OpenAI itself, and Azure
OpenAI (``https://<resource>.openai.azure.com``). Every failure is raised as ``LLMError`` with a
message a planner can act on; callers catch it and fall back to extractive answers.

``RecordingChat`` is the fake for unit tests of callers: scripted replies, and a record of what it
was sent. ``build_chat_model(settings)`` is the one factory.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable
from urllib.parse import urlsplit, urlunsplit

import openai
from openai.types.chat import ChatCompletion

from assistant.errors import LLMError

if TYPE_CHECKING:
    from assistant.config import Settings

log = logging.getLogger(__name__)

Messages = list[dict[str, str]]

DEFAULT_AZURE_API_VERSION = "2024-06-01"
_FALLBACK = "Answers use the built-in extractive mode until it is back."
_FALLBACK_FIX = "Answers use the built-in extractive mode until this is fixed."


@runtime_checkable
class ChatModel(Protocol):
    """A chat model: a list of ``{"role", "content"}`` messages in, the reply text out."""

    name: str

    def complete(self, messages: Messages, *, max_tokens: int = 800, temperature: float = 0.1) -> str:
        """Return the reply text. Raises ``LLMError`` on any failure."""
        ...


class OpenAICompatibleChat:
    """A ``ChatModel`` for any endpoint speaking the OpenAI chat completions protocol.

    ``timeout`` bounds each phase of the request (connect, send, wait for the reply). There are no
    retries by default: a dead or stuck endpoint costs at most one timeout before callers fall back.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str = "not-needed",
        timeout: float = 60.0,
        max_retries: int = 0,
        api_version: str = DEFAULT_AZURE_API_VERSION,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise LLMError(
                f"The language model address '{base_url}' is not a web address. Set JFP_LLM_BASE_URL to "
                f"something like http://127.0.0.1:11434/v1 (Ollama). {_FALLBACK_FIX}"
            )
        self.model = model
        self.name = f"llm:{model}"
        self.timeout = timeout
        self.url = _display_url(base_url)
        self.is_azure = _is_azure(base_url)
        key = api_key or "not-needed"  # local servers ignore the key, but the client insists on one
        self._client: openai.OpenAI
        if self.is_azure and "/openai/v1" not in parts.path:
            # Classic Azure API: deployment in the path (taken from the model name), api-version query.
            location: dict[str, str] = (
                {"base_url": base_url} if parts.path.strip("/") else {"azure_endpoint": base_url}
            )
            self._client = openai.AzureOpenAI(
                **location, api_key=key, api_version=api_version, timeout=timeout, max_retries=max_retries
            )
        else:  # OpenAI, Ollama, vLLM, llama.cpp, and Azure's v1 API (…openai.azure.com/openai/v1)
            self._client = openai.OpenAI(base_url=base_url, api_key=key, timeout=timeout, max_retries=max_retries)

    def __repr__(self) -> str:
        return f"OpenAICompatibleChat(url={self.url!r}, model={self.model!r})"

    def complete(self, messages: Messages, *, max_tokens: int = 800, temperature: float = 0.1) -> str:
        try:
            completion = self._client.chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]  # plain dicts are what goes on the wire
                max_tokens=max_tokens,
                temperature=temperature,
            )
        except openai.APITimeoutError as exc:  # before APIConnectionError: it is a subclass
            raise self._error(exc, self._timeout_message()) from exc
        except openai.APIConnectionError as exc:
            raise self._error(exc, self._connection_message(exc)) from exc
        except openai.APIStatusError as exc:
            raise self._error(exc, self._status_message(exc)) from exc
        except (openai.OpenAIError, ValueError) as exc:  # ValueError: a body that claims JSON but is not
            raise self._error(exc, self._unusable_message("it could not be read")) from exc
        text, problem = _reply_text(completion)
        if problem:
            raise self._error(None, self._unusable_message(problem))
        return text

    def close(self) -> None:
        """Close the connection pool (optional; it is also released when the object is collected)."""
        self._client.close()

    # --- messages ----------------------------------------------------------------------------
    def _error(self, exc: BaseException | None, message: str) -> LLMError:
        log.debug("LLM request to %s failed: %s", self.url, message, exc_info=exc)
        return LLMError(message)

    def _timeout_message(self) -> str:
        return (
            f"The language model at {self.url} did not answer within {self.timeout:g} s. {_FALLBACK} "
            "If the model is just slow (a large model on a CPU), raise JFP_LLM_TIMEOUT."
        )

    def _connection_message(self, exc: openai.APIConnectionError) -> str:
        reason = _connection_reason(exc, urlsplit(self.url).hostname or "")
        return f"Could not reach the language model at {self.url}: {reason}. {_FALLBACK}"

    def _status_message(self, exc: openai.APIStatusError) -> str:
        status = exc.status_code
        detail = _server_detail(exc)
        if status in (401, 403):
            return (
                f"The language model at {self.url} refused the API key (HTTP {status}{detail}). "
                f"Check JFP_LLM_API_KEY. {_FALLBACK_FIX}"
            )
        if status == 404:
            where = "the Azure deployment name" if self.is_azure else "the name"
            return (
                f"The model '{self.model}' was not found at {self.url} (HTTP 404{detail}). Check {where} in "
                "JFP_LLM_MODEL (for Ollama, 'ollama list' shows what is installed), and that "
                f"JFP_LLM_BASE_URL ends in /v1 for Ollama, vLLM and llama.cpp. {_FALLBACK_FIX}"
            )
        if status == 429:
            return f"The language model at {self.url} is refusing requests for now: rate limit or quota (HTTP 429{detail}). {_FALLBACK}"
        if status >= 500:
            return f"The language model at {self.url} failed with a server error (HTTP {status}{detail}). {_FALLBACK}"
        return f"The language model at {self.url} rejected the request (HTTP {status}{detail}). {_FALLBACK_FIX}"

    def _unusable_message(self, problem: str) -> str:
        return (
            f"The language model at {self.url} returned an unusable reply: {problem}. {_FALLBACK} "
            "Check that JFP_LLM_BASE_URL points at an OpenAI-compatible API (for Ollama it ends in /v1)."
        )


def _reply_text(completion: object) -> tuple[str, str]:
    """The reply text, or ``("", problem)``. The client accepts almost any body, so check by hand."""
    if not isinstance(completion, ChatCompletion):
        return "", "the body is not a chat completion"
    choices = getattr(completion, "choices", None)
    if not isinstance(choices, list) or not choices:
        return "", "it has no choices"
    message = getattr(choices[0], "message", None)
    content = getattr(message, "content", None)
    if not isinstance(content, str) or not content.strip():
        refusal = getattr(message, "refusal", None)
        return "", f"the model refused ({refusal})" if refusal else "the reply text is empty"
    if getattr(choices[0], "finish_reason", None) == "length":
        log.debug("LLM reply was cut off at max_tokens")
    return content.strip(), ""


def _connection_reason(exc: openai.APIConnectionError, host: str) -> str:
    """Plain words for why a connection failed, from the chain of causes."""
    seen: BaseException | None = exc
    causes: list[BaseException] = []
    while seen is not None and len(causes) < 10:
        causes.append(seen)
        seen = seen.__cause__ or seen.__context__
    text = " ".join(str(c) for c in causes).lower()
    if any(isinstance(c, ConnectionRefusedError) for c in causes) or "connection refused" in text:
        return "connection refused (is the model server running?)"
    if "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
        return f"the host name '{host}' could not be found"
    if any(isinstance(c, ConnectionResetError) for c in causes) or "reset" in text or "disconnected" in text:
        return "the connection was dropped before it answered"
    if "ssl" in text or "certificate" in text:
        return "the secure (TLS) connection failed"
    last = causes[-1]
    return str(last).rstrip(".") or type(last).__name__


def _server_detail(exc: openai.APIStatusError) -> str:
    """``": <the server's own message>"``, short, or nothing."""
    body = exc.body
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, str) or not message.strip():
        return ""
    message = " ".join(message.split()).rstrip(".")
    return ": " + (message if len(message) <= 200 else message[:197] + "...")


def _display_url(url: str) -> str:
    """The URL without any user:password part, for messages and logs."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts).rstrip("/")


def _is_azure(url: str) -> bool:
    return (urlsplit(url).hostname or "").endswith(".openai.azure.com")


def build_chat_model(settings: Settings) -> ChatModel | None:
    """The configured chat model, or ``None`` when no ``llm_base_url`` is set (extractive mode)."""
    if not settings.llm_base_url:
        return None
    api_version = getattr(settings, "llm_api_version", None) or os.environ.get(
        "JFP_LLM_API_VERSION", DEFAULT_AZURE_API_VERSION
    )
    return OpenAICompatibleChat(
        settings.llm_base_url,
        settings.llm_model,
        api_key=settings.llm_api_key.get_secret_value(),
        timeout=settings.llm_timeout,
        api_version=api_version,
    )


# --- test double ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChatCall:
    """One call a ``RecordingChat`` received."""

    messages: Messages
    max_tokens: int
    temperature: float


Script = str | Callable[[Messages], str] | Iterable[str | Exception]


class RecordingChat:
    """A ``ChatModel`` fake for tests of callers: returns scripted replies, records what it was sent.

    ``replies`` is one string (returned every time), a callable ``reply(messages) -> str``, or a
    sequence used one item per call, where an exception item is raised instead (e.g. an ``LLMError``
    to test a fallback). Running past the end of a sequence fails the test.
    """

    def __init__(self, replies: Script = "", *, name: str = "llm:recording") -> None:
        self.name = name
        self.calls: list[ChatCall] = []
        self._fixed: str | Callable[[Messages], str] | None = None
        self._queue: list[str | Exception] = []
        if isinstance(replies, str) or callable(replies):
            self._fixed = replies
        else:
            self._queue = list(replies)
        self._scripted = len(self._queue)

    @property
    def messages(self) -> list[Messages]:
        """The messages of each call, in order."""
        return [c.messages for c in self.calls]

    def complete(self, messages: Messages, *, max_tokens: int = 800, temperature: float = 0.1) -> str:
        sent = [dict(m) for m in messages]
        self.calls.append(ChatCall(sent, max_tokens, temperature))
        if self._fixed is not None:
            return self._fixed(sent) if callable(self._fixed) else self._fixed
        if not self._queue:
            raise AssertionError(f"RecordingChat got call {len(self.calls)} but only {self._scripted} replies were scripted")
        reply = self._queue.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply
