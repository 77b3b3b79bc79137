"""Hostile input at the function edge (issue 10): parser bombs, broken Unicode, forged addresses, floods.

Every case goes through functions-framework against the local Firestore and Auth emulator, and
checks the status, the JSON error shape, and that nothing was stored.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from shared.bootstrap import container
from shared.services.rate_limits import IpRateLimiter
from tests.conftest import function_app, random_id
from tests.helpers import sign_in_with_password
from tools.agents import create_agent

HUGE_NUMBER = '{"tenant": "novahouse", "message": "hej", "score": ' + "7" * 5000 + "}"
DEEP = '{"tenant": "novahouse", "message": "hej", "x": ' + "[" * 2000 + "]" * 2000 + "}"
DEEP_OBJECTS = '{"text": "hej", "x": ' + '{"a": ' * 2000 + "1" + "}" * 2000 + "}"
BOMBS = [HUGE_NUMBER, DEEP, DEEP_OBJECTS]


@pytest.fixture()
def chat(demo_tenants: None):  # type: ignore[no-untyped-def]
    return function_app("chat").test_client()


@pytest.fixture()
def agent_app(demo_tenants: None):  # type: ignore[no-untyped-def]
    return function_app("agent").test_client()


def own_address() -> dict[str, str]:
    """A per-test client address, so per-IP limits of other tests never interfere."""
    n = uuid.uuid4().int
    return {"X-Forwarded-For": f"198.18.{n % 250}.{(n >> 8) % 250}"}


def conversations_of(tenant: str = "novahouse") -> int:
    collection = container().clients.firestore.collection("tenants").document(tenant).collection("conversations")
    return len(list(collection.select([]).stream()))


def assert_json_error(response: Any, status: int) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) >= {"error", "message"} and "Traceback" not in json.dumps(body)


def a_turn(chat: Any) -> dict[str, Any]:
    response = chat.post("/api/chat", json={"tenant": "novahouse", "message": "Jaka jest gwarancja?"}, headers=own_address())
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def signed_in_agent(local_cloud: dict[str, str]) -> dict[str, str]:
    email = f"{random_id('edge')}@novahouse.test"
    create_agent(email, "correct-horse-42", "novahouse", "agent", "Edge")
    token = sign_in_with_password(local_cloud["FIREBASE_AUTH_EMULATOR_HOST"], email, "correct-horse-42")
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("body", BOMBS, ids=["5000-digit number", "2000-deep arrays", "2000-deep objects"])
@pytest.mark.parametrize("path", ["/api/chat", "/api/chat/session", "/api/chat/rating"])
def test_parser_bombs_are_400_on_every_chat_endpoint_and_store_nothing(chat, path: str, body: str) -> None:  # type: ignore[no-untyped-def]
    before = conversations_of()
    response = chat.post(
        path, data=body, content_type="application/json", headers={**own_address(), "Origin": "https://novahouse.pl"}
    )
    assert_json_error(response, 400)
    assert conversations_of() == before


@pytest.mark.parametrize("body", BOMBS, ids=["5000-digit number", "2000-deep arrays", "2000-deep objects"])
@pytest.mark.parametrize("action", ["reply", "notes"])
def test_parser_bombs_are_400_on_the_agents_text_endpoints(agent_app, chat, local_cloud, action: str, body: str) -> None:  # type: ignore[no-untyped-def]
    headers = signed_in_agent(local_cloud)
    conv_id = a_turn(chat)["conversation_id"]
    assert agent_app.post(f"/api/agent/conversations/{conv_id}/takeover", headers=headers).status_code == 200
    response = agent_app.post(
        f"/api/agent/conversations/{conv_id}/{action}", data=body, content_type="application/json", headers=headers
    )
    assert_json_error(response, 400)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"tenant": "novahouse", "message": "\\ud800"}',  # an escaped lone surrogate
        b'{"tenant": "novahouse", "message": "hej \\udfff!"}',
        b'{"tenant": "novahouse", "message": "\xed\xa0\x80"}',  # the same surrogate as raw (invalid UTF-8) bytes
        '{"tenant": "novahouse", "message": "\u200b\ufeff\u200d"}'.encode(),  # nothing visible
    ],
    ids=["escaped", "escaped-low", "raw-bytes", "invisible-only"],
)
def test_broken_or_invisible_text_is_400_before_any_model_call(chat, monkeypatch, raw: bytes) -> None:  # type: ignore[no-untyped-def]
    class NoModel:
        def __getattr__(self, name: str) -> Any:
            raise AssertionError("the model was called for text validation should have refused")

    monkeypatch.setattr(container().chat, "model", NoModel())
    before = conversations_of()
    response = chat.post("/api/chat", data=raw, content_type="application/json", headers=own_address())
    assert_json_error(response, 400)
    assert conversations_of() == before


def test_a_lone_surrogate_in_a_rating_comment_or_agent_reply_is_400(chat, agent_app, local_cloud) -> None:  # type: ignore[no-untyped-def]
    turn = a_turn(chat)
    rating = json.dumps({"conversation_id": turn["conversation_id"], "session_id": turn["session_id"], "score": 5})
    rating = rating[:-1] + ', "comment": "\\udc00"}'
    assert_json_error(chat.post("/api/chat/rating", data=rating, content_type="application/json", headers=own_address()), 400)
    headers = signed_in_agent(local_cloud)
    base = f"/api/agent/conversations/{turn['conversation_id']}"
    agent_app.post(f"{base}/takeover", headers=headers)
    for action in ("reply", "notes"):
        response = agent_app.post(
            f"{base}/{action}", data='{"text": "\\ud83d"}', content_type="application/json", headers=headers
        )
        assert_json_error(response, 400)


def test_the_chat_endpoint_limits_each_address_across_sessions(chat, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(container().__dict__, "ip_limiter", IpRateLimiter(3))
    address = own_address()
    statuses = [
        chat.post("/api/chat", json={"tenant": "novahouse", "message": "Jaka jest gwarancja?"}, headers=address).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_a_forged_forwarded_for_does_not_reset_the_address_limit(chat, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(container().__dict__, "ip_limiter", IpRateLimiter(3))
    real = own_address()["X-Forwarded-For"]
    statuses = [
        chat.post(
            "/api/chat/session", json={"tenant": "novahouse"}, headers={"X-Forwarded-For": f"10.9.9.{i}, {real}"}
        ).status_code
        for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_session_start_is_limited_per_address(chat, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(container().__dict__, "ip_limiter", IpRateLimiter(2))
    address = own_address()
    statuses = [chat.post("/api/chat/session", json={"tenant": "novahouse"}, headers=address).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_polling_is_rate_limited_per_address_with_retry_after(chat, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    turn = a_turn(chat)
    monkeypatch.setitem(container().__dict__, "poll_limiter", IpRateLimiter(3, "Too many requests from this address"))
    query = {"conversation_id": turn["conversation_id"], "session_id": turn["session_id"]}
    address = own_address()
    responses = [chat.get("/api/chat/messages", query_string=query, headers=address) for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert int(responses[-1].headers["Retry-After"]) >= 1


def test_rating_is_rate_limited_per_address(chat, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    turn = a_turn(chat)
    monkeypatch.setitem(container().__dict__, "ip_limiter", IpRateLimiter(2))
    body = {"conversation_id": turn["conversation_id"], "session_id": turn["session_id"], "score": 5}
    address = own_address()
    statuses = [chat.post("/api/chat/rating", json=body, headers=address).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_a_session_from_a_foreign_origin_is_403_and_creates_nothing(chat) -> None:  # type: ignore[no-untyped-def]
    before = conversations_of()
    response = chat.post(
        "/api/chat/session", json={"tenant": "novahouse"}, headers={**own_address(), "Origin": "https://evil.example"}
    )
    assert_json_error(response, 403)
    assert "Access-Control-Allow-Origin" not in response.headers
    assert conversations_of() == before
    allowed = chat.post(
        "/api/chat/session", json={"tenant": "novahouse"}, headers={**own_address(), "Origin": "https://novahouse.pl"}
    )
    assert allowed.status_code == 200 and allowed.headers["Access-Control-Allow-Origin"] == "https://novahouse.pl"
