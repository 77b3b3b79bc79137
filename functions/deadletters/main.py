"""`deadletters` function: events that failed every attempt on `chat-events` arrive here (Pub/Sub
dead-letter topic) and are recorded for /api/health/deep and the dashboard."""

from __future__ import annotations

import base64
import json
from typing import Any

from shared import logs
from shared.bootstrap import container

_log = logs.get_logger("chatdesk.deadletters")


def deadletters(cloud_event: Any) -> None:
    """Entry point (signature type: cloudevent)."""
    from pydantic import ValidationError

    from shared.domain.events import ChatEvent

    message = cloud_event.data.get("message", {})
    attributes = message.get("attributes") or {}
    event_id = str(message.get("messageId") or cloud_event["id"])
    try:
        raw = base64.b64decode(message.get("data", ""))
        payload = json.loads(raw or b"{}")
        event = ChatEvent.model_validate(payload)
        event_id = event.id if "id" in payload else event_id  # the event's own id, as the events ledger keys it
    except (ValueError, ValidationError, TypeError):
        _log.warning("dropping a malformed dead letter", extra={"fields": {"event_id": event_id}})
        return
    raw_attempts = attributes.get("CloudPubSubDeadLetterSourceDeliveryCount")
    attempts = int(raw_attempts) if str(raw_attempts or "").isdigit() else None
    from shared.services.dead_letters import failure_key

    container().dead_letters.record(event_id, event, attempts, failure_key(raw, payload))
    _log.error(f"chat event {event.type} dead-lettered", extra={"fields": {"event_id": event_id, "tenant": event.tenant}})
