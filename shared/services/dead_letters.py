"""Events that failed every delivery attempt: kept where operators and agents can see them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from shared.domain.events import ChatEvent


class DeadLetters(ABC):
    """Dead-lettered events, per tenant, with a platform-wide count for /api/health/deep."""

    @abstractmethod
    def record(self, event_id: str, event: ChatEvent, attempts: int | None) -> None:
        """Keep one dead-lettered event (a redelivery overwrites the same record)."""

    @abstractmethod
    def count(self) -> int:
        """How many events ended in the dead-letter topic."""

    @abstractmethod
    def recent(self, tenant: str, limit: int) -> list[dict[str, Any]]:
        """The tenant's newest dead-lettered events (type, when, attempts) for the dashboard."""
