"""Leads reach the local Monday board through the gateway (Pub/Sub → Eventarc push → events), exactly
once under redelivery; a failing CRM ends in the dead-letter topic and shows on /api/health/deep."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from tests.conftest import random_id


def _monday() -> str:
    return os.environ["MONDAY_BASE_URL"].rsplit("/v2", 1)[0]


def _items(board: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = requests.get(f"{_monday()}/_items", params={"board": board}, timeout=5).json()["items"]
    return items


def _publish(tenant: str, lead_id: str, **data: Any) -> None:
    from google.cloud import pubsub_v1

    publisher = pubsub_v1.PublisherClient()
    event = {
        "type": "lead.captured",
        "tenant": tenant,
        "occurred_at": datetime.now(UTC).isoformat(),
        "data": {
            "id": lead_id,
            "tenant": tenant,
            "conversation_id": f"{tenant}.{'a' * 24}",
            "channel": "web",
            "name": "Jan Kowalski",
            "phone": "+48600100200",
            "email": "jan@example.pl",
            "language": "pl",
            "package": "standard",
            "area_m2": 60,
            "quote": "72 000 PLN",
            "updated_at": datetime.now(UTC).isoformat(),
            **data,
        },
    }
    topic = publisher.topic_path(os.environ["GOOGLE_CLOUD_PROJECT"], "chat-events")
    publisher.publish(topic, json.dumps(event).encode()).result(timeout=30)


def _wait(check: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


@pytest.fixture
def tenant_with_board(gateway: str) -> Iterator[tuple[str, str]]:
    from shared.bootstrap import container

    tenant, board = random_id("crm"), str(int(time.time() * 1000))[-12:]
    container().integrations.set_monday(tenant, api_token="local-token", board_id=board)
    yield tenant, board
    requests.post(f"{_monday()}/_control", json={"mode": "normal"}, timeout=5)


def test_a_lead_becomes_one_monday_item_with_its_details(tenant_with_board: tuple[str, str]) -> None:
    tenant, board = tenant_with_board
    lead_id = random_id("lead")
    _publish(tenant, lead_id)
    [item] = _wait(lambda: _items(board))
    assert item["name"] == "Jan Kowalski"
    columns = item["column_values"]
    assert columns["text"] == lead_id
    assert columns["phone"]["phone"] == "+48600100200" and columns["email"]["email"] == "jan@example.pl"
    details = columns["long_text"]["text"]
    assert "standard" in details and "60 m²" in details and "72 000 PLN" in details and f"conversation={tenant}." in details


def test_a_redelivered_lead_never_makes_a_second_item(tenant_with_board: tuple[str, str]) -> None:
    from google.cloud import firestore

    tenant, board = tenant_with_board
    lead_id = random_id("lead")
    for _ in range(3):  # the same lead published again (a later turn, or a publisher retry)
        _publish(tenant, lead_id)
    _wait(lambda: _items(board))
    record = f"tenants/{tenant}/crm_items/{lead_id}"
    _wait(lambda: firestore.Client().document(record).get().exists)
    time.sleep(2)  # give any duplicate delivery time to land
    assert len(_items(board)) == 1


def test_a_failing_crm_ends_in_the_dead_letter_topic_and_on_the_deep_health_check(
    gateway: str, tenant_with_board: tuple[str, str]
) -> None:
    from google.cloud import firestore

    tenant, board = tenant_with_board
    before = requests.get(f"{gateway}/api/health/deep", timeout=30).json()["dead_letters"]
    requests.post(f"{_monday()}/_control", json={"mode": "error", "status": 502}, timeout=5)
    _publish(tenant, random_id("lead"))
    letters = firestore.Client().collection(f"tenants/{tenant}/dead_letters")
    [letter] = _wait(lambda: list(letters.stream()), timeout=60)
    assert letter.to_dict()["type"] == "lead.captured"
    assert letter.to_dict()["attempts"] == 5
    assert letter.to_dict()["reason"] == "outside_service"  # the class only, never Monday's answer
    assert _items(board) == []
    after = requests.get(f"{gateway}/api/health/deep", timeout=30).json()["dead_letters"]
    assert after == before + 1
