"""Events that failed every delivery attempt: kept where operators and a tenant's admins can see them."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from shared.domain.dead_letters import DeadLetter, FailureClass
from shared.domain.errors import ForbiddenError, ServiceUnavailableError
from shared.domain.events import ChatEvent
from shared.domain.validation import whole_number
from shared.services.channel_ports import DeliveryFailed

if TYPE_CHECKING:
    from shared.services.agent import Principal

MAX_LISTED = 50


class DeadLetters(ABC):
    """Dead-lettered events, per tenant, with a platform-wide count for /api/health/deep."""

    @abstractmethod
    def note_failure(self, event_id: str, event: ChatEvent, reason: FailureClass) -> None:
        """Remember why the event's latest attempt failed (its dead letter shows the last reason)."""

    @abstractmethod
    def record(self, event_id: str, event: ChatEvent, attempts: int | None, failure_key: str | None = None) -> None:
        """Keep one dead-lettered event once; its reason is the failure noted under ``failure_key`` (default: the id)."""

    @abstractmethod
    def count(self) -> int:
        """How many events ended in the dead-letter topic."""

    @abstractmethod
    def recent(self, tenant: str, limit: int) -> list[DeadLetter]:
        """The tenant's newest dead-lettered events for the dashboard."""


def failure_key(raw: bytes, payload: dict[str, Any]) -> str:
    """What links an event's failed attempts to its dead letter: its own id, or else a digest of its bytes
    (the dead-letter topic forwards the bytes under a new message id)."""
    if isinstance(payload.get("id"), str):
        return str(payload["id"])
    return "sha-" + hashlib.sha256(raw).hexdigest()[:40]


def failure_class(exc: BaseException) -> FailureClass:
    """Why an attempt failed, as one of a few classes (the exception's text stays in the logs)."""
    if isinstance(exc, DeliveryFailed):
        return "outside_service"
    if isinstance(exc, ServiceUnavailableError):
        return "database_unavailable"
    if isinstance(exc, TimeoutError):
        return "timeout"
    return "internal_error"


def recent_dead_letters(letters: DeadLetters, principal: Principal, tenant: Any = None, limit: Any = None) -> list[DeadLetter]:
    """A tenant's admins see its recent dead letters; agents and other tenants' staff get 403."""
    if tenant not in (None, "") and tenant != principal.tenant:
        raise ForbiddenError("You can only see your own tenant's failed deliveries")
    if principal.role != "admin":
        raise ForbiddenError("Only admins see failed deliveries")
    return letters.recent(principal.tenant, whole_number(limit, "limit", default=20, low=1, high=MAX_LISTED))

