"""A small OpenAI-compatible HTTP server on loopback, for tests of code that talks to a chat model.

It speaks the real wire protocol (``POST /v1/chat/completions``, ``GET /v1/models``) so the code under
test runs its real client end to end; only the model is fake. Standard library only.

    with FakeOpenAIServer(mode="ok", reply="Hello.") as srv:
        chat = OpenAICompatibleChat(base_url=srv.base_url, model="m", timeout=5)
        assert chat.complete([{"role": "user", "content": "Hi"}]) == "Hello."
        assert srv.requests[0]["model"] == "m"

Modes:
    ``ok``            200 with ``reply`` (a string, or a callable ``reply(messages) -> str``).
    ``slow``          waits ``delay`` seconds, then answers like ``ok``; shutdown cuts the wait short.
    ``error500``      500 with an OpenAI-style error body.
    ``garbage``       200 whose body is not JSON.
    ``empty``         200 JSON with ``"choices": []``.
    ``unauthorized``  401, as for a wrong API key.
    ``not_found``     404 ``model_not_found``, as for a wrong model name.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = str | Callable[[list[dict[str, Any]]], str]
MODES = ("ok", "slow", "error500", "garbage", "empty", "unauthorized", "not_found")


class FakeOpenAIServer:
    """Loopback OpenAI-compatible server run in a background thread; use as a context manager."""

    def __init__(
        self,
        mode: str = "ok",
        reply: Reply = "This is a test reply.",
        *,
        delay: float = 5.0,
        models: tuple[str, ...] = ("test-model",),
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        self.mode = mode
        self.reply = reply
        self.delay = delay
        self.models = models
        self.requests: list[dict[str, Any]] = []
        """Parsed JSON bodies of the chat completion requests received, in order."""
        self.headers: list[dict[str, str]] = []
        """Headers of the same requests (lower-cased names), e.g. to check the Authorization sent."""
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>/v1``, the value an OpenAI client takes as ``base_url``."""
        if self._httpd is None:
            raise RuntimeError("the server is not running; use it as a context manager or call start()")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FakeOpenAIServer:
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        httpd.daemon_threads = True
        httpd.block_on_close = False  # a handler still inside a slow reply must not hold up close
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-openai-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()  # wakes any handler sleeping in "slow" mode
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # Used by the handler
    def _record(self, body: dict[str, Any], headers: dict[str, str]) -> None:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)

    def _reply_text(self, messages: list[dict[str, Any]]) -> str:
        return self.reply(messages) if callable(self.reply) else self.reply


@contextmanager
def unreachable_base_url() -> Iterator[str]:
    """A loopback ``/v1`` URL where nothing listens, so connecting is refused at once.

    The port is held bound (but not listening) for the duration, so no other process can take it.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    finally:
        sock.close()


def _error_body(message: str, type_: str, code: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}


def _completion(model: str, text: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in messages)
    completion_tokens = len(text.split())
    return {
        "id": "chatcmpl-fake-0001",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": None,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def _make_handler(server: FakeOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.0: one request per connection, so no idle keep-alive threads outlive a test.
        protocol_version = "HTTP/1.0"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            pass

        def do_GET(self) -> None:  # noqa: N802 - stdlib naming
            if self.path.rstrip("/") != "/v1/models":
                self._send_json(404, _error_body(f"Unknown path {self.path}", "invalid_request_error", None))
                return
            if server.mode == "unauthorized":
                self._send_unauthorized()
                return
            data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in server.models]
            self._send_json(200, {"object": "list", "data": data})

        def do_POST(self) -> None:  # noqa: N802 - stdlib naming
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if self.path.split("?")[0].rstrip("/") != "/v1/chat/completions":
                self._send_json(404, _error_body(f"Unknown path {self.path}", "invalid_request_error", None))
                return
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                self._send_json(400, _error_body("Request body is not JSON", "invalid_request_error", None))
                return
            server._record(body, {k.lower(): v for k, v in self.headers.items()})
            model = str(body.get("model", ""))
            messages = body.get("messages") or []
            mode = server.mode

            if mode == "slow":
                if server._closing.wait(server.delay):
                    return  # shutting down: drop the connection instead of answering
                mode = "ok"
            if mode == "ok":
                self._send_json(200, _completion(model, server._reply_text(messages), messages))
            elif mode == "error500":
                self._send_json(500, _error_body("The server had an error while processing your request.",
                                                 "server_error", None))
            elif mode == "garbage":
                self._send_raw(200, "text/html", b"<html><body>502 Bad Gateway</body></html>")
            elif mode == "empty":
                completion = _completion(model, "", messages)
                completion["choices"] = []
                self._send_json(200, completion)
            elif mode == "unauthorized":
                self._send_unauthorized()
            elif mode == "not_found":
                self._send_json(404, _error_body(f"The model `{model}` does not exist.",
                                                 "invalid_request_error", "model_not_found"))

        def _send_unauthorized(self) -> None:
            self._send_json(401, _error_body("Incorrect API key provided.", "invalid_request_error",
                                             "invalid_api_key"))

        def _send_json(self, status: int, payload: dict[str, Any]) -> None:
            self._send_raw(status, "application/json", json.dumps(payload).encode())

        def _send_raw(self, status: int, content_type: str, data: bytes) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (e.g. timed out) before we answered

    return Handler
