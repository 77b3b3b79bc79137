"""Firestore adapters: tenants and their knowledge, conversations, messages, notes, leads, roll-ups.

Layout (everything a tenant owns lives under its own path):
    tenants/{tenant}                                   config + knowledge_version
    tenants/{tenant}/knowledge/current                 the whole knowledge pack
    tenants/{tenant}/conversations/{id}                conversation state
    tenants/{tenant}/conversations/{id}/messages/{id}  messages (guests and agents read these)
    tenants/{tenant}/conversations/{id}/notes/{id}     internal notes (agents only)
    tenants/{tenant}/leads/{id}                        leads for the CRM
    tenants/{tenant}/metrics/{day}/shards/{n}          sharded daily counters
    registry/origins                                   which tenant allows which web origin
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared.domain.conversation import Conversation, Message
from shared.domain.errors import ConflictError, NotFoundError
from shared.domain.knowledge import KnowledgePack
from shared.domain.records import ConversationWrite, Note
from shared.domain.schema import stamp
from shared.services.ports import ConversationRepository, TenantKnowledge, TenantRepository

if TYPE_CHECKING:
    from google.cloud import firestore

METRIC_SHARDS = 10


class OperationCounter:
    """Reads and commits made through these adapters, so budgets can be measured at the client."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reads = 0
        self.commits = 0
        self.writes = 0

    def read(self, n: int = 1) -> None:
        with self._lock:
            self.reads += n

    def commit(self, writes: int) -> None:
        with self._lock:
            self.commits += 1
            self.writes += writes

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return {"reads": self.reads, "commits": self.commits, "writes": self.writes}


counter = OperationCounter()


METRIC_SEPARATOR = "__"


def metric_field(key: str) -> str:
    """A roll-up counter's field name: ``by_intent.faq`` → ``by_intent__faq``.

    Counters are flat top-level fields: increments on nested paths are not supported by every
    Firestore server (the local one refuses them), and flat names need no path quoting.
    """
    return key.replace(".", METRIC_SEPARATOR)


def _increments(counts: dict[str, int]) -> dict[str, Any]:
    from google.cloud import firestore

    return {metric_field(key): firestore.Increment(value) for key, value in counts.items()}


@dataclass
class _CacheEntry:
    knowledge: TenantKnowledge
    checked: float


class FirestoreTenantRepository(TenantRepository):
    """Tenant config and knowledge, cached per instance and re-checked by version every ``ttl`` seconds."""

    def __init__(self, db: firestore.Client, ttl_seconds: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._db = db
        self._ttl = ttl_seconds
        self._clock = clock
        self._cache: dict[str, _CacheEntry] = {}
        self._origins: tuple[float, set[str]] | None = None
        self._lock = threading.Lock()

    def _tenant_ref(self, tenant_id: str) -> Any:
        return self._db.collection("tenants").document(tenant_id)

    def get(self, tenant_id: str) -> TenantKnowledge:
        entry = self._cache.get(tenant_id)
        now = self._clock()
        if entry is not None and now - entry.checked < self._ttl:
            return entry.knowledge
        with self._lock:
            entry = self._cache.get(tenant_id)
            if entry is not None and now - entry.checked < self._ttl:
                return entry.knowledge
            snapshot = self._tenant_ref(tenant_id).get(field_paths=["knowledge_version"])
            counter.read()
            if not snapshot.exists:
                raise NotFoundError(f"Unknown tenant {tenant_id!r}")
            version = int(snapshot.get("knowledge_version"))
            if entry is not None and entry.knowledge.version == version:
                entry.checked = now
                return entry.knowledge
            knowledge_doc = self._tenant_ref(tenant_id).collection("knowledge").document("current").get()
            counter.read()
            if not knowledge_doc.exists:
                raise NotFoundError(f"Tenant {tenant_id!r} has no knowledge yet")
            data = knowledge_doc.to_dict() or {}
            knowledge = TenantKnowledge(pack=KnowledgePack.model_validate(data["pack"]), version=int(data["version"]))
            self._cache[tenant_id] = _CacheEntry(knowledge, now)
            return knowledge

    def import_pack(self, pack: KnowledgePack) -> int:
        from google.cloud import firestore

        tenant_id = pack.tenant.id
        tenant_ref = self._tenant_ref(tenant_id)
        registry_ref = self._db.collection("registry").document("origins")
        transaction = self._db.transaction()

        @firestore.transactional
        def replace(tx: Any) -> int:
            current = tenant_ref.get(transaction=tx)
            registry = registry_ref.get(transaction=tx)
            version = int((current.to_dict() or {}).get("knowledge_version", 0)) + 1 if current.exists else 1
            entries = [e for e in (registry.to_dict() or {}).get("entries", []) if e.get("tenant") != tenant_id]
            entries += [{"origin": o, "tenant": tenant_id} for o in pack.tenant.allowed_origins]
            config = pack.tenant.model_dump(mode="json")
            tx.set(
                tenant_ref, stamp("tenant", {**config, "knowledge_version": version, "updated_at": firestore.SERVER_TIMESTAMP})
            )
            tx.set(
                tenant_ref.collection("knowledge").document("current"),
                {"version": version, "pack": pack.model_dump(mode="json"), "updated_at": firestore.SERVER_TIMESTAMP},
            )
            tx.set(registry_ref, {"entries": entries})
            return version

        version: int = replace(transaction)
        self._cache.pop(tenant_id, None)
        self._origins = None
        return version

    def origin_known(self, origin: str) -> bool:
        now = self._clock()
        if self._origins is None or now - self._origins[0] > 60:
            doc = self._db.collection("registry").document("origins").get()
            counter.read()
            self._origins = (now, {e["origin"] for e in (doc.to_dict() or {}).get("entries", [])})
        return origin in self._origins[1]


def _conversation_from(doc: Any) -> Conversation:
    return Conversation.model_validate({**(doc.to_dict() or {}), "id": doc.id})


def _message_from(doc: Any) -> Message:
    return Message.model_validate({**(doc.to_dict() or {}), "id": doc.id})


class FirestoreConversationRepository(ConversationRepository):
    """Conversations and everything hanging off them."""

    def __init__(self, db: firestore.Client, shards: int = METRIC_SHARDS) -> None:
        self._db = db
        self._shards = shards

    def _tenant(self, tenant: str) -> Any:
        return self._db.collection("tenants").document(tenant)

    def _ref(self, tenant: str, conversation_id: str) -> Any:
        return self._tenant(tenant).collection("conversations").document(conversation_id)

    def get(self, tenant: str, conversation_id: str) -> Conversation | None:
        doc = self._ref(tenant, conversation_id).get()
        counter.read()
        return _conversation_from(doc) if doc.exists else None

    def _stage(self, batch: Any, write: ConversationWrite) -> int:
        """Add every document of ``write`` to a batch or transaction; returns the number of writes."""
        conversation = write.conversation
        ref = self._ref(conversation.tenant, conversation.id)
        data = stamp("conversation", conversation.model_dump(exclude={"id"}))
        writes = len(write.messages) + len(write.notes)
        if write.assignment is not None:
            # Create-only: of two take-overs from the same state, the second create fails. Staged first:
            # the local Firestore server applies a commit's writes in order and stops at the failing one.
            assignment = ref.collection("assignments").document(f"{write.assignment.number:06d}")
            batch.create(assignment, stamp("assignment", write.assignment.model_dump()))
            writes += 1
        if write.changed is None:
            batch.set(ref, data, merge=True)
            writes += 1
        else:
            fields = {k: data[k] for k in write.changed if k in data}
            if fields:  # a note alone leaves the conversation document as it is
                batch.update(ref, fields)
                writes += 1
        for message in write.messages:
            batch.set(
                ref.collection("messages").document(message.id),
                stamp("message", message.model_dump(exclude={"id"}, exclude_none=True)),
            )
        for note in write.notes:
            batch.set(ref.collection("notes").document(note.id), stamp("note", note.model_dump(exclude={"id"})))
        if write.lead is not None:
            # Merged: later turns add fields to the lead, never erase them or the capture time.
            lead = stamp("lead", write.lead.model_dump(exclude={"id"}, exclude_none=True))
            batch.set(self._tenant(conversation.tenant).collection("leads").document(write.lead.id), lead, merge=True)
            writes += 1
        if write.metrics and write.day:
            shard = self._tenant(conversation.tenant).collection("metrics").document(write.day)
            shard = shard.collection("shards").document(str(random.randrange(self._shards)))  # noqa: S311 - spreading load
            batch.set(shard, {**_increments(write.metrics), "day": write.day}, merge=True)
            writes += 1
        return writes

    def commit(self, write: ConversationWrite) -> None:
        batch = self._db.batch()
        writes = self._stage(batch, write)
        batch.commit()
        counter.commit(writes)

    def update_in_transaction(
        self, tenant: str, conversation_id: str, change: Callable[[Conversation | None], ConversationWrite]
    ) -> ConversationWrite:
        from google.api_core.exceptions import AlreadyExists
        from google.cloud import firestore

        ref = self._ref(tenant, conversation_id)

        @firestore.transactional
        def run(tx: Any) -> ConversationWrite:
            doc = ref.get(transaction=tx)
            counter.read()
            write = change(_conversation_from(doc) if doc.exists else None)
            if not write.is_noop:
                counter.commit(self._stage(tx, write))
            return write

        for _ in range(3):
            try:
                result: ConversationWrite = run(self._db.transaction())
                return result
            except AlreadyExists:
                # A create-only record (a take-over) lost a race: read the new state and decide again.
                continue
        raise ConflictError("The conversation changed meanwhile, try again")

    def messages_after(self, tenant: str, conversation_id: str, after: datetime | None, limit: int) -> list[Message]:
        query = self._ref(tenant, conversation_id).collection("messages").order_by("created_at")
        if after is not None:
            query = query.where(filter=_field_filter("created_at", ">", after))
        docs = list(query.limit(limit).stream())
        counter.read(max(1, len(docs)))
        return [_message_from(d) for d in docs]

    def notes(self, tenant: str, conversation_id: str, limit: int) -> list[Note]:
        docs = list(self._ref(tenant, conversation_id).collection("notes").order_by("created_at").limit(limit).stream())
        counter.read(max(1, len(docs)))
        return [Note.model_validate({**(d.to_dict() or {}), "id": d.id}) for d in docs]

    def list(self, tenant: str, mode: str | None, limit: int) -> list[Conversation]:
        from google.cloud import firestore

        query = self._tenant(tenant).collection("conversations")
        if mode:
            query = query.where(filter=_field_filter("mode", "==", mode))
        docs = list(query.order_by("updated_at", direction=firestore.Query.DESCENDING).limit(limit).stream())
        counter.read(max(1, len(docs)))
        return [_conversation_from(d) for d in docs]


def _field_filter(field: str, op: str, value: Any) -> Any:
    from google.cloud.firestore_v1.base_query import FieldFilter

    return FieldFilter(field, op, value)
