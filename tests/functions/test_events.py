"""The events function dedupes by the event's own id: a republished outbox entry is handled once."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from cloudevents.http import CloudEvent

from shared.bootstrap import container
from shared.domain.events import ChatEvent


def _push(event: ChatEvent, message_id: str) -> CloudEvent:
    data = base64.b64encode(json.dumps(event.model_dump(mode="json")).encode()).decode()
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    attributes = {
        "id": message_id,
        "source": "//pubsub.googleapis.com/test",
        "type": "google.cloud.pubsub.topic.v1.messagePublished",
        "time": now,
    }
    return CloudEvent(attributes, {"message": {"data": data, "messageId": message_id, "publishTime": now}})


def test_the_same_event_published_twice_is_handled_once(local_cloud: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from functions.events.main import events

    handled: list[str] = []
    monkeypatch.setattr(container(), "event_handlers", lambda: {"lead.captured": lambda e: handled.append(e.id)})
    event = ChatEvent(type="lead.captured", tenant="novahouse", data={"phone": "600100200"}, occurred_at=datetime.now(UTC))
    events(_push(event, f"msg-{uuid.uuid4().hex}"))
    events(_push(event, f"msg-{uuid.uuid4().hex}"))  # the sweep republished it: a new Pub/Sub message id
    assert handled == [event.id]


def test_an_outbox_sweep_event_republishes_what_was_not_delivered(
    local_cloud: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.events.main import events

    swept: list[Any] = []
    monkeypatch.setattr(container().outbox_relay, "sweep", lambda: swept.append(1) or 0)
    events(_push(ChatEvent(type="outbox.sweep", tenant="all"), f"msg-{uuid.uuid4().hex}"))
    assert swept == [1]
