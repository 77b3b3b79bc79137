"""`chat` function: guest turns, session start, CSAT rating, and the polling fallback."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.bootstrap import container
from shared.domain.upload_tickets import MAX_ATTACHMENT_MB
from shared.http.app import HttpApp, client_ip, json_body, json_object_or_none

if TYPE_CHECKING:
    from flask import Request, Response


def _client(request: Request) -> str:
    """The caller's address, counting the configured trusted proxies from the right of X-Forwarded-For."""
    return client_ip(request, container().settings.trusted_proxies)


def _origins(request: Request) -> set[str]:
    """CORS: the tenant's own origins; a preflight (no body yet) accepts any origin some tenant lists."""
    chat = container().chat
    origin = request.headers.get("Origin", "")
    tenant = request.args.get("tenant")
    if request.method == "OPTIONS" and not tenant:
        return {origin} if container().tenants.origin_known(origin) or origin in chat.settings.dev_origins else set()
    body = json_object_or_none(request) if not tenant else None
    if body is not None:
        tenant = body.get("tenant")
        if tenant is None and isinstance(body.get("conversation_id"), str):
            tenant = body["conversation_id"].rsplit(".", 1)[0]
    return chat.allowed_origins(tenant if isinstance(tenant, str) else None)


app = HttpApp(
    "chat",
    origins=_origins,
    max_body_bytes=64 * 1024,
    project_id=lambda: container().settings.project_id,
    allow_headers=("Content-Type",),
)


@app.route("/api/chat", methods=["POST"])
def turn(request: Request) -> tuple[dict[str, Any], int, dict[str, str]]:
    container().ip_limiter.check(_client(request))
    result = container().chat.turn(json_body(request), request.headers.get("Origin"))
    # Server-Timing lets a client (and the benchmark) tell model time from our own overhead.
    return result.body(), 200, {"Server-Timing": f"model;dur={result.model_ms}"}


@app.route("/api/chat/session", methods=["POST"])
def session(request: Request) -> dict[str, Any]:
    container().ip_limiter.check(_client(request))
    return container().chat.start_session(json_body(request), request.headers.get("Origin"))


@app.route("/api/chat/rating", methods=["POST"])
def rating(request: Request) -> dict[str, Any]:
    container().ip_limiter.check(_client(request))
    return container().chat.rate(json_body(request), request.headers.get("Origin"))


@app.route("/api/chat/messages", methods=["GET"])
def messages(request: Request) -> dict[str, Any]:
    container().poll_limiter.check(_client(request))
    return container().chat.poll(request.args.to_dict())


@app.route("/api/chat/welcome", methods=["GET"])
def welcome(request: Request) -> dict[str, Any]:
    from shared.services.guest import welcome

    return welcome(container().chat, request.args.to_dict(), request.headers.get("Origin"))


@app.route("/api/chat/cancel-handoff", methods=["POST"])
def cancel_handoff(request: Request) -> dict[str, Any]:
    from shared.services.guest import cancel_handoff

    return cancel_handoff(container().chat, json_body(request), request.headers.get("Origin"))


@app.route("/api/chat/uploads", methods=["POST"])
def upload_ticket(request: Request) -> dict[str, Any]:
    container().ip_limiter.check(_client(request))
    return container().attachments.ticket(json_body(request), request.headers.get("Origin"))


# Locally only (the storage emulator cannot sign URLs): the browser PUTs the file here instead.
@app.route("/api/chat/uploads/<ticket>", methods=["PUT"], max_body_bytes=MAX_ATTACHMENT_MB * 1024 * 1024)
def upload(request: Request, ticket: str) -> dict[str, Any]:
    container().ip_limiter.check(_client(request))
    read = lambda _limit: request.get_data(cache=False)  # noqa: E731 - bounded by the route's body limit
    return container().attachments.receive_upload(
        ticket, request.content_type, request.content_length, read, request.headers.get("Origin")
    )


@app.route("/api/chat/attachments", methods=["POST"])
def attachment(request: Request) -> dict[str, Any]:
    container().ip_limiter.check(_client(request))
    return container().attachments.finalize(json_body(request), request.headers.get("Origin"))


def chat(request: Request) -> Response:
    """Entry point."""
    return app(request)
