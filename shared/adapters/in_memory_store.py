"""In-memory tenant and conversation stores for unit tests; they count reads and commits like Firestore's."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime

from shared.domain.conversation import Conversation, Message
from shared.domain.errors import ConflictError, NotFoundError
from shared.domain.knowledge import KnowledgePack
from shared.domain.records import Assignment, ConversationWrite, Lead, Note
from shared.services.ports import ConversationRepository, TenantKnowledge, TenantRepository


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


class InMemoryConversationRepository(ConversationRepository):
    def __init__(self) -> None:
        self.conversations: dict[tuple[str, str], Conversation] = {}
        self.messages: dict[tuple[str, str], list[Message]] = {}
        self.notes_by: dict[tuple[str, str], list[Note]] = {}
        self.leads: dict[tuple[str, str], Lead] = {}
        self.metrics: dict[tuple[str, str], dict[str, int]] = {}
        self.assignments: dict[tuple[str, str], list[Assignment]] = {}
        self.reads = 0
        self.commits = 0

    def get(self, tenant: str, conversation_id: str) -> Conversation | None:
        self.reads += 1
        found = self.conversations.get((tenant, conversation_id))
        return found.model_copy(deep=True) if found else None

    def commit(self, write: ConversationWrite) -> None:
        c = write.conversation
        key = (c.tenant, c.id)
        if write.assignment is not None:
            taken = self.assignments.setdefault(key, [])
            if any(a.number == write.assignment.number for a in taken):
                raise ConflictError("take-over already recorded")  # Firestore's create-only precondition
            taken.append(write.assignment)
        self.commits += 1
        if write.changed is None or key not in self.conversations:
            self.conversations[key] = c.model_copy(deep=True)
        else:
            stored = self.conversations[key]
            self.conversations[key] = stored.model_copy(update={f: copy.deepcopy(getattr(c, f)) for f in write.changed})
        self.messages.setdefault(key, []).extend(m.model_copy() for m in write.messages)
        self.notes_by.setdefault(key, []).extend(write.notes)
        if write.lead is not None:
            self.leads[(c.tenant, write.lead.id)] = write.lead
        if write.metrics and write.day:
            day = self.metrics.setdefault((c.tenant, write.day), {})
            for k, v in write.metrics.items():
                day[k] = day.get(k, 0) + v

    def update_in_transaction(
        self, tenant: str, conversation_id: str, change: Callable[[Conversation | None], ConversationWrite]
    ) -> ConversationWrite:
        write = change(self.get(tenant, conversation_id))
        if not write.is_noop:
            self.commit(write)
        return write

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
