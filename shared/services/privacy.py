"""GDPR (RODO) use cases: export everything held about a guest, erase it everywhere, and enforce retention."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.domain.errors import NotFoundError
from shared.domain.privacy import ContactRef, Erasure, ErasureReason, new_erasure_id, parse_contact

SWEEP_BATCH = 200


class PersonalDataStore(ABC):
    """Where a guest's data lives: their conversations with messages, notes and leads, and uploads."""

    @abstractmethod
    def conversations_of(self, tenant: str, contact: ContactRef) -> list[str]:
        """Ids of the tenant's conversations with this guest (by id, lead e-mail/phone, or WhatsApp number)."""

    @abstractmethod
    def export_conversation(self, tenant: str, conversation_id: str) -> dict[str, Any] | None:
        """The conversation, its messages, notes, take-overs and leads as JSON-ready data; None when gone."""

    @abstractmethod
    def erase_conversation(self, tenant: str, conversation_id: str) -> int:
        """Delete the conversation and everything hanging off it (leads, undelivered events, uploads); count of deleted."""

    @abstractmethod
    def idle_conversations(self, tenant: str, before: datetime, limit: int) -> list[str]:
        """Conversations whose last activity is older than ``before``."""

    @abstractmethod
    def record_erasure(self, tenant: str, erasure: Erasure) -> None: ...

    @abstractmethod
    def tenants(self) -> list[tuple[str, int]]:
        """Every tenant with its retention in days."""


class PrivacyService:
    """Export, erasure and retention; roll-ups are counts only and stay as they are."""

    def __init__(self, store: PersonalDataStore, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.store = store
        self.clock = clock

    def _conversations(self, tenant: str, raw_contact: object) -> tuple[ContactRef, list[str]]:
        contact = parse_contact(raw_contact)
        found = self.store.conversations_of(tenant, contact)
        if not found:
            raise NotFoundError("No data is held about this contact")
        return contact, found

    def export(self, tenant: str, raw_contact: object) -> dict[str, Any]:
        """Everything held about one guest, as one JSON document."""
        contact, ids = self._conversations(tenant, raw_contact)
        conversations = [c for c in (self.store.export_conversation(tenant, i) for i in ids) if c is not None]
        return {
            "tenant": tenant,
            "contact": {"kind": contact.kind, "value": contact.value},
            "exported_at": self.clock().isoformat(),
            "conversations": conversations,
        }

    def erase(self, tenant: str, raw_contact: object, actor: str) -> dict[str, Any]:
        """Delete one guest's data everywhere and keep a record of the erasure without it."""
        contact, ids = self._conversations(tenant, raw_contact)
        erasure = self._erase(tenant, ids, actor, "request", contact.kind)
        return {"success": True, "erasure_id": erasure.id, "conversations": erasure.conversations, "documents": erasure.documents}

    def sweep(self, only: str | None = None, actor: str = "retention-sweep") -> dict[str, int]:
        """Delete conversations idle past their tenant's retention (Firestore TTL does the same in production)."""
        now = self.clock()
        erased: dict[str, int] = {}
        for tenant, days in self.store.tenants():
            if only is not None and tenant != only:
                continue
            total = 0
            while ids := self.store.idle_conversations(tenant, now - timedelta(days=days), SWEEP_BATCH):
                total += self._erase(tenant, ids, actor, "retention", None).conversations
                if len(ids) < SWEEP_BATCH:
                    break
            erased[tenant] = total
        return erased

    def _erase(self, tenant: str, ids: list[str], actor: str, reason: ErasureReason, kind: Any) -> Erasure:
        now = self.clock()
        documents = sum(self.store.erase_conversation(tenant, i) for i in ids)
        erasure = Erasure(
            id=new_erasure_id(now),
            at=now,
            actor=actor,
            reason=reason,
            contact_kind=kind,
            conversations=len(ids),
            documents=documents,
        )
        self.store.record_erasure(tenant, erasure)
        return erasure
