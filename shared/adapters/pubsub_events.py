"""Publishing chat events to Pub/Sub."""

from __future__ import annotations

import json
from typing import Any

from shared import logs
from shared.domain.events import ChatEvent
from shared.services.ports import EventPublisher


class PubSubEventPublisher(EventPublisher):
    """Publishes to ``chat-events``; waits for the server's ack so nothing is lost when the instance freezes."""

    def __init__(self, publisher: Any, topic_path: str, timeout_seconds: float = 10.0) -> None:
        self._publisher = publisher
        self._topic = topic_path
        self._timeout = timeout_seconds

    def publish(self, event: ChatEvent) -> None:
        data = json.dumps(event.model_dump(mode="json"), ensure_ascii=False).encode()
        # The request's trace travels with the event, so the events function logs under the same trace.
        trace = {"trace": t} if (t := logs.current_trace()) else {}
        future = self._publisher.publish(self._topic, data, type=event.type, tenant=event.tenant, **trace)
        future.result(timeout=self._timeout)


class InMemoryEventPublisher(EventPublisher):
    """Collects events for unit tests."""

    def __init__(self) -> None:
        self.events: list[ChatEvent] = []

    def publish(self, event: ChatEvent) -> None:
        self.events.append(event)
