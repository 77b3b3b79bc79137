"""A small router for HTTP functions: routing, CORS, body limit, and errors mapped to JSON in one place."""

from __future__ import annotations

import io
import json
import math
import re
import time
from collections.abc import Callable, Collection, Iterable
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeAlias

from shared import logs
from shared.domain.errors import (
    BadRequestError,
    ChatdeskError,
    MethodNotAllowedError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitedError,
    ServiceUnavailableError,
)

if TYPE_CHECKING:
    # Flask and werkzeug load on the first request, not at import: they are most of a cold import.
    from flask import Request, Response
    from werkzeug.routing import Map

Handler = Callable[..., Any]
# Given the request, the origins allowed to call it (``"*"`` allows any); may raise ChatdeskError.
OriginPolicy: TypeAlias = "Callable[[Request], Collection[str]]"

_log = logs.get_logger("chatdesk.http")

DEFAULT_MAX_BODY_BYTES = 64 * 1024
# Request bodies are small flat objects: deeper nesting or longer numbers are an attack on the parser, not data.
MAX_JSON_DEPTH = 32
MAX_NUMBER_CHARS = 40
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")
_PARSED = "chatdesk.json_body"  # where a parsed body is kept on the WSGI environ, so it is parsed once


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response that never escapes non-ASCII text (Polish replies stay readable)."""
    from flask import Response

    response = Response(json.dumps(body, ensure_ascii=False, default=str), status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def error_response(exc: BaseException) -> Response:
    """Map any exception to ``{"error", "message"}`` with the right status; internals never leak."""
    from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

    if isinstance(exc, ChatdeskError):
        body: dict[str, Any] = {"error": exc.error, "message": exc.message}
        if exc.details is not None:
            body["details"] = exc.details
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, (RateLimitedError, ServiceUnavailableError)) else None
        return json_response(body, exc.status, headers)
    if isinstance(exc, RequestEntityTooLarge):
        return error_response(PayloadTooLargeError("Request body is too large"))
    if isinstance(exc, HTTPException):
        code = exc.code or 500
        return json_response({"error": exc.name, "message": exc.description or exc.name}, code)
    _log.error("unhandled error", exc_info=(type(exc), exc, exc.__traceback__))
    return json_response({"error": "Internal Server Error", "message": "Something went wrong on our side"}, 500)


def json_body(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or a 400 that says what is wrong (413 when it is too large)."""
    cached = request.environ.get(_PARSED)
    if isinstance(cached, dict):
        return cached
    raw = request.get_data(cache=True)
    if not raw:
        raise BadRequestError("Request body must be a JSON object")
    data = parse_json_object(raw)
    request.environ[_PARSED] = data
    return data


def json_object_or_none(request: Request) -> dict[str, Any] | None:
    """The body as a JSON object when it is one, else None (for checks that run before the handler, like CORS)."""
    from werkzeug.exceptions import RequestEntityTooLarge

    if not request.is_json:
        return None
    try:
        return json_body(request)
    except (BadRequestError, RequestEntityTooLarge):
        return None


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """Strict JSON: UTF-8, at most MAX_JSON_DEPTH deep, finite numbers of sane length, an object at the top."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:  # includes UTF-8-encoded lone surrogates
        raise BadRequestError("Request body is not valid JSON (UTF-8)") from None
    if _nesting_depth(text) > MAX_JSON_DEPTH:
        raise BadRequestError(f"Request body is nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        data = json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):  # JSONDecodeError and our number checks are ValueErrors
        raise BadRequestError("Request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadRequestError("Request body must be a JSON object")
    return data


def _nesting_depth(text: str) -> int:
    depth = deepest = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        depth += 1 if match.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _parse_int(token: str) -> int:
    if len(token) > MAX_NUMBER_CHARS:
        raise ValueError("number too long")
    return int(token)


def _parse_float(token: str) -> float:
    value = float(token) if len(token) <= MAX_NUMBER_CHARS else math.inf
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _refuse_constant(token: str) -> Any:
    raise ValueError(f"{token} is not JSON")


def client_ip(request: Request, trusted_proxies: int = 1) -> str:
    """The caller's address as the last trusted proxy saw it.

    Each proxy in front of us (Google's front end, Hosting) appends the address it was called from to
    X-Forwarded-For; anything to the left of those entries came from the client and may be forged.
    """
    entries = [e.strip() for e in request.headers.get("X-Forwarded-For", "").split(",") if e.strip()]
    if trusted_proxies <= 0 or not entries:
        return request.remote_addr or "unknown"
    return entries[-min(trusted_proxies, len(entries))]


class HttpApp:
    """Routes a function's requests to handlers; the function's entry point is ``app(request)``."""

    def __init__(
        self,
        name: str,
        *,
        origins: OriginPolicy | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        project_id: Callable[[], str] = lambda: "demo-chatdesk",
        allow_headers: Iterable[str] = ("Content-Type", "Authorization", "X-API-Key"),
    ) -> None:
        self.name = name
        self._origins = origins
        self._max_body_bytes = max_body_bytes
        self._project_id = project_id
        self._allow_headers = ", ".join(allow_headers)
        self._routes: list[tuple[str, str, list[str]]] = []
        self._handlers: dict[str, Handler] = {}
        self._body_limits: dict[str, int] = {}

    def route(
        self, rule: str, methods: Iterable[str] = ("GET",), *, max_body_bytes: int | None = None
    ) -> Callable[[Handler], Handler]:
        """Register ``handler(request, **path_args)``; it returns a body, ``(body, status)`` or a Response.

        ``max_body_bytes`` gives one route its own body limit (a file upload) instead of the app's.
        """

        def register(handler: Handler) -> Handler:
            endpoint = f"{handler.__name__}:{rule}"
            self._routes.append((rule, endpoint, list(methods)))
            self._handlers[endpoint] = handler
            if max_body_bytes is not None:
                self._body_limits[endpoint] = max_body_bytes
            return handler

        return register

    @cached_property
    def _map(self) -> Map:
        from werkzeug.routing import Map, Rule

        return Map(
            [Rule(rule, endpoint=endpoint, methods=methods) for rule, endpoint, methods in self._routes], strict_slashes=False
        )

    def rules(self) -> list[tuple[str, list[str]]]:
        """Every route and its methods (for tests and docs)."""
        return [(rule, sorted(methods)) for rule, _, methods in self._routes]

    def __call__(self, request: Request) -> Response:
        started = time.perf_counter()
        token = logs.bind(
            function=self.name, trace=logs.trace_resource(request.headers.get("X-Cloud-Trace-Context"), self._project_id())
        )
        response: Response
        try:
            response = self._dispatch(request)
        except Exception as exc:  # noqa: BLE001 - the one place errors become responses
            response = error_response(exc)
        try:
            self._apply_cors(request, response)
        except Exception as exc:  # noqa: BLE001 - an unknown tenant in preflight is the caller's error
            response = error_response(exc)
        # A 500 is our bug (CRITICAL); a 503 is a dependency (WARNING); the rest is traffic.
        level = {500: 50, 503: 30}.get(response.status_code, 20)
        _log.log(
            level,
            f"{request.method} {request.path} {response.status_code}",
            extra={
                "fields": {
                    "httpRequest": {
                        "requestMethod": request.method,
                        "requestUrl": request.path,
                        "status": response.status_code,
                        "latency": f"{time.perf_counter() - started:.4f}s",
                    }
                }
            },
        )
        logs.reset(token)
        return response

    def _dispatch(self, request: Request) -> Response:
        from flask import Response
        from werkzeug.exceptions import MethodNotAllowed, NotFound

        limit = self._body_limit(request)
        too_large = PayloadTooLargeError(f"Request body is over {limit // 1024} KiB")
        if request.content_length is not None and request.content_length > limit:
            raise too_large
        if request.content_length is None and request.environ.get("wsgi.input_terminated"):
            # A chunked body has no length up front: read one byte past the limit to tell "too large" from "cut off".
            body = _read_at_most(request.environ["wsgi.input"], limit + 1)
            if len(body) > limit:
                raise too_large
            request.environ.update({"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))})
            for key in ("wsgi.input_terminated", "HTTP_TRANSFER_ENCODING"):  # from here on it is a body of known length
                request.environ.pop(key, None)
        request.max_content_length = limit
        if request.method == "OPTIONS":
            return Response(status=204)
        adapter = self._map.bind("localhost", path_info=request.path, url_scheme="http")
        try:
            endpoint, args = adapter.match(method=request.method)
        except NotFound:
            raise NotFoundError(f"No route for {request.path}") from None
        except MethodNotAllowed:
            raise MethodNotAllowedError(f"{request.method} is not allowed on {request.path}") from None
        result = self._handlers[str(endpoint)](request, **args)
        return _to_response(result)

    def _body_limit(self, request: Request) -> int:
        """The matched route's own body limit, else the app's (matching reads no body)."""
        if not self._body_limits or request.method == "OPTIONS":
            return self._max_body_bytes
        from werkzeug.exceptions import HTTPException

        try:
            endpoint, _ = self._map.bind("localhost", path_info=request.path, url_scheme="http").match(method=request.method)
        except HTTPException:
            return self._max_body_bytes
        return self._body_limits.get(str(endpoint), self._max_body_bytes)

    def _apply_cors(self, request: Request, response: Response) -> None:
        origin = request.headers.get("Origin")
        if not origin or self._origins is None:
            return
        allowed = self._origins(request)
        if "*" in allowed or origin in allowed:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
            if request.method == "OPTIONS":
                response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
                response.headers["Access-Control-Allow-Headers"] = self._allow_headers
                response.headers["Access-Control-Max-Age"] = "3600"


def _read_at_most(stream: Any, limit: int) -> bytes:
    """Up to ``limit`` bytes of a stream whose reads may return short (a de-chunking server gives a chunk at a time)."""
    parts: list[bytes] = []
    size = 0
    while size < limit:
        part = stream.read(limit - size)
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def _to_response(result: Any) -> Response:
    from flask import Response

    if isinstance(result, Response):
        return result
    if isinstance(result, tuple):
        body, status, *rest = result
        return json_response(body, status, rest[0] if rest else None)
    return json_response(result)
