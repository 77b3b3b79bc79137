"""Publishing chat events to Pub/Sub."""

from __future__ import annotations

import json
from typing import Any

from shared.domain.events import ChatEvent
from shared.services.ports import EventPublisher


class PubSubEventPublisher(EventPublisher):
    """Publishes to ``chat-events`` and waits (boundedly) for the server's ack; the outbox relay retries failures."""

    def __init__(self, publisher: Any, topic_path: str, timeout_seconds: float = 5.0) -> None:
        self._publisher = publisher
        self._topic = topic_path
        self._timeout = timeout_seconds

    def publish(self, event: ChatEvent) -> None:
        data = json.dumps(event.model_dump(mode="json"), ensure_ascii=False).encode()
        from google.api_core.retry import Retry

        retry = Retry(initial=0.1, maximum=1.0, timeout=self._timeout)
        future = self._publisher.publish(
            self._topic, data, retry=retry, timeout=self._timeout, type=event.type, tenant=event.tenant, event_id=event.id
        )
        future.result(timeout=self._timeout)


class InMemoryEventPublisher(EventPublisher):
    """Collects events for unit tests."""

    def __init__(self) -> None:
        self.events: list[ChatEvent] = []

    def publish(self, event: ChatEvent) -> None:
        self.events.append(event)
