"""The Pub/Sub message inside an Eventarc CloudEvent: its id, its data and when it was published."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class PubSubMessage:
    id: str
    data: bytes
    published_at: datetime


def pubsub_message(cloud_event: Any) -> PubSubMessage:
    """The message a ``google.cloud.pubsub.topic.v1.messagePublished`` event carries (bad base64 raises ValueError)."""
    message = cloud_event.data.get("message", {})
    raw = message.get("publishTime") or cloud_event["time"]
    try:
        published_at = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        published_at = datetime.now(UTC)
    data = base64.b64decode(message.get("data", ""), validate=False)
    return PubSubMessage(str(message.get("messageId") or cloud_event["id"]), data, published_at)
