"""`events` function: reacts to `chat-events` (Pub/Sub, delivered as a CloudEvent by Eventarc).

Raising makes Pub/Sub redeliver; returning acknowledges. Each event is handled once, by its id.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from shared import logs
from shared.bootstrap import container

_log = logs.get_logger("chatdesk.events")


def events(cloud_event: Any) -> None:
    """Entry point (signature type: cloudevent)."""
    from pydantic import ValidationError

    from shared.domain.events import ChatEvent
    from shared.services.events import handle_event

    message = cloud_event.data.get("message", {})
    event_id = str(message.get("messageId") or cloud_event["id"])
    try:
        raw = base64.b64decode(message.get("data", ""))
        payload = json.loads(raw or b"{}")
        event = ChatEvent.model_validate(payload)
        # The event's own id, fixed when the turn stored it: a republished outbox entry is the
        # same event under a new Pub/Sub message id, and must be handled once.
        event_id = event.id if "id" in payload else event_id
    except (ValueError, ValidationError, TypeError):
        # A malformed message will never succeed: acknowledge it rather than retry forever.
        _log.warning("dropping malformed chat event", extra={"fields": {"event_id": event_id}})
        return
    c = container()
    trace = message.get("attributes", {}).get("trace")  # passed on by the publishing request
    token = logs.bind(function="events", tenant=event.tenant, trace=trace if isinstance(trace, str) else None)
    try:
        outcome = handle_event(
            event_id,
            _published_at(message, cloud_event),
            event,
            ledger=c.event_ledger,
            handlers=c.event_handlers(),
            max_age=timedelta(seconds=c.settings.event_max_age_seconds),
        )
        _log.info(f"chat event {event.type}: {outcome}", extra={"fields": {"event_id": event_id}})
    except Exception as exc:
        _note_failure(c, raw, payload, event, exc)
        raise  # Pub/Sub redelivers; after the last attempt the dead letter shows this failure's class
    finally:
        logs.reset(token)


def _note_failure(c: Any, raw: bytes, payload: dict[str, Any], event: Any, exc: Exception) -> None:
    from shared.services.dead_letters import failure_class, failure_key

    key = failure_key(raw, payload)
    try:
        c.dead_letters.note_failure(key, event, failure_class(exc))
    except Exception:  # noqa: BLE001 - the handler's own failure is what Pub/Sub must see
        _log.warning("could not note a failed chat event", extra={"fields": {"failure_key": key}})


def _published_at(message: dict[str, Any], cloud_event: Any) -> datetime:
    raw = message.get("publishTime") or cloud_event["time"]
    try:
        return datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)
