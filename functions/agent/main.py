"""`agent` function: signed-in agents and admins list conversations, take over, reply, return to bot, close, note."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.bootstrap import container
from shared.http.app import HttpApp, json_body

if TYPE_CHECKING:
    from flask import Request, Response

    from shared.services.agent import Principal

# The dashboard is served from the same origin as the API (Hosting rewrites), so no CORS is offered.
app = HttpApp("agent", max_body_bytes=16 * 1024, project_id=lambda: container().settings.project_id)
CONVERSATION = "/api/agent/conversations/<conversation_id>"


def _caller(request: Request) -> Principal:
    return container().verifier.verify(request.headers.get("Authorization"))


@app.route("/api/agent/me")
def me(request: Request) -> dict[str, Any]:
    return container().agent.me(_caller(request))


@app.route("/api/agent/conversations")
def conversations(request: Request) -> dict[str, Any]:
    caller = _caller(request)
    args = request.args
    return container().agent.list_conversations(caller, args.get("mode"), args.get("limit"), args.get("q"))


@app.route(f"{CONVERSATION}/messages")
def messages(request: Request, conversation_id: str) -> dict[str, Any]:
    return container().agent.conversation_detail(_caller(request), conversation_id, request.args.get("after"))


@app.route(f"{CONVERSATION}/contact")
def contact(request: Request, conversation_id: str) -> dict[str, Any]:
    from shared.services.contacts import contact_card

    return contact_card(container().conversations, _caller(request), conversation_id)


@app.route(f"{CONVERSATION}/takeover", methods=["POST"])
def take_over(request: Request, conversation_id: str) -> dict[str, Any]:
    return container().agent.take_over(_caller(request), conversation_id)


@app.route(f"{CONVERSATION}/reply", methods=["POST"])
def reply(request: Request, conversation_id: str) -> dict[str, Any]:
    caller = _caller(request)
    return container().agent.reply(caller, conversation_id, json_body(request).get("text"))


@app.route(f"{CONVERSATION}/release", methods=["POST"])
def release(request: Request, conversation_id: str) -> dict[str, Any]:
    return container().agent.release(_caller(request), conversation_id)


@app.route(f"{CONVERSATION}/close", methods=["POST"])
def close(request: Request, conversation_id: str) -> dict[str, Any]:
    return container().agent.close(_caller(request), conversation_id)


@app.route(f"{CONVERSATION}/notes", methods=["POST"])
def note(request: Request, conversation_id: str) -> dict[str, Any]:
    caller = _caller(request)
    return container().agent.add_note(caller, conversation_id, json_body(request).get("text"))


@app.route(f"{CONVERSATION}/media/<name>")
def media(request: Request, conversation_id: str, name: str) -> Response:
    """A photo or PDF the guest sent; private to the tenant's staff, never cached by shared caches."""
    from flask import Response

    from shared.services.media import staff_media

    data, content_type = staff_media(container().media, _caller(request).tenant, conversation_id, name)
    headers = {"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff", "Content-Disposition": "inline"}
    return Response(data, mimetype=content_type, headers=headers)


@app.route("/api/agent/dead-letters")
def dead_letters(request: Request) -> dict[str, Any]:
    """The caller's tenant's events that failed every delivery attempt (admins only)."""
    from shared.services.dead_letter_presenters import dead_letter_list
    from shared.services.dead_letters import recent_dead_letters

    caller = _caller(request)
    letters = recent_dead_letters(container().dead_letters, caller, request.args.get("tenant"), request.args.get("limit"))
    return dead_letter_list(letters)


@app.route("/api/agent/canned-responses")
def canned_responses(request: Request) -> dict[str, Any]:
    """The caller's own tenant's canned responses (the token names the tenant; no other can be asked for)."""
    return container().canned.for_staff(_caller(request).tenant, request.args.get("language"))


def agent(request: Request) -> Response:
    """Entry point."""
    return app(request)
