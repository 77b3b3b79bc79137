"""In-memory tenant and conversation stores for unit tests; they count reads and commits like Firestore's."""

from __future__ import annotations

import builtins
import copy
import threading
from datetime import UTC, datetime

from shared.domain.conversation import Conversation, Message
from shared.domain.delivery import DeliveryStatus, next_delivery_status
from shared.domain.errors import NotFoundError, StaleWriteError
from shared.domain.events import ChatEvent
from shared.domain.knowledge import KnowledgePack
from shared.domain.records import Assignment, ConversationWrite, Lead, Note
from shared.services.ports import ConversationRepository, Outbox, TenantKnowledge, TenantRepository


class InMemoryTenantRepository(TenantRepository):
    def __init__(self, *packs: KnowledgePack) -> None:
        self.knowledge: dict[str, TenantKnowledge] = {}
        for pack in packs:
            self.import_pack(pack)

    def get(self, tenant_id: str) -> TenantKnowledge:
        try:
            return self.knowledge[tenant_id]
        except KeyError:
            raise NotFoundError(f"Unknown tenant {tenant_id!r}") from None

    def import_pack(self, pack: KnowledgePack) -> int:
        current = self.knowledge.get(pack.tenant.id)
        version = current.version + 1 if current else 1
        experiments = current.experiments if current else []
        self.knowledge[pack.tenant.id] = TenantKnowledge(pack=pack, version=version, experiments=experiments)
        return version

    def origin_known(self, origin: str) -> bool:
        return any(origin in k.pack.tenant.allowed_origins for k in self.knowledge.values())


class InMemoryConversationRepository(ConversationRepository, Outbox):
    """Conditional commits like Firestore's (version check, create-only records), the same errors, an outbox."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # a commit is atomic, as a Firestore commit is
        self.outbox: dict[str, tuple[ChatEvent, datetime, bool]] = {}
        self.conversations: dict[tuple[str, str], Conversation] = {}
        self.messages: dict[tuple[str, str], list[Message]] = {}
        self.notes_by: dict[tuple[str, str], list[Note]] = {}
        self.leads: dict[tuple[str, str], Lead] = {}
        self.metrics: dict[tuple[str, str], dict[str, int]] = {}
        self.assignments: dict[tuple[str, str], list[Assignment]] = {}
        self.delivered_at: dict[tuple[str, str], datetime] = {}
        self.reads = 0
        self.commits = 0

    def get(self, tenant: str, conversation_id: str) -> Conversation | None:
        self.reads += 1
        found = self.conversations.get((tenant, conversation_id))
        return found.model_copy(deep=True) if found else None

    def commit(self, write: ConversationWrite) -> None:
        with self._lock:
            self._commit(write)

    def _commit(self, write: ConversationWrite) -> None:
        c = write.conversation
        key = (c.tenant, c.id)
        stored = self.conversations.get(key)
        touches = write.changed is None or bool(write.changed)
        if touches and (stored.version if stored else 0) != c.version:
            raise StaleWriteError("The conversation changed meanwhile")  # Firestore: the revision record exists
        if write.assignment is not None:
            self.assignments.setdefault(key, []).append(write.assignment)
        self.commits += 1
        if touches:
            c.version += 1
            if write.changed is None or stored is None:
                self.conversations[key] = c.model_copy(deep=True)
            else:
                fields = {f: copy.deepcopy(getattr(c, f)) for f in write.changed | {"version"}}
                self.conversations[key] = stored.model_copy(update=fields)
        now = datetime.now(UTC)
        for event in write.events:
            self.outbox[event.id] = (event, now, False)
        self.messages.setdefault(key, []).extend(m.model_copy() for m in write.messages)
        self.notes_by.setdefault(key, []).extend(write.notes)
        if write.lead is not None:
            # Merged like Firestore's: later turns add fields, never erase them or the capture time.
            before = self.leads.get((c.tenant, write.lead.id))
            added = write.lead.model_dump(exclude_none=True)
            self.leads[(c.tenant, write.lead.id)] = before.model_copy(update=added) if before else write.lead
        if write.metrics and write.day:
            day = self.metrics.setdefault((c.tenant, write.day), {})
            for k, v in write.metrics.items():
                day[k] = day.get(k, 0) + v

    def pending(self, older_than_seconds: float, limit: int, tenant: str | None = None) -> list[ChatEvent]:
        now = datetime.now(UTC)
        due = [
            e
            for e, at, done in self.outbox.values()
            if not done and (now - at).total_seconds() >= older_than_seconds and tenant in (None, e.tenant)
        ]
        return due[:limit]

    def mark_delivered(self, event: ChatEvent) -> None:
        with self._lock:
            if event.id in self.outbox:
                stored, at, _ = self.outbox[event.id]
                self.outbox[event.id] = (stored, at, True)

    def messages_after(self, tenant: str, conversation_id: str, after: datetime | None, limit: int) -> list[Message]:
        self.reads += 1
        items = sorted(self.messages.get((tenant, conversation_id), []), key=lambda m: m.created_at)
        return [m for m in items if after is None or m.created_at > after][:limit]

    def notes(self, tenant: str, conversation_id: str, limit: int) -> list[Note]:
        self.reads += 1
        return self.notes_by.get((tenant, conversation_id), [])[:limit]

    def list(self, tenant: str, mode: str | None, limit: int) -> list[Conversation]:
        self.reads += 1
        items = [c for (t, _), c in self.conversations.items() if t == tenant and (mode is None or c.mode == mode)]
        return sorted(items, key=lambda c: c.updated_at, reverse=True)[:limit]

    def search(self, tenant: str, term: str, limit: int) -> builtins.list[Conversation]:
        self.reads += 1
        items = [c for (t, _), c in self.conversations.items() if t == tenant and term in c.search_terms]
        return sorted(items, key=lambda c: c.updated_at, reverse=True)[:limit]

    def leads_of(self, tenant: str, conversation_id: str) -> builtins.list[Lead]:
        self.reads += 1
        found = [lead for (t, _), lead in self.leads.items() if t == tenant and lead.conversation_id == conversation_id]
        return sorted(found, key=lambda lead: (lead.created_at or lead.updated_at, lead.id))

    def report_delivery(self, tenant: str, conversation_id: str, message_id: str, reported: DeliveryStatus) -> bool:
        with self._lock:
            found = [m for m in self.messages.get((tenant, conversation_id), []) if m.id == message_id]
            status = next_delivery_status(found[0].delivery_status, reported) if found else None
            if status is None:
                return False
            found[0].delivery_status = status
            self.delivered_at[(tenant, message_id)] = datetime.now(UTC)
            return True

    def deliveries_after(self, tenant: str, conversation_id: str, after: datetime | None, limit: int) -> builtins.list[Message]:
        self.reads += 1
        changed = [
            (at, m)
            for m in self.messages.get((tenant, conversation_id), [])
            if (at := self.delivered_at.get((tenant, m.id))) is not None and (after is None or at > after)
        ]
        return [m.model_copy() for _, m in sorted(changed, key=lambda pair: pair[0])][:limit]
