"""Issue 10, defects 4–6 through the chat function against the local Firestore: races, forged ids, retries, 503s."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest

from shared.bootstrap import container
from shared.domain.errors import ServiceUnavailableError
from tests.conftest import function_app


@pytest.fixture()
def client(demo_tenants: None):  # type: ignore[no-untyped-def]
    return function_app("chat").test_client()


def _conversation(conversation_id: str) -> Any:
    tenant = conversation_id.rsplit(".", 1)[0]
    return (
        container().clients.firestore.collection("tenants").document(tenant).collection("conversations").document(conversation_id)
    )


def test_a_made_up_session_id_is_a_400_and_nothing_is_stored(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/chat", json={"tenant": "novahouse", "message": "Jaka jest gwarancja?", "session_id": "s_" + "a" * 40}
    )
    assert response.status_code == 400
    assert set(response.get_json()) >= {"error", "message"}
    assert "session_id" in response.get_json()["message"]


def test_forty_parallel_turns_on_one_session_keep_the_limit_and_exact_counts(client) -> None:  # type: ignore[no-untyped-def]
    first = client.post("/api/chat", json={"tenant": "novahouse", "message": "Jaka jest gwarancja?"}).get_json()
    limit = container().settings.session_turns_per_minute
    statuses: list[int] = []
    lock = threading.Lock()

    def turn() -> None:
        local = function_app("chat").test_client()
        body = {"tenant": "novahouse", "message": "A ile trwa remont?", "session_id": first["session_id"]}
        status = local.post("/api/chat", json=body).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=turn) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    accepted = statuses.count(200)
    assert set(statuses) <= {200, 409, 429}
    assert 1 <= accepted <= limit - 1  # the first turn used one slot of the minute
    ref = _conversation(first["conversation_id"])
    stored = ref.get().to_dict()
    messages = [d.to_dict() for d in ref.collection("messages").stream()]
    assert stored["message_count"] == len(messages)
    assert stored["guest_message_count"] == sum(1 for m in messages if m["role"] == "guest") == 1 + accepted
    assert stored["rate_count"] == 1 + accepted


def test_a_retried_client_message_id_returns_the_first_answer_and_stores_once(client) -> None:  # type: ignore[no-untyped-def]
    first = client.post("/api/chat", json={"tenant": "novahouse", "message": "Jaka jest gwarancja?"}).get_json()
    body = {
        "tenant": "novahouse",
        "message": "Ile kosztuje pakiet Standard za 60 m2?",
        "session_id": first["session_id"],
        "client_message_id": f"m-{uuid.uuid4().hex}",
    }
    one = client.post("/api/chat", json=body)
    two = client.post("/api/chat", json=body)
    assert one.status_code == two.status_code == 200
    assert one.get_json() == two.get_json()
    messages = [d.to_dict() for d in _conversation(first["conversation_id"]).collection("messages").stream()]
    assert sum(1 for m in messages if m["text"] == body["message"]) == 1


def test_a_turns_events_are_in_the_outbox_and_delivered(client) -> None:  # type: ignore[no-untyped-def]
    body = client.post("/api/chat", json={"tenant": "novahouse", "message": "Chcę porozmawiać z konsultantem"}).get_json()
    assert body["mode"] == "pending"
    outbox = container().clients.firestore.collection("tenants").document("novahouse").collection("outbox")
    entries = [d.to_dict() for d in outbox.stream()]
    mine = [e for e in entries if e["event"]["data"].get("conversation_id") == body["conversation_id"]]
    assert [e["event"]["type"] for e in mine] == ["handoff.requested"]
    assert mine[0]["delivered"] is True  # published within the turn's short wait, and marked


def test_a_database_outage_is_a_503_with_retry_after(client, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    def down(*_args: object, **_kwargs: object) -> None:
        raise ServiceUnavailableError("The database is not answering, try again shortly", retry_after=5)

    first = client.post("/api/chat", json={"tenant": "novahouse", "message": "Jaka jest gwarancja?"}).get_json()
    monkeypatch.setattr(container().conversations, "get", down)
    response = client.post("/api/chat", json={"tenant": "novahouse", "message": "Hej", "session_id": first["session_id"]})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json()["error"] == "Service Unavailable"
