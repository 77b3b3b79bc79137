"""What the guest gets, and what is stored, for each way the (local) Gemini server can answer."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.local.cloud import patched_environ
from infra.local.fake_gemini import start_fake_gemini
from shared.bootstrap import container, reset_container
from shared.domain.knowledge import load_pack_file
from tests.conftest import function_app

ROOT = Path(__file__).resolve().parents[2]
# Not in the knowledge pack: the bot has to ask the model.
# Not an FAQ, but a policy document is relevant: the model answers from that passage (an unrelated
# question would get the honest "I don't know" without calling the model at all).
OFF_KNOWLEDGE = "mieszkanie na Woli 58 m2 - jak wyszło?"
TIMEOUT_SECONDS = 2.0


@pytest.fixture(scope="module")
def gemini(local_cloud: dict[str, str]) -> Iterator[str]:
    server, base_url = start_fake_gemini(0, api_key="test-key-not-secret")
    env = {"GEMINI_API_KEY": "test-key-not-secret", "GEMINI_BASE_URL": base_url, "GEMINI_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS)}
    with patched_environ(env):
        reset_container()
        container().tenants.import_pack(load_pack_file(ROOT / "data" / "tenants" / "novahouse.yaml"))
        yield base_url
        reset_container()
    server.stop()


@pytest.fixture()
def client(gemini: str):  # type: ignore[no-untyped-def]
    requests.post(f"{gemini}/_reset", timeout=5)
    return function_app("chat").test_client()


def control(base_url: str, **body: Any) -> None:
    assert requests.post(f"{base_url}/_control", json=body, timeout=5).status_code == 200


def ask(client) -> tuple[dict[str, Any], list[dict[str, Any]], float]:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    response = client.post("/api/chat", json={"tenant": "novahouse", "message": OFF_KNOWLEDGE})
    elapsed = time.monotonic() - started
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    ref = (
        container()
        .clients.firestore.collection("tenants")
        .document("novahouse")
        .collection("conversations")
        .document(body["conversation_id"])
    )
    stored = [m.to_dict() for m in ref.collection("messages").order_by("created_at").stream()]
    return body, stored, elapsed


def assert_safe_fallback(body: dict[str, Any], stored: list[dict[str, Any]]) -> None:
    assert body["source"] == "fallback"
    assert "konsultant" in body["response"]  # offers a human
    assert [m["role"] for m in stored] == ["guest", "bot"]
    assert stored[-1]["source"] == "fallback" and stored[-1]["text"] == body["response"]


def test_health_reports_ai_ok_when_gemini_is_configured(gemini: str) -> None:
    response = function_app("health").test_client().get("/api/health/deep")
    assert response.get_json()["checks"]["ai"] == "ok"


def test_a_normal_answer_reaches_the_guest_and_its_tokens_are_stored(client, gemini: str) -> None:  # type: ignore[no-untyped-def]
    body, stored, _ = ask(client)
    assert body["source"] == "llm" and body["response"]
    bot = stored[-1]
    assert bot["source"] == "llm" and bot["input_tokens"] > 0 and bot["output_tokens"] > 0 and bot["model_ms"] >= 0
    sent = requests.get(f"{gemini}/_last_request", timeout=5).json()
    assert "NovaHouse" in json.dumps(sent, ensure_ascii=False)  # persona / passages went to the model


def test_a_slow_model_times_out_within_the_budget_and_the_guest_gets_the_fallback(client, gemini: str) -> None:  # type: ignore[no-untyped-def]
    control(gemini, mode="slow", slow_ms=10_000)
    body, stored, elapsed = ask(client)
    assert_safe_fallback(body, stored)
    assert elapsed < TIMEOUT_SECONDS + 1.5


@pytest.mark.parametrize("mode", ["rate_limited", "server_error"])
def test_429_and_500_are_retried_once_then_the_guest_gets_the_fallback(client, gemini: str, mode: str) -> None:  # type: ignore[no-untyped-def]
    control(gemini, mode=mode)
    body, stored, _ = ask(client)
    assert_safe_fallback(body, stored)
    assert requests.get(f"{gemini}/_stats", timeout=5).json()["generate"] == 2


def test_one_429_then_success_is_answered_by_the_retry(client, gemini: str) -> None:  # type: ignore[no-untyped-def]
    control(gemini, mode="flaky", flaky_status=429)
    body, stored, _ = ask(client)
    assert body["source"] == "llm"
    assert stored[-1]["source"] == "llm"


def test_malformed_json_from_the_model_gives_the_fallback(client, gemini: str) -> None:  # type: ignore[no-untyped-def]
    control(gemini, mode="malformed")
    body, stored, _ = ask(client)
    assert_safe_fallback(body, stored)


def test_a_safety_block_gives_the_fallback(client, gemini: str) -> None:  # type: ignore[no-untyped-def]
    control(gemini, mode="blocked")
    body, stored, _ = ask(client)
    assert_safe_fallback(body, stored)


def test_a_model_reply_stating_a_price_not_in_the_pack_is_not_shown_or_stored(client, gemini: str) -> None:  # type: ignore[no-untyped-def]
    invented = json.dumps({"reply": "Taras kosztuje 1 999 zł za m².", "intent": "pricing", "lead": {}, "wants_human": False})
    control(gemini, mode="normal", text=invented)
    body, stored, _ = ask(client)
    assert_safe_fallback(body, stored)
    assert all("1 999" not in m["text"] for m in stored)


def test_no_secret_reaches_the_response_when_the_model_fails(client, gemini: str) -> None:  # type: ignore[no-untyped-def]
    control(gemini, mode="server_error")
    response = client.post("/api/chat", json={"tenant": "novahouse", "message": OFF_KNOWLEDGE})
    assert os.environ["GEMINI_API_KEY"] not in response.get_data(as_text=True)
