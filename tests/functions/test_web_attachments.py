"""Web widget attachments through the gateway: ticket → upload (the local route) → finalize → the agent sees the file.

Nothing uploaded is public: the object sits in the private media bucket, and only the tenant's agents
read it back through the agent function.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from shared.domain.conversation import tenant_of

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"1 0 obj << >> endobj\n" * 20
ORIGIN = {"Origin": "https://novahouse.pl"}
ORIGINS = {"novahouse": "https://novahouse.pl", "hotel": "https://vistulariverside.pl"}


@pytest.fixture(scope="module")
def agent(local_cloud: dict[str, str], demo_tenants: None) -> dict[str, str]:
    from tests.functions.test_agent import sign_in

    return {"Authorization": sign_in(local_cloud, tenant="novahouse", name="Ola")["authorization"]}


def _session(gateway: str, tenant: str = "novahouse") -> dict[str, str]:
    body = requests.post(f"{gateway}/api/chat/session", json={"tenant": tenant}, timeout=10).json()
    return {"conversation_id": body["conversation_id"], "session_id": body["session_id"]}


def _origin(conversation_id: str) -> dict[str, str]:
    return {"Origin": ORIGINS[tenant_of(conversation_id)]}


def _ticket(gateway: str, session: dict[str, str], content_type: str, size: int) -> requests.Response:
    body = {**session, "content_type": content_type, "size": size}
    return requests.post(f"{gateway}/api/chat/uploads", json=body, headers=_origin(session["conversation_id"]), timeout=10)


def _upload(gateway: str, ticket: dict[str, Any], data: bytes) -> requests.Response:
    target = ticket["upload"]
    origin = {"Origin": ORIGINS[target["url"].rsplit("tenant=", 1)[-1]]}
    return requests.request(
        target["method"], gateway + target["url"], data=data, headers={**target["headers"], **origin}, timeout=30
    )


def _finalize(gateway: str, session: dict[str, str], ticket: dict[str, Any], name: str = "mieszkanie.png") -> requests.Response:
    body = {**session, "ticket": ticket["ticket"], "file_name": name}
    return requests.post(f"{gateway}/api/chat/attachments", json=body, headers=_origin(session["conversation_id"]), timeout=30)


def _guest_messages(session: dict[str, str]) -> list[Any]:
    from shared.bootstrap import container

    conv = session["conversation_id"]
    return [m for m in container().conversations.messages_after(tenant_of(conv), conv, None, 50) if m.role == "guest"]


def _object(session: dict[str, str], name: str) -> Any:
    from google.cloud import storage

    conv = session["conversation_id"]
    path = f"tenants/{tenant_of(conv)}/conversations/{conv}/media/{name}"
    return storage.Client().bucket("demo-chatdesk-media").get_blob(path)


def test_a_guests_photo_is_uploaded_finalized_once_and_the_agent_fetches_it(gateway: str, agent: dict[str, str]) -> None:
    session = _session(gateway)
    response = _ticket(gateway, session, "image/png", len(PNG))
    assert response.status_code == 200, response.text
    ticket = response.json()
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN["Origin"]
    uploaded = _upload(gateway, ticket, PNG)
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.headers["Access-Control-Allow-Origin"] == ORIGIN["Origin"]
    first = _finalize(gateway, session, ticket)
    assert first.status_code == 200, first.text
    assert first.json()["message"]["text"] == "📎 mieszkanie.png"
    again = _finalize(gateway, session, ticket)
    assert again.status_code == 200 and again.json()["already"] is True
    [guest] = _guest_messages(session)
    assert guest.attachments[0].content_type == "image/png" and guest.attachments[0].size == len(PNG)

    conv = session["conversation_id"]
    detail = requests.get(f"{gateway}/api/agent/conversations/{conv}/messages", headers=agent, timeout=30).json()
    [attachment] = next(m["attachments"] for m in detail["messages"] if m.get("attachments"))
    assert attachment == {"name": ticket["name"], "content_type": "image/png", "size": len(PNG)}
    got = requests.get(f"{gateway}/api/agent/conversations/{conv}/media/{ticket['name']}", headers=agent, timeout=30)
    assert got.status_code == 200 and got.content == PNG and got.headers["Content-Type"] == "image/png"


def test_a_cors_preflight_for_the_upload_answers_for_the_tenants_origin(gateway: str, demo_tenants: None) -> None:
    session = _session(gateway)
    ticket = _ticket(gateway, session, "application/pdf", len(PDF)).json()
    preflight = requests.options(
        gateway + ticket["upload"]["url"],
        headers={**ORIGIN, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type"},
        timeout=10,
    )
    assert preflight.status_code == 204 and preflight.headers["Access-Control-Allow-Origin"] == ORIGIN["Origin"]
    assert "PUT" in preflight.headers["Access-Control-Allow-Methods"]


def test_a_text_file_renamed_png_is_refused_politely_deleted_and_nothing_is_stored(gateway: str, demo_tenants: None) -> None:
    session = _session(gateway)
    text = b"Dear hotel, these are my notes, not a photo at all." * 4
    ticket = _ticket(gateway, session, "image/png", len(text)).json()
    assert _upload(gateway, ticket, text).status_code == 200  # storage takes any bytes; finalize decides
    refused = _finalize(gateway, session, ticket, "notes.png")
    assert refused.status_code == 415 and refused.json()["error"] == "Unsupported Media Type"
    assert "only accept photos" in refused.json()["message"]
    assert _guest_messages(session) == []
    assert _object(session, ticket["name"]) is None


def test_files_over_the_tenants_limit_are_refused_at_the_ticket_and_at_the_upload(gateway: str, demo_tenants: None) -> None:
    session = _session(gateway, "hotel")  # the hotel keeps the default 10 MB; NovaHouse's seed allows 50 MB
    over = _ticket(gateway, session, "image/jpeg", 10 * 1024 * 1024 + 1)
    assert over.status_code == 413 and "10 MB" in over.json()["message"]
    ticket = _ticket(gateway, session, "image/png", len(PNG)).json()
    larger = _upload(gateway, ticket, PNG + b"\x00" * 100)  # more than the ticket was given for
    assert larger.status_code == 413
    assert _object(session, ticket["name"]) is None
    assert _finalize(gateway, session, ticket).status_code == 404
    assert _guest_messages(session) == []


def test_another_conversations_ticket_is_refused_and_stores_nothing(gateway: str, demo_tenants: None) -> None:
    owner, stranger = _session(gateway), _session(gateway)
    ticket = _ticket(gateway, owner, "image/png", len(PNG)).json()
    assert _upload(gateway, ticket, PNG).status_code == 200
    refused = _finalize(gateway, stranger, ticket)
    assert refused.status_code == 403
    assert _guest_messages(stranger) == [] and _guest_messages(owner) == []
    forged = {**stranger, "session_id": owner["session_id"]}
    assert _ticket(gateway, forged, "image/png", 10).status_code == 403


def test_a_tampered_or_made_up_ticket_cannot_upload(gateway: str, demo_tenants: None) -> None:
    session = _session(gateway)
    ticket = _ticket(gateway, session, "image/png", len(PNG)).json()
    tag = ticket["ticket"].split(".")[1]
    forged = {**ticket, "upload": {**ticket["upload"], "url": ticket["upload"]["url"].replace(tag, tag[::-1])}}
    assert _upload(gateway, forged, PNG).status_code == 403
    assert _object(session, ticket["name"]) is None


def test_nothing_uploaded_is_publicly_readable(gateway: str, demo_tenants: None) -> None:
    session = _session(gateway)
    ticket = _ticket(gateway, session, "image/png", len(PNG)).json()
    _upload(gateway, ticket, PNG)
    _finalize(gateway, session, ticket)
    conv = session["conversation_id"]
    # No URL for the guest, none through Hosting, and the agent route wants a signed-in agent of the tenant.
    assert "url" not in _finalize(gateway, session, ticket).json()["attachment"]
    assert requests.get(f"{gateway}/api/agent/conversations/{conv}/media/{ticket['name']}", timeout=10).status_code == 401
    path = f"tenants/novahouse/conversations/{conv}/media/{ticket['name']}"
    assert requests.get(f"{gateway}/{path}", timeout=10).status_code == 404
    assert requests.get(gateway + ticket["upload"]["url"], timeout=10).status_code == 405  # the upload route only takes a PUT
    assert _object(session, ticket["name"]) is not None  # it is there, just not for anyone else
