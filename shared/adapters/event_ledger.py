"""Event ledgers: Firestore for real, in memory for unit tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from shared.adapters.firestore_store import Deadline, guarded
from shared.domain.events import ChatEvent
from shared.services.events import EventLedger

if TYPE_CHECKING:
    from google.cloud import firestore

LEDGER_COLLECTION = "processed_events"
# Firestore's TTL removes an entry after this: well past the 7 days Pub/Sub may still redeliver its event.
LEDGER_DAYS = 30


class FirestoreEventLedger(EventLedger):
    """``processed_events/{event_id}``: one small document per handled event."""

    def __init__(self, db: firestore.Client, deadline: Deadline | None = None) -> None:
        self._db = db
        self._deadline = deadline or Deadline()

    def is_done(self, event_id: str) -> bool:
        with guarded():  # an outage fails the delivery quickly; Pub/Sub redelivers it later
            return bool(self._db.collection(LEDGER_COLLECTION).document(event_id).get(**self._deadline.kwargs).exists)

    def mark_done(self, event_id: str, event: ChatEvent) -> None:
        from google.cloud import firestore

        with guarded():
            self._db.collection(LEDGER_COLLECTION).document(event_id).set(
                {
                    "type": event.type,
                    "tenant": event.tenant,
                    "handled_at": firestore.SERVER_TIMESTAMP,
                    "expire_at": datetime.now(UTC) + timedelta(days=LEDGER_DAYS),
                },
                **self._deadline.kwargs,
            )


class InMemoryEventLedger(EventLedger):
    """A ledger for unit tests."""

    def __init__(self) -> None:
        self.done: dict[str, ChatEvent] = {}

    def is_done(self, event_id: str) -> bool:
        return event_id in self.done

    def mark_done(self, event_id: str, event: ChatEvent) -> None:
        self.done[event_id] = event
