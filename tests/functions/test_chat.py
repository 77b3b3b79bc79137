"""The chat function's HTTP contract through functions-framework, against the local Firestore and Auth."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from google.cloud.firestore_v1.base_query import FieldFilter

from shared.bootstrap import container, reset_container
from tests.conftest import function_app

CONTRACT_KEYS = {"session_id", "conversation_id", "response", "source", "intent", "language", "suggestions", "timestamp"}


@pytest.fixture()
def client(demo_tenants: None):  # type: ignore[no-untyped-def]
    return function_app("chat").test_client()


def db():  # type: ignore[no-untyped-def]
    return container().clients.firestore


def conversation_doc(conversation_id: str):  # type: ignore[no-untyped-def]
    tenant = conversation_id.rsplit(".", 1)[0]
    return db().collection("tenants").document(tenant).collection("conversations").document(conversation_id)


def test_a_polish_question_gets_the_contract_shape_and_is_stored(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/chat", json={"tenant": "novahouse", "message": "Ile kosztuje pakiet Standard za 60 m2?"})
    body = response.get_json()
    assert response.status_code == 200, body
    assert set(body) >= CONTRACT_KEYS
    assert body["source"] == "tool" and "72 000 zł" in body["response"] and body["language"] == "pl"

    ref = conversation_doc(body["conversation_id"])
    stored = ref.get().to_dict()
    assert stored["mode"] == "bot" and stored["channel"] == "web" and stored["message_count"] == 2
    assert "session_id" not in stored  # the guest's credential never lands where agents can read it
    assert stored["last_message"]["role"] == "bot"
    roles = [m.to_dict()["role"] for m in ref.collection("messages").order_by("created_at").stream()]
    assert roles == ["guest", "bot"]


def test_roll_ups_are_sharded_daily_counters(client) -> None:  # type: ignore[no-untyped-def]
    body = client.post("/api/chat", json={"tenant": "hotel", "message": "What time is check-in?"}).get_json()
    assert body["source"] == "faq", body
    today = datetime.now(ZoneInfo("Europe/Warsaw")).date()
    shards = (
        db()
        .collection("tenants")
        .document("hotel")
        .collection("metric_months")
        .where(filter=FieldFilter("month", "==", f"{today:%Y-%m}"))
    )
    totals = {"messages": 0, "faq": 0}
    for shard in shards.stream():
        data = shard.to_dict()
        totals["messages"] += int(data.get(f"d{today:%d}__messages", 0))
        totals["faq"] += int(data.get(f"d{today:%d}__by_source__faq", 0))
    assert totals["messages"] >= 2 and totals["faq"] >= 1


def test_a_session_token_signs_in_on_the_auth_emulator_with_conversation_claims(client, local_cloud) -> None:  # type: ignore[no-untyped-def]
    started = client.post("/api/chat/session", json={"tenant": "novahouse"}).get_json()
    assert started["greeting"].startswith("Dzień dobry")
    host = local_cloud["FIREBASE_AUTH_EMULATOR_HOST"]
    signed_in = requests.post(
        f"http://{host}/identitytoolkit.googleapis.com/v1/accounts:signInWithCustomToken?key=local",
        json={"token": started["token"], "returnSecureToken": True},
        timeout=10,
    )
    assert signed_in.status_code == 200, signed_in.text
    claims = container().clients.auth.verify_id_token(signed_in.json()["idToken"], app=container().clients.firebase_app)
    assert claims["conversation_id"] == started["conversation_id"]
    assert claims["role"] == "guest" and claims["tenant"] == "novahouse"
    assert conversation_doc(started["conversation_id"]).get().exists


def test_the_guest_can_poll_its_messages_after_a_cursor(client) -> None:  # type: ignore[no-untyped-def]
    first = client.post("/api/chat", json={"tenant": "novahouse", "message": "Jaka jest gwarancja?"}).get_json()
    query = {"tenant": "novahouse", "conversation_id": first["conversation_id"], "session_id": first["session_id"]}
    page = client.get("/api/chat/messages", query_string=query).get_json()
    assert [m["role"] for m in page["messages"]] == ["guest", "bot"] and page["mode"] == "bot"
    client.post("/api/chat", json={"tenant": "novahouse", "message": "A ile trwa remont?", "session_id": first["session_id"]})
    later = client.get("/api/chat/messages", query_string={**query, "after": page["cursor"]}).get_json()
    assert [m["role"] for m in later["messages"]] == ["guest", "bot"]
    assert later["messages"][0]["text"] == "A ile trwa remont?"


def test_a_rating_is_stored_once(client) -> None:  # type: ignore[no-untyped-def]
    turn = client.post("/api/chat", json={"tenant": "novahouse", "message": "Jaka jest gwarancja?"}).get_json()
    body = {"conversation_id": turn["conversation_id"], "session_id": turn["session_id"], "score": 4, "comment": "Dzięki"}
    assert client.post("/api/chat/rating", json=body).get_json()["already_rated"] is False
    assert client.post("/api/chat/rating", json={**body, "score": 1}).get_json()["already_rated"] is True
    stored = conversation_doc(turn["conversation_id"]).get().to_dict()
    assert (stored["rating"], stored["rating_comment"]) == (4, "Dzięki")


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"json": {"tenant": "novahouse", "message": ""}}, 400),
        ({"json": {"tenant": "novahouse", "message": "a" * 2001}}, 400),
        ({"json": {"tenant": "novahouse", "message": "bell\x07"}}, 400),
        ({"data": "{oops", "content_type": "application/json"}, 400),
        ({"data": json.dumps({"tenant": "novahouse", "message": "x" * 70_000}), "content_type": "application/json"}, 413),
        ({"json": {"tenant": "no-such-tenant", "message": "hej"}}, 404),
    ],
)
def test_bad_input_gets_a_clear_json_error_and_stores_nothing(client, kwargs, status) -> None:  # type: ignore[no-untyped-def]
    before = len(list(db().collection("tenants").document("novahouse").collection("conversations").stream()))
    response = client.post("/api/chat", **kwargs)
    assert response.status_code == status
    assert set(response.get_json()) >= {"error", "message"}
    after = len(list(db().collection("tenants").document("novahouse").collection("conversations").stream()))
    assert after == before


def test_cors_answers_only_the_tenants_origins(client) -> None:  # type: ignore[no-untyped-def]
    allowed = client.post(
        "/api/chat", json={"tenant": "novahouse", "message": "Jaka jest gwarancja?"}, headers={"Origin": "https://novahouse.pl"}
    )
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://novahouse.pl"
    other = client.post(
        "/api/chat", json={"tenant": "novahouse", "message": "Jaka jest gwarancja?"}, headers={"Origin": "https://evil.example"}
    )
    assert other.status_code == 403
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.options("/api/chat", headers={"Origin": "https://novahouse.pl", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204 and preflight.headers["Access-Control-Allow-Origin"] == "https://novahouse.pl"
    unknown = client.options("/api/chat", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in unknown.headers


def test_a_flood_from_one_session_is_answered_429_with_retry_after(client) -> None:  # type: ignore[no-untyped-def]
    first = client.post("/api/chat", json={"tenant": "novahouse", "message": "Jaka jest gwarancja?"}).get_json()
    statuses = []
    for _ in range(25):
        response = client.post(
            "/api/chat", json={"tenant": "novahouse", "message": "A płatności?", "session_id": first["session_id"]}
        )
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert int(response.headers["Retry-After"]) >= 1
            assert response.get_json()["error"] == "Too Many Requests"
            break
    assert statuses[-1] == 429 and statuses.count(200) == 19


def test_a_turn_costs_at_most_three_reads_and_exactly_one_commit_at_the_firestore_client(demo_tenants: None) -> None:
    from tools.firestore_meter import metered

    reset_container()  # a cold instance: tenant config and knowledge must be read too
    client = function_app("chat").test_client()
    session: dict[str, str] = {}
    with metered(container().clients.firestore) as meter:
        # A cold first turn reads the tenant's version and knowledge; the session's next turn reads its conversation.
        for message in ("Jaka jest gwarancja?", "Ile kosztuje pakiet Premium za 80 m2?"):
            before = meter.snapshot()
            body = client.post("/api/chat", json={"tenant": "novahouse", "message": message, **session}).get_json()
            after = meter.snapshot()
            assert body["source"] in {"faq", "tool"}
            assert 1 <= after["reads"] - before["reads"] <= 3, meter.calls
            assert after["commits"] - before["commits"] == 1, meter.calls
            session = {"session_id": body["session_id"]}


def test_the_welcome_and_cancelling_a_wait_work_through_the_function_on_firestore(client) -> None:  # type: ignore[no-untyped-def]
    welcome = client.get("/api/chat/welcome?tenant=novahouse&language=en")
    assert welcome.status_code == 200, welcome.get_json()
    info = welcome.get_json()
    assert set(info["availability"]) == {"open", "next_opening", "timezone", "text"} and len(info["suggestions"]) == 3
    assert info["privacy_policy_url"] == "https://novahouse.pl/polityka-prywatnosci"  # the widget's GDPR notice links it

    body = client.post("/api/chat", json={"tenant": "novahouse", "message": "Chcę porozmawiać z konsultantem"}).get_json()
    assert body["mode"] == "pending", body
    bot = [m.to_dict() for m in conversation_doc(body["conversation_id"]).collection("messages").stream()]
    assert any(m["role"] == "bot" for m in bot)
    ids = {"conversation_id": body["conversation_id"], "session_id": body["session_id"]}
    cancelled = client.post("/api/chat/cancel-handoff", json=ids)
    assert cancelled.status_code == 200 and cancelled.get_json()["mode"] == "bot", cancelled.get_json()
    assert conversation_doc(body["conversation_id"]).get().to_dict()["mode"] == "bot"
    again = client.post("/api/chat/cancel-handoff", json=ids)
    assert again.status_code == 409 and set(again.get_json()) == {"error", "message"}


def test_a_bot_message_keeps_its_confidence_and_the_faq_it_used_in_firestore(client) -> None:  # type: ignore[no-untyped-def]
    body = client.post("/api/chat", json={"tenant": "hotel", "message": "What time is check-in?"}).get_json()
    ref = conversation_doc(body["conversation_id"]).collection("messages")
    bot = next(m.to_dict() for m in ref.stream() if m.to_dict()["role"] == "bot")
    assert bot["used"] == ["check-in"] and 0.48 <= bot["confidence"] <= 1.0
