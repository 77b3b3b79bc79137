"""A local stand-in for the Gemini REST API, so the real google-genai client runs offline.

It speaks the ``generateContent`` and ``models.get`` shapes of the Gemini API (and the
Vertex AI publisher-model paths), answers with the structured JSON Chatdesk asks for,
and can be switched at run time into failure modes to exercise timeouts and retries:

    POST /_control {"mode": "normal|slow|rate_limited|server_error|malformed|blocked|
                             blocked_candidate|flaky", "delay_ms": N, ...}
    GET  /_control         current mode
    GET  /_stats           request counts
    GET  /_last_request    the last generateContent body (for tests)
    POST /_reset           back to normal mode, counters cleared

Run it with ``python -m infra.local.fake_gemini --port N``; it prints
``READY http://127.0.0.1:N`` once listening. Tests use ``start_fake_gemini()``.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODES = (
    "normal",
    "slow",
    "rate_limited",
    "server_error",
    "malformed",
    "blocked",
    "blocked_candidate",
    "flaky",
)
DEFAULT_SLOW_MS = 30_000
MAX_BODY_BYTES = 2 * 1024 * 1024

_GENERATE_PATH = re.compile(r"^/(?:v1|v1beta|v1beta1|v1alpha)/(?:.*/)?models/(?P<model>[^/:?]+):generateContent$")
_MODEL_PATH = re.compile(r"^/(?:v1|v1beta|v1beta1|v1alpha)/(?:.*/)?models/(?P<model>[^/:?]+)$")
# The adapter wraps each retrieved passage in these tags; the fake answers from the first one.
_PASSAGE = re.compile(r"<passage\b[^>]*>\s*(?P<text>.*?)\s*</passage>", re.S)
_LANGUAGE = re.compile(r"Reply language:\s*(?P<code>[A-Za-z-]+)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w@])\+?\d[\d \-]{7,}\d")
_NAME = re.compile(
    r"(?:my name is|i am|i'm|nazywam się|nazywam sie|mam na imię|mam na imie|jestem)\s+([A-ZŁŚŻŹĆŃÓĘĄ][\wąćęłńóśźż-]+)", re.I
)
_HUMAN = re.compile(
    r"\b(human|person|agent|operator|someone real|real person|staff|front desk|"
    r"człowiek\w*|czlowiek\w*|konsultant\w*|pracownik\w*|doradc\w*|osob\w*)\b",
    re.I,
)

_GENERIC_REPLY = {
    "pl": "Dziękuję za pytanie! Nie mam teraz tej informacji. Czy chcesz porozmawiać z naszym konsultantem?",
    "en": "Thank you for your question! I don't have that information right now. Would you like to talk to a member of our team?",
}

_ERRORS = {
    429: ("RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."),
    500: (
        "INTERNAL",
        "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
    ),
    503: ("UNAVAILABLE", "The model is overloaded. Please try again later."),
}


@dataclass
class FakeGeminiState:
    """What the fake does next and what it has seen; shared by all handler threads."""

    mode: str = "normal"
    delay_ms: int = 0
    slow_ms: int = DEFAULT_SLOW_MS
    flaky_status: int = 429
    error_status: int | None = None  # overrides 500 in server_error mode (e.g. 503)
    text: str | None = None  # candidate text returned verbatim instead of the generated answer
    api_key: str | None = None  # when set, requests must carry this key
    flaky_pending: bool = False
    requests: int = 0
    generate: int = 0
    model_get: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    last_request: dict[str, Any] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)

    def control(self) -> dict[str, Any]:
        """The switchable part of the state, as JSON."""
        return {
            "mode": self.mode,
            "delay_ms": self.delay_ms,
            "slow_ms": self.slow_ms,
            "flaky_status": self.flaky_status,
            "error_status": self.error_status,
            "text": self.text,
        }

    def stats(self) -> dict[str, Any]:
        """Request counters, as JSON."""
        return {
            "requests": self.requests,
            "generate": self.generate,
            "model_get": self.model_get,
            "by_status": dict(self.by_status),
        }

    def apply(self, body: dict[str, Any]) -> None:
        """Switch mode and knobs from a ``/_control`` body; raises ValueError on bad input."""
        mode = body.get("mode", self.mode)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        for key in ("delay_ms", "slow_ms"):
            if key in body and (not isinstance(body[key], int) or body[key] < 0):
                raise ValueError(f"{key} must be a non-negative integer")
        flaky_status = body.get("flaky_status", body.get("status", self.flaky_status))
        if flaky_status not in (429, 500, 503):
            raise ValueError("flaky_status must be 429, 500 or 503")
        error_status = body.get("error_status", self.error_status)
        if error_status is not None and (not isinstance(error_status, int) or not 500 <= error_status <= 599):
            raise ValueError("error_status must be a 5xx code")
        text = body.get("text", self.text)
        if text is not None and not isinstance(text, str):
            raise ValueError("text must be a string or null")
        self.mode = mode
        self.delay_ms = body.get("delay_ms", self.delay_ms)
        self.slow_ms = body.get("slow_ms", self.slow_ms)
        self.flaky_status = flaky_status
        self.error_status = error_status
        self.text = text
        self.flaky_pending = mode == "flaky"

    def reset(self) -> None:
        """Back to normal mode with no latency, counters cleared (the api key stays)."""
        self.mode, self.delay_ms, self.slow_ms = "normal", 0, DEFAULT_SLOW_MS
        self.flaky_status, self.error_status, self.text, self.flaky_pending = 429, None, None, False
        self.requests = self.generate = self.model_get = 0
        self.by_status = {}
        self.last_request = None


class FakeGeminiServer(ThreadingHTTPServer):
    """A threading HTTP server carrying the fake's state."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: FakeGeminiState) -> None:
        super().__init__(address, _Handler)
        self.state = state

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        """Stop serving and wake any handler sleeping in a slow mode."""
        self.state.stopping.set()
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: FakeGeminiServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        # Quiet by default: request lines would drown test output.
        pass

    # -- plumbing -------------------------------------------------------------------------

    @property
    def state(self) -> FakeGeminiState:
        return self.server.state

    def _path(self) -> str:
        return self.path.split("?", 1)[0]

    def _read_json(self) -> dict[str, Any] | None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            return None
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        with self.state.lock:
            self.state.by_status[str(status)] = self.state.by_status.get(str(status), 0) + 1
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test); nothing to answer

    def _send_error(self, status: int, status_name: str | None = None, message: str | None = None) -> None:
        default_name, default_message = _ERRORS.get(status, ("UNKNOWN", "Error"))
        self._send(
            status, {"error": {"code": status, "message": message or default_message, "status": status_name or default_name}}
        )

    def _sleep(self, ms: int) -> bool:
        """Wait ``ms``; False if the server is stopping meanwhile."""
        return not (ms > 0 and self.state.stopping.wait(ms / 1000))

    def _authorized(self) -> bool:
        expected = self.state.api_key
        if expected is None:
            return True
        given = self.headers.get("x-goog-api-key")
        if given == expected:
            return True
        # Same shape as the real API; it never echoes the key it was given.
        self._send_error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.")
        return False

    # -- routes ---------------------------------------------------------------------------

    def do_GET(self) -> None:
        path = self._path()
        if path in ("/_control", "/_stats", "/_last_request"):
            with self.state.lock:
                if path == "/_control":
                    answer = self.state.control()
                elif path == "/_stats":
                    answer = self.state.stats()
                else:
                    answer = {"request": self.state.last_request}
            self._send(200, answer)
            return
        match = _MODEL_PATH.match(path)
        if match is None:
            self._send_error(404, "NOT_FOUND", "Not found")
            return
        with self.state.lock:
            self.state.requests += 1
            self.state.model_get += 1
        if not self._authorized():
            return
        status = self._failure_status()
        if not self._sleep(self.state.delay_ms):
            return
        if status is not None:
            self._send_error(status)
            return
        model = match["model"]
        self._send(
            200,
            {
                "name": f"models/{model}",
                "version": "001",
                "displayName": f"Fake {model}",
                "inputTokenLimit": 1_048_576,
                "outputTokenLimit": 65_536,
                "supportedGenerationMethods": ["generateContent", "countTokens"],
            },
        )

    def do_POST(self) -> None:
        path = self._path()
        body = self._read_json()
        if body is None:
            self._send_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
            return
        if path in ("/_control", "/_reset"):
            with self.state.lock:
                problem: str | None = None
                if path == "/_reset":
                    self.state.reset()
                else:
                    try:
                        self.state.apply(body)
                    except ValueError as exc:
                        problem = str(exc)
                answer = self.state.control()
            if problem is not None:
                self._send(400, {"error": "Bad Request", "message": problem})
            else:
                self._send(200, answer)
            return
        match = _GENERATE_PATH.match(path)
        if match is None:
            self._send_error(404, "NOT_FOUND", "Not found")
            return
        with self.state.lock:
            self.state.requests += 1
            self.state.generate += 1
            self.state.last_request = body
            mode, delay_ms, slow_ms, text = self.state.mode, self.state.delay_ms, self.state.slow_ms, self.state.text
        if not self._authorized():
            return
        status = self._failure_status()
        if not self._sleep(delay_ms + (slow_ms if mode == "slow" else 0)):
            return
        if status is not None:
            self._send_error(status)
            return
        self._send(200, _generate(match["model"], body, mode, text))

    def _failure_status(self) -> int | None:
        """The HTTP error this request should get in the current mode, if any."""
        with self.state.lock:
            mode = self.state.mode
            if mode == "rate_limited":
                return 429
            if mode == "server_error":
                return self.state.error_status or 500
            if mode == "flaky" and self.state.flaky_pending:
                self.state.flaky_pending = False
                return self.state.flaky_status
        return None


# -- answers --------------------------------------------------------------------------------


def _texts(content: Any) -> list[str]:
    if not isinstance(content, dict):
        return []
    parts = content.get("parts")
    if not isinstance(parts, list):
        return []
    return [p["text"] for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str)]


def _tokens(text: str) -> int:
    # Roughly what Gemini's tokenizer gives for European text: four characters a token.
    return max(1, len(text) // 4)


def _structured_answer(system: str, message: str) -> dict[str, Any]:
    passage = _PASSAGE.search(system)
    language_match = _LANGUAGE.search(system)
    language = (language_match["code"] if language_match else "en").lower()
    if passage and passage["text"].strip():
        text = " ".join(passage["text"].split())
        reply = text if len(text) <= 400 else text[:397].rstrip() + "..."
    else:
        reply = _GENERIC_REPLY.get(language.split("-")[0], _GENERIC_REPLY["en"])
    email = _EMAIL.search(message)
    phone = _PHONE.search(message.replace(email[0], "") if email else message)
    name = _NAME.search(message)
    return {
        "reply": reply,
        "intent": "other",
        "lead": {
            "name": name[1] if name else None,
            "phone": " ".join(phone[0].split()) if phone else None,
            "email": email[0] if email else None,
        },
        "wants_human": bool(_HUMAN.search(message)),
    }


def _generate(model: str, body: dict[str, Any], mode: str, text_override: str | None) -> dict[str, Any]:
    system = "\n".join(_texts(body.get("systemInstruction")))
    raw_contents = body.get("contents")
    contents: list[Any] = raw_contents if isinstance(raw_contents, list) else []
    user_turns = [c for c in contents if isinstance(c, dict) and c.get("role", "user") == "user"]
    message = "\n".join(_texts(user_turns[-1])) if user_turns else ""
    prompt_text = system + "".join("".join(_texts(c)) for c in contents)
    prompt_tokens = _tokens(prompt_text)
    response_id = uuid.uuid4().hex[:16]

    if mode == "blocked":
        return {
            "promptFeedback": {
                "blockReason": "SAFETY",
                "safetyRatings": [{"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH", "blocked": True}],
            },
            "usageMetadata": {"promptTokenCount": prompt_tokens, "totalTokenCount": prompt_tokens},
            "modelVersion": model,
            "responseId": response_id,
        }
    if mode == "blocked_candidate":
        return {
            "candidates": [
                {
                    "finishReason": "SAFETY",
                    "index": 0,
                    "safetyRatings": [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": True}],
                }
            ],
            "usageMetadata": {"promptTokenCount": prompt_tokens, "totalTokenCount": prompt_tokens},
            "modelVersion": model,
            "responseId": response_id,
        }
    if text_override is not None:
        text = text_override
    elif mode == "malformed":
        # What a response cut off mid-object looks like.
        text = '{"reply": "Dzień dobry, pakiet Standard kosztuje'
    else:
        text = json.dumps(_structured_answer(system, message), ensure_ascii=False)
    candidate_tokens = _tokens(text)
    return {
        "candidates": [
            {
                "content": {"parts": [{"text": text}], "role": "model"},
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": prompt_tokens,
            "candidatesTokenCount": candidate_tokens,
            "totalTokenCount": prompt_tokens + candidate_tokens,
        },
        "modelVersion": model,
        "responseId": response_id,
    }


# -- entry points ---------------------------------------------------------------------------


def start_fake_gemini(port: int = 0, *, api_key: str | None = None) -> tuple[FakeGeminiServer, str]:
    """Start the fake on 127.0.0.1 in a daemon thread; returns the server and its base URL."""
    server = FakeGeminiServer(("127.0.0.1", port), FakeGeminiState(api_key=api_key))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="fake-gemini", daemon=True)
    thread.start()
    return server, server.base_url


def main(argv: list[str] | None = None) -> int:
    """Run the fake in the foreground until interrupted."""
    parser = argparse.ArgumentParser(description="Local fake of the Gemini generateContent API")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 picks a free one)")
    parser.add_argument("--mode", choices=MODES, default="normal")
    parser.add_argument("--delay-ms", type=int, default=0, help="latency added to every model request")
    parser.add_argument("--api-key", default=None, help="require this x-goog-api-key (default: accept any)")
    args = parser.parse_args(argv)

    server = FakeGeminiServer(("127.0.0.1", args.port), FakeGeminiState(api_key=args.api_key))
    server.state.apply({"mode": args.mode, "delay_ms": args.delay_ms})
    stop = threading.Event()

    def _on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="fake-gemini", daemon=True)
    thread.start()
    print(f"READY {server.base_url}", flush=True)
    while not stop.wait(0.5):
        pass
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
