"""Records of outside deliveries: which CRM item a lead became, and dead-lettered events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared.domain.dead_letters import FAILURE_CLASSES, DeadLetter, FailureClass, conversation_of
from shared.domain.events import ChatEvent
from shared.services.crm import LeadDeliveries
from shared.services.dead_letters import DeadLetters

if TYPE_CHECKING:
    from google.cloud import firestore


class FirestoreLeadDeliveries(LeadDeliveries):
    """``tenants/{t}/crm_items/{lead_id}``."""

    def __init__(self, db: firestore.Client) -> None:
        self._db = db

    def _ref(self, tenant: str, lead_id: str) -> Any:
        return self._db.collection("tenants").document(tenant).collection("crm_items").document(lead_id)

    def item_for(self, tenant: str, lead_id: str) -> str | None:
        data = self._ref(tenant, lead_id).get().to_dict()
        return str(data["item_id"]) if data else None

    def record(self, tenant: str, lead_id: str, item_id: str) -> None:
        self._ref(tenant, lead_id).set({"item_id": item_id, "crm": "monday", "at": datetime.now(UTC)})

    def claim(self, tenant: str, lead_id: str, stale_after_seconds: float) -> bool:
        from google.api_core.exceptions import AlreadyExists

        ref = self._db.collection("tenants").document(tenant).collection("crm_claims").document(lead_id)
        now = datetime.now(UTC)
        try:
            ref.create({"claimed_at": now})
            return True
        except AlreadyExists:
            claimed = (ref.get().to_dict() or {}).get("claimed_at")
            if claimed is not None and (now - claimed).total_seconds() < stale_after_seconds:
                return False
            ref.set({"claimed_at": now})  # the claimant died: take over (the board is searched before creating)
            return True

    def release(self, tenant: str, lead_id: str) -> None:
        self._db.collection("tenants").document(tenant).collection("crm_claims").document(lead_id).delete()


class InMemoryLeadDeliveries(LeadDeliveries):
    """Lead deliveries for unit tests."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], str] = {}
        self.claims: dict[tuple[str, str], datetime] = {}

    def item_for(self, tenant: str, lead_id: str) -> str | None:
        return self.items.get((tenant, lead_id))

    def record(self, tenant: str, lead_id: str, item_id: str) -> None:
        self.items[(tenant, lead_id)] = item_id

    def claim(self, tenant: str, lead_id: str, stale_after_seconds: float) -> bool:
        now = datetime.now(UTC)
        claimed = self.claims.get((tenant, lead_id))
        if claimed is not None and (now - claimed).total_seconds() < stale_after_seconds:
            return False
        self.claims[(tenant, lead_id)] = now
        return True

    def release(self, tenant: str, lead_id: str) -> None:
        self.claims.pop((tenant, lead_id), None)


# A failed attempt's class is needed only until the event is dead-lettered or delivered; TTL then removes it.
FAILURE_DAYS = 30


class FirestoreDeadLetters(DeadLetters):
    """``tenants/{t}/dead_letters/{event_id}`` plus a counter in ``registry/dead_letters``; the latest failure's
    class per event in ``tenants/{t}/event_failures/{event_id}``."""

    def __init__(self, db: firestore.Client) -> None:
        self._db = db

    def _tenant(self, tenant: str) -> Any:
        return self._db.collection("tenants").document(tenant)

    def note_failure(self, event_id: str, event: ChatEvent, reason: FailureClass) -> None:
        now = datetime.now(UTC)
        failure = {"type": event.type, "reason": reason, "at": now, "expire_at": now + timedelta(days=FAILURE_DAYS)}
        self._tenant(event.tenant).collection("event_failures").document(event_id).set(failure)

    def record(self, event_id: str, event: ChatEvent, attempts: int | None, failure_key: str | None = None) -> None:
        from google.cloud import firestore

        ref = self._tenant(event.tenant).collection("dead_letters").document(event_id)
        if ref.get().exists:
            return  # the dead-letter topic redelivered it: counted once
        noted = self._tenant(event.tenant).collection("event_failures").document(failure_key or event_id)
        failure = noted.get().to_dict() or {}
        batch = self._db.batch()
        # The event type and when, never its data: a lead carries personal details.
        letter = {"type": event.type, "attempts": attempts, "at": datetime.now(UTC), "reason": failure.get("reason")}
        letter["conversation_id"] = conversation_of(event.data)
        batch.set(ref, letter)
        batch.set(self._db.collection("registry").document("dead_letters"), {"count": firestore.Increment(1)}, merge=True)
        batch.commit()

    def count(self) -> int:
        data = self._db.collection("registry").document("dead_letters").get().to_dict() or {}
        return int(data.get("count", 0))

    def recent(self, tenant: str, limit: int) -> list[DeadLetter]:
        from google.cloud import firestore

        query = self._tenant(tenant).collection("dead_letters").order_by("at", direction=firestore.Query.DESCENDING)
        return [_dead_letter(d.id, d.to_dict() or {}) for d in query.limit(limit).stream()]


def _dead_letter(event_id: str, data: dict[str, Any]) -> DeadLetter:
    reason = data.get("reason")
    return DeadLetter(
        id=event_id,
        type=str(data.get("type") or ""),
        at=data.get("at"),
        attempts=data.get("attempts"),
        reason=reason if reason in FAILURE_CLASSES else None,
        conversation_id=data.get("conversation_id"),
    )


class InMemoryDeadLetters(DeadLetters):
    """Dead letters for unit tests."""

    def __init__(self) -> None:
        self.failures: dict[str, FailureClass] = {}
        self.letters: dict[str, tuple[str, DeadLetter]] = {}

    def note_failure(self, event_id: str, event: ChatEvent, reason: FailureClass) -> None:
        self.failures[event_id] = reason

    def record(self, event_id: str, event: ChatEvent, attempts: int | None, failure_key: str | None = None) -> None:
        if event_id in self.letters:
            return
        letter = DeadLetter(
            id=event_id,
            type=event.type,
            at=datetime.now(UTC),
            attempts=attempts,
            reason=self.failures.get(failure_key or event_id),
            conversation_id=conversation_of(event.data),
        )
        self.letters[event_id] = (event.tenant, letter)

    def count(self) -> int:
        return len(self.letters)

    def recent(self, tenant: str, limit: int) -> list[DeadLetter]:
        return [letter for t, letter in reversed(self.letters.values()) if t == tenant][:limit]
