"""Personal data over the in-memory stores, for unit tests; the same contract tests run it and Firestore's."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.adapters.in_memory_store import InMemoryConversationRepository, InMemoryTenantRepository
from shared.domain.privacy import ContactRef, Erasure, phone_variants
from shared.services.privacy import PersonalDataStore


class InMemoryPersonalDataStore(PersonalDataStore):
    """Reads and deletes in the fakes' dictionaries, as the Firestore adapter does in its collections."""

    def __init__(self, tenants: InMemoryTenantRepository, conversations: InMemoryConversationRepository) -> None:
        self._tenants = tenants
        self._repo = conversations
        self.erasures: dict[str, list[Erasure]] = {}

    def conversations_of(self, tenant: str, contact: ContactRef) -> list[str]:
        if contact.kind == "conversation":
            return [contact.value] if (tenant, contact.value) in self._repo.conversations else []
        values = set(phone_variants(contact.value)) if contact.kind == "phone" else {contact.value}
        found = {
            lead.conversation_id
            for (t, _), lead in self._repo.leads.items()
            if t == tenant and getattr(lead, contact.kind) in values
        }
        if contact.kind == "phone":
            found |= {c.id for (t, _), c in self._repo.conversations.items() if t == tenant and c.contact in values}
        return sorted(found)

    def export_conversation(self, tenant: str, conversation_id: str) -> dict[str, Any] | None:
        key = (tenant, conversation_id)
        conversation = self._repo.conversations.get(key)
        if conversation is None:
            return None
        return {
            "id": conversation_id,
            "conversation": conversation.model_dump(mode="json", exclude={"id"}),
            "messages": [m.model_dump(mode="json", exclude_none=True) for m in self._repo.messages.get(key, [])],
            "notes": [n.model_dump(mode="json") for n in self._repo.notes_by.get(key, [])],
            "assignments": [a.model_dump(mode="json") for a in self._repo.assignments.get(key, [])],
            "leads": [
                lead.model_dump(mode="json", exclude_none=True)
                for (t, _), lead in self._repo.leads.items()
                if t == tenant and lead.conversation_id == conversation_id
            ],
            "uploads": [],
        }

    def erase_conversation(self, tenant: str, conversation_id: str) -> int:
        key = (tenant, conversation_id)
        repo = self._repo
        documents = len(repo.messages.pop(key, [])) + len(repo.notes_by.pop(key, [])) + len(repo.assignments.pop(key, []))
        leads = [k for k, lead in repo.leads.items() if k[0] == tenant and lead.conversation_id == conversation_id]
        for k in leads:
            del repo.leads[k]
        events = [
            i for i, (e, _, _) in repo.outbox.items() if e.tenant == tenant and e.data.get("conversation_id") == conversation_id
        ]
        for i in events:
            del repo.outbox[i]
        found = repo.conversations.pop(key, None)
        return documents + len(leads) + len(events) + (1 if found else 0)

    def idle_conversations(self, tenant: str, before: datetime, limit: int) -> list[str]:
        return sorted(c.id for (t, _), c in self._repo.conversations.items() if t == tenant and c.updated_at < before)[:limit]

    def record_erasure(self, tenant: str, erasure: Erasure) -> None:
        self.erasures.setdefault(tenant, []).append(erasure)

    def tenants(self) -> list[tuple[str, int]]:
        return [(t, k.pack.tenant.retention_days) for t, k in self._tenants.knowledge.items()]
