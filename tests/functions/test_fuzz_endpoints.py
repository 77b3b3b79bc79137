"""Fuzzing every JSON endpoint (issue 10): hypothesis bodies and queries through functions-framework, never a 5xx.

Bodies mix well-formed fields with hostile values (wrong types, huge numbers, deep nesting, lone
surrogates, invisible text, raw bytes) against the local Firestore and Auth emulator. Bounded to a
few hundred examples in all.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.bootstrap import container
from tests.conftest import function_app, random_id
from tests.helpers import sign_in_with_password
from tools.agents import create_agent

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)

texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["\ud800", "\u200b\ufeff", "bell\x07", "", " ", "a" * 2001, "Ile kosztuje Standard za 38,5 m2?", "<img src=x>"]
    ),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), texts)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8
)
tenants = st.one_of(st.sampled_from(["novahouse", "hotel", "no-such", "", "NOVAHOUSE", "a" * 70]), values)
conversation_ids = st.one_of(st.just(f"novahouse.{'0' * 24}"), st.from_regex(r"[a-z]{1,9}\.[0-9a-f]{24}", fullmatch=True), values)
session_ids = st.one_of(st.from_regex(r"s_[A-Za-z0-9_-]{16,30}", fullmatch=True), values)


def body_of(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


RAW = st.one_of(
    st.binary(max_size=64),
    st.just(b'{"message": ' + b"9" * 5000 + b"}"),
    st.just(b'{"text": ' + b"[" * 3000 + b"]" * 3000 + b"}"),
    st.just(b'{"message": "\xed\xa0\x80", "tenant": "novahouse"}'),
)


def payload(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[bytes]:
    as_json = body_of(fields).map(lambda b: json.dumps(b).encode("utf-8", "surrogatepass"))
    return st.one_of(as_json, as_json, values.map(lambda v: json.dumps(v).encode("utf-8", "surrogatepass")), RAW)


def headers() -> dict[str, str]:
    n = uuid.uuid4().int
    return {"X-Forwarded-For": f"198.19.{n % 250}.{(n >> 8) % 250}", "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def chat(demo_tenants: None):  # type: ignore[no-untyped-def]
    return function_app("chat").test_client()


@pytest.fixture(scope="module")
def agent(demo_tenants: None, local_cloud: dict[str, str]):  # type: ignore[no-untyped-def]
    email = f"{random_id('fuzz')}@novahouse.test"
    create_agent(email, "correct-horse-42", "novahouse", "agent", "Fuzz")
    token = sign_in_with_password(local_cloud["FIREBASE_AUTH_EMULATOR_HOST"], email, "correct-horse-42")
    turn = container().chat.turn({"tenant": "novahouse", "message": "Chcę porozmawiać z konsultantem"}).body()
    client = function_app("agent").test_client()
    auth = {"Authorization": f"Bearer {token}"}
    assert client.post(f"/api/agent/conversations/{turn['conversation_id']}/takeover", headers=auth).status_code == 200
    return client, auth, turn["conversation_id"]


def assert_no_5xx(response: Any) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)
    assert set(response.get_json() or {"error": 1, "message": 1}) >= {"error", "message"} or response.status_code < 400


@FUZZ
@given(
    body=payload(
        {"tenant": tenants, "message": texts, "session_id": session_ids, "language": st.sampled_from(["pl", "en", "xx", 5])}
    )
)
def test_fuzzed_turns_never_get_a_5xx(chat, body: bytes) -> None:  # type: ignore[no-untyped-def]
    assert_no_5xx(chat.post("/api/chat", data=body, headers=headers()))


@FUZZ
@given(
    body=payload({"tenant": tenants, "language": values}),
    origin=st.sampled_from([None, "https://novahouse.pl", "https://evil.example"]),
)
def test_fuzzed_session_starts_never_get_a_5xx(chat, body: bytes, origin: str | None) -> None:  # type: ignore[no-untyped-def]
    extra = {"Origin": origin} if origin else {}
    assert_no_5xx(chat.post("/api/chat/session", data=body, headers={**headers(), **extra}))


@FUZZ
@given(body=payload({"conversation_id": conversation_ids, "session_id": session_ids, "score": values, "comment": texts}))
def test_fuzzed_ratings_never_get_a_5xx(chat, body: bytes) -> None:  # type: ignore[no-untyped-def]
    assert_no_5xx(chat.post("/api/chat/rating", data=body, headers=headers()))


@FUZZ
@given(
    query=st.dictionaries(
        st.sampled_from(["conversation_id", "session_id", "after", "tenant"]),
        st.one_of(st.text(max_size=40), st.just("2026-13-45T99:99:99Z"), st.just(f"novahouse.{'0' * 24}")),
    )
)
def test_fuzzed_message_polls_never_get_a_5xx(chat, query: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    assert_no_5xx(chat.get("/api/chat/messages", query_string=query, headers=headers()))


@FUZZ
@given(body=payload({"text": texts}), action=st.sampled_from(["reply", "notes"]), target=st.sampled_from(["own", "other", "bad"]))
def test_fuzzed_agent_replies_and_notes_never_get_a_5xx(agent, body: bytes, action: str, target: str) -> None:  # type: ignore[no-untyped-def]
    client, auth, conv_id = agent
    conversation = {"own": conv_id, "other": f"hotel.{'0' * 24}", "bad": "x%00y"}[target]
    response = client.post(
        f"/api/agent/conversations/{conversation}/{action}", data=body, headers={**auth, "Content-Type": "application/json"}
    )
    assert_no_5xx(response)
