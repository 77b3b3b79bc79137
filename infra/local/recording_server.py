"""The plumbing every small local stand-in shares: a threaded HTTP server on loopback that records
what it received and can be switched into failure modes through ``/_control``.

    GET  /_requests        what the stand-in received (newest last)
    GET  /_control         the current mode
    POST /_control         {"mode": "normal" | "error" | "unavailable" | ..., "status": 500}
    POST /_reset           back to normal, records cleared (stored data stays)

A subclass lists its extra modes and implements ``route(request)``.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

MAX_BODY_BYTES = 32 * 1024 * 1024
COMMON_MODES = ("normal", "error", "unavailable")


@dataclass
class Incoming:
    """One request as a stand-in sees it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"{}")

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)


@dataclass
class Answer:
    """What a stand-in answers."""

    status: int
    body: bytes = b""
    content_type: str = "application/json"

    @classmethod
    def json(cls, status: int, body: Any) -> Answer:
        return cls(status, json.dumps(body, ensure_ascii=False).encode("utf-8"))


@dataclass
class Recorder:
    """Requests received, and the failure mode in force."""

    mode: str = "normal"
    status: int = 500
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)


class RecordingServer(ThreadingHTTPServer):
    """A loopback stand-in; subclasses implement ``route``."""

    daemon_threads = True
    name: ClassVar[str] = "stand-in"
    modes: ClassVar[tuple[str, ...]] = COMMON_MODES

    def __init__(self, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.recorder = Recorder()
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> RecordingServer:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.1}, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def record(self, request: Incoming, summary: dict[str, Any]) -> None:
        """Keep what a request carried (a subclass decides which fields matter)."""
        with self.recorder.lock:
            self.recorder.requests.append({"method": request.method, "path": request.path, **summary})
            del self.recorder.requests[:-1000]  # bounded: a long-running stack must not grow forever

    def failure(self) -> Answer | None:
        """The answer the current failure mode forces, if any (subclasses add modes)."""
        mode = self.recorder.mode
        if mode == "error":
            return Answer.json(self.recorder.status, {"error": "stand-in switched to error mode"})
        if mode == "unavailable":
            return Answer.json(503, {"error": "stand-in switched to unavailable mode"})
        return None

    def route(self, request: Incoming) -> Answer:  # pragma: no cover - every stand-in overrides it
        raise NotImplementedError

    def handle_control(self, request: Incoming) -> Answer | None:
        """The shared ``/_control``, ``/_reset`` and ``/_requests`` endpoints."""
        rec = self.recorder
        if request.path == "/_requests" and request.method == "GET":
            with rec.lock:
                return Answer.json(200, {"requests": list(rec.requests)})
        if request.path == "/_control" and request.method == "GET":
            return Answer.json(200, {"mode": rec.mode, "status": rec.status})
        if request.path == "/_control" and request.method == "POST":
            try:
                body = request.json()
            except ValueError:
                return Answer.json(400, {"error": "Bad Request", "message": "body must be JSON"})
            mode = body.get("mode", rec.mode)
            status = body.get("status", rec.status)
            if mode not in self.modes or not isinstance(status, int) or not 400 <= status <= 599:
                return Answer.json(400, {"error": "Bad Request", "message": f"mode must be one of {', '.join(self.modes)}"})
            with rec.lock:
                rec.mode, rec.status = mode, status
            return Answer.json(200, {"mode": rec.mode, "status": rec.status})
        if request.path == "/_reset" and request.method == "POST":
            with rec.lock:
                rec.mode, rec.status = "normal", 500
                rec.requests.clear()
            return Answer.json(200, {"mode": "normal"})
        return None


class _Handler(BaseHTTPRequestHandler):
    server: RecordingServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: request lines would drown test output

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._answer(Answer.json(413, {"error": "too large"}))
            return
        request = Incoming(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        answer = self.server.handle_control(request)
        if answer is None:
            try:
                answer = self.server.failure() or self.server.route(request)
            except Exception as exc:  # noqa: BLE001 - a stand-in bug is a 500 to its client, not a dead thread
                answer = Answer.json(500, {"error": f"stand-in failed: {type(exc).__name__}"})
        self._answer(answer)

    def _answer(self, answer: Answer) -> None:
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = do_POST = do_DELETE = do_PATCH = _serve

