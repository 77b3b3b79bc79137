"""Reacting to ``chat-events``: idempotent by event id, too-old events dropped, failures retried."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from shared.domain.events import ChatEvent

EventHandler = Callable[[ChatEvent], None]


class EventLedger(ABC):
    """Remembers which event ids have been handled, so a redelivery does nothing."""

    @abstractmethod
    def is_done(self, event_id: str) -> bool: ...

    @abstractmethod
    def mark_done(self, event_id: str, event: ChatEvent) -> None: ...


def handle_event(
    event_id: str,
    published_at: datetime,
    event: ChatEvent,
    *,
    ledger: EventLedger,
    handlers: Mapping[str, EventHandler],
    max_age: timedelta,
    now: datetime | None = None,
) -> str:
    """Handle one event once; returns what happened. A handler's exception propagates so Pub/Sub retries."""
    now = now or datetime.now(UTC)
    if now - published_at > max_age:
        return "dropped_too_old"
    if ledger.is_done(event_id):
        return "duplicate"
    handler = handlers.get(event.type)
    if handler is not None:
        handler(event)
    ledger.mark_done(event_id, event)
    return "handled" if handler is not None else "ignored"
