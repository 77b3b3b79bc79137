"""Firestore adapters: tenants and their knowledge, conversations, messages, notes, leads, roll-ups.

Layout (everything a tenant owns lives under its own path):
    tenants/{tenant}                                   config + knowledge_version
    tenants/{tenant}/knowledge/current                 the whole knowledge pack
    tenants/{tenant}/conversations/{id}                conversation state
    tenants/{tenant}/conversations/{id}/messages/{id}  messages (guests and agents read these)
    tenants/{tenant}/conversations/{id}/notes/{id}     internal notes (agents only)
    tenants/{tenant}/conversations/{id}/revisions/{n}  create-only record per committed version (the precondition)
    tenants/{tenant}/outbox/{event_id}                 events stored with their commit, until delivered
    tenants/{tenant}/leads/{id}                        leads for the CRM
    tenants/{tenant}/metric_months/{month}_{n}         sharded daily counters (see metrics_store.py)
    registry/origins                                   which tenant allows which web origin
"""

from __future__ import annotations

import builtins
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared.domain.conversation import Conversation, Message
from shared.domain.delivery import DeliveryStatus, next_delivery_status
from shared.domain.errors import NotFoundError, ServiceUnavailableError, StaleWriteError
from shared.domain.events import ChatEvent
from shared.domain.experiments import Experiment
from shared.domain.knowledge import KnowledgePack
from shared.domain.records import ConversationWrite, Lead, Note
from shared.domain.schema import stamp
from shared.services.ports import UPDATE_ATTEMPTS, ConversationRepository, Outbox, TenantKnowledge, TenantRepository

if TYPE_CHECKING:
    from google.cloud import firestore

METRIC_SHARDS = 10
# Every Firestore call's deadline: well inside a request's budget, so an outage is a quick 503.
DEFAULT_DEADLINE_SECONDS = 4.0
OUTAGE_RETRY_AFTER_SECONDS = 5


class Deadline:
    """Keyword arguments that bound a Firestore call: one attempt and its retries end within ``seconds``."""

    def __init__(self, seconds: float = DEFAULT_DEADLINE_SECONDS) -> None:
        self.seconds = seconds

    @property
    def kwargs(self) -> dict[str, Any]:
        from google.api_core.retry import Retry

        retry = Retry(initial=0.1, maximum=1.0, multiplier=2.0, timeout=self.seconds)
        return {"timeout": self.seconds, "retry": retry}


@contextmanager
def guarded() -> Iterator[None]:
    """Firestore errors as the domain's: a lost precondition is a stale write, an outage a 503."""
    from google.api_core import exceptions as gexc

    try:
        yield
    except gexc.AlreadyExists:
        raise StaleWriteError("The conversation changed meanwhile") from None
    except (gexc.ServiceUnavailable, gexc.DeadlineExceeded, gexc.RetryError, gexc.InternalServerError) as exc:
        raise ServiceUnavailableError(
            "The database is not answering, try again shortly", retry_after=OUTAGE_RETRY_AFTER_SECONDS
        ) from exc


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


@dataclass
class _CacheEntry:
    knowledge: TenantKnowledge
    checked: float


class FirestoreTenantRepository(TenantRepository):
    """Tenant config and knowledge, cached per instance and re-checked by version every ``ttl`` seconds."""

    def __init__(
        self,
        db: firestore.Client,
        ttl_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        deadline: Deadline | None = None,
    ) -> None:
        self._db = db
        self._ttl = ttl_seconds
        self._clock = clock
        self._deadline = deadline or Deadline()
        self._cache: dict[str, _CacheEntry] = {}
        self._origins: tuple[float, set[str]] | None = None
        # Single flight per tenant: one slow read never queues readers of other tenants behind it.
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def _lock_for(self, tenant_id: str) -> threading.Lock:
        with self._locks_guard:  # held only to find the lock, never while reading
            return self._locks.setdefault(tenant_id, threading.Lock())

    def _tenant_ref(self, tenant_id: str) -> Any:
        return self._db.collection("tenants").document(tenant_id)

    def get(self, tenant_id: str) -> TenantKnowledge:
        entry = self._cache.get(tenant_id)
        now = self._clock()
        if entry is not None and now - entry.checked < self._ttl:
            return entry.knowledge
        lock = self._lock_for(tenant_id)
        if entry is not None and not lock.acquire(blocking=False):
            # Single flight: another request is re-checking this tenant; serve the cached
            # knowledge meanwhile instead of queueing behind a read that may be slow.
            return entry.knowledge
        if entry is None:
            lock.acquire()
        try:
            with guarded():
                return self._refresh(tenant_id, now)
        finally:
            lock.release()

    def _refresh(self, tenant_id: str, now: float) -> TenantKnowledge:
        entry = self._cache.get(tenant_id)
        if entry is not None and now - entry.checked < self._ttl:
            return entry.knowledge
        snapshot = self._tenant_ref(tenant_id).get(field_paths=["knowledge_version"], **self._deadline.kwargs)
        counter.read()
        if not snapshot.exists:
            raise NotFoundError(f"Unknown tenant {tenant_id!r}")
        version = int(snapshot.get("knowledge_version"))
        if entry is not None and entry.knowledge.version == version:
            entry.checked = now
            return entry.knowledge
        knowledge_doc = self._tenant_ref(tenant_id).collection("knowledge").document("current").get(**self._deadline.kwargs)
        counter.read()
        if not knowledge_doc.exists:
            raise NotFoundError(f"Tenant {tenant_id!r} has no knowledge yet")
        data = knowledge_doc.to_dict() or {}
        knowledge = TenantKnowledge(
            pack=KnowledgePack.model_validate(data["pack"]),
            version=int(data["version"]),
            experiments=[Experiment.model_validate(e) for e in data.get("experiments", [])],
        )
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
                merge=["version", "pack", "updated_at"],  # running experiments travel in this document too
            )
            tx.set(registry_ref, {"entries": entries})
            return version

        version: int = replace(transaction)
        self._cache.pop(tenant_id, None)
        self._origins = None
        return version

    def forget(self, tenant_id: str) -> None:
        self._cache.pop(tenant_id, None)

    def origin_known(self, origin: str) -> bool:
        now = self._clock()
        if self._origins is None or now - self._origins[0] > 60:
            with guarded():
                doc = self._db.collection("registry").document("origins").get(**self._deadline.kwargs)
            counter.read()
            self._origins = (now, {e["origin"] for e in (doc.to_dict() or {}).get("entries", [])})
        return origin in self._origins[1]


def _conversation_from(doc: Any) -> Conversation:
    data = doc.to_dict() or {}
    # A stored conversation is at least version 1 (documents from before versions existed included).
    return Conversation.model_validate({**data, "id": doc.id, "version": max(1, int(data.get("version") or 0))})


def _message_from(doc: Any) -> Message:
    return Message.model_validate({**(doc.to_dict() or {}), "id": doc.id})


class FirestoreConversationRepository(ConversationRepository, Outbox):
    """Conversations and everything hanging off them; commits are conditional on the version read."""

    def __init__(self, db: firestore.Client, shards: int = METRIC_SHARDS, deadline: Deadline | None = None) -> None:
        self._db = db
        self._shards = shards
        self._deadline = deadline or Deadline()

    def _tenant(self, tenant: str) -> Any:
        return self._db.collection("tenants").document(tenant)

    def _ref(self, tenant: str, conversation_id: str) -> Any:
        return self._tenant(tenant).collection("conversations").document(conversation_id)

    def get(self, tenant: str, conversation_id: str) -> Conversation | None:
        with guarded():
            doc = self._ref(tenant, conversation_id).get(**self._deadline.kwargs)
        counter.read()
        return _conversation_from(doc) if doc.exists else None

    def _stage(self, batch: Any, write: ConversationWrite) -> int:
        """Add every document of ``write`` to a batch; returns the number of writes.

        The precondition is staged first: the local Firestore server applies a commit's writes in
        order and stops at the failing one (Google's applies all or nothing), so nothing follows a
        failed precondition. A precondition on the update time would be simpler, but the local
        server ignores it; a create-only record works on both.
        """
        from google.cloud import firestore

        conversation = write.conversation
        ref = self._ref(conversation.tenant, conversation.id)
        data = stamp("conversation", conversation.model_dump(exclude={"id"}))
        data["version"] = conversation.version + 1
        data["expire_at"] = conversation.expire_at  # Firestore TTL deletes what retention no longer allows
        writes = len(write.messages) + len(write.notes) + len(write.events)
        if write.changed is None or write.changed:
            if conversation.version == 0:
                batch.create(ref, data)
            else:
                revision = ref.collection("revisions").document(f"{conversation.version + 1:08d}")
                batch.create(revision, {"at": firestore.SERVER_TIMESTAMP})
                written = (write.changed or set()) | {"version", "expire_at"}
                fields = data if write.changed is None else {k: data[k] for k in written if k in data}
                batch.update(ref, fields)
                writes += 1
            writes += 1
        if write.assignment is not None:
            assignment = ref.collection("assignments").document(f"{write.assignment.number:06d}")
            batch.set(assignment, stamp("assignment", write.assignment.model_dump()))
            writes += 1
        for message in write.messages:
            stored = {**message.model_dump(exclude={"id"}, exclude_none=True), "expire_at": conversation.expire_at}
            batch.set(ref.collection("messages").document(message.id), stamp("message", stored))
        for note in write.notes:
            batch.set(ref.collection("notes").document(note.id), stamp("note", note.model_dump(exclude={"id"})))
        for event in write.events:
            entry = {"event": event.model_dump(mode="json"), "delivered": False, "created_at": firestore.SERVER_TIMESTAMP}
            # Top-level, so an erasure finds a guest's events (the local server cannot filter nested fields).
            entry["conversation_id"] = conversation.id
            batch.set(self._tenant(event.tenant).collection("outbox").document(event.id), entry)
        if write.lead is not None:
            # Merged: later turns add fields to the lead, never erase them or the capture time.
            lead = stamp("lead", write.lead.model_dump(exclude={"id"}, exclude_none=True))
            batch.set(self._tenant(conversation.tenant).collection("leads").document(write.lead.id), lead, merge=True)
            writes += 1
        if write.metrics and write.day:
            from shared.adapters.metrics_store import stage_rollup

            stage_rollup(batch, self._tenant(conversation.tenant), write.day, write.metrics, self._shards)
            writes += 1
        return writes

    def commit(self, write: ConversationWrite) -> None:
        batch = self._db.batch()
        writes = self._stage(batch, write)
        with guarded():
            batch.commit(**self._deadline.kwargs)
        counter.commit(writes)
        if write.changed is None or write.changed:
            write.conversation.version += 1

    # --- outbox ----------------------------------------------------------------------------

    def pending(self, older_than_seconds: float, limit: int, tenant: str | None = None) -> list[ChatEvent]:
        cutoff = datetime.now(UTC) - timedelta(seconds=older_than_seconds)
        found: list[ChatEvent] = []
        with guarded():
            # Tenant by tenant: the local server has no collection-group queries.
            if tenant is not None:
                refs = [self._tenant(tenant)]
            else:
                refs = [d.reference for d in self._db.collection("tenants").select([]).stream(**self._deadline.kwargs)]
            for ref in refs:
                query = ref.collection("outbox").where(filter=_field_filter("delivered", "==", False))
                for doc in query.limit(limit - len(found)).stream(**self._deadline.kwargs):
                    data = doc.to_dict() or {}
                    created = data.get("created_at")
                    if created is None or created <= cutoff:
                        found.append(ChatEvent.model_validate(data["event"]))
                if len(found) >= limit:
                    break
        return found

    def mark_delivered(self, event: ChatEvent) -> None:
        from google.cloud import firestore

        ref = self._tenant(event.tenant).collection("outbox").document(event.id)
        with guarded():
            ref.set({"delivered": True, "delivered_at": firestore.SERVER_TIMESTAMP}, merge=True, **self._deadline.kwargs)

    # --- reading ---------------------------------------------------------------------------

    def messages_after(self, tenant: str, conversation_id: str, after: datetime | None, limit: int) -> list[Message]:
        query = self._ref(tenant, conversation_id).collection("messages").order_by("created_at")
        if after is not None:
            query = query.where(filter=_field_filter("created_at", ">", after))
        with guarded():
            docs = list(query.limit(limit).stream(**self._deadline.kwargs))
        counter.read(max(1, len(docs)))
        return [_message_from(d) for d in docs]

    def notes(self, tenant: str, conversation_id: str, limit: int) -> list[Note]:
        query = self._ref(tenant, conversation_id).collection("notes").order_by("created_at").limit(limit)
        with guarded():
            docs = list(query.stream(**self._deadline.kwargs))
        counter.read(max(1, len(docs)))
        return [Note.model_validate({**(d.to_dict() or {}), "id": d.id}) for d in docs]

    def list(self, tenant: str, mode: str | None, limit: int) -> list[Conversation]:
        query = self._tenant(tenant).collection("conversations")
        if mode:
            query = query.where(filter=_field_filter("mode", "==", mode))
        return self._newest(query, limit)

    def search(self, tenant: str, term: str, limit: int) -> builtins.list[Conversation]:
        # Needs the composite index (search_terms CONTAINS, updated_at DESC) in firestore.indexes.json.
        conversations = self._tenant(tenant).collection("conversations")
        return self._newest(conversations.where(filter=_field_filter("search_terms", "array_contains", term)), limit)

    def _newest(self, query: Any, limit: int) -> builtins.list[Conversation]:
        from google.cloud import firestore

        query = query.order_by("updated_at", direction=firestore.Query.DESCENDING).limit(limit)
        with guarded():
            docs = builtins.list(query.stream(**self._deadline.kwargs))
        counter.read(max(1, len(docs)))
        return [_conversation_from(d) for d in docs]

    def leads_of(self, tenant: str, conversation_id: str) -> builtins.list[Lead]:
        query = self._tenant(tenant).collection("leads").where(filter=_field_filter("conversation_id", "==", conversation_id))
        with guarded():
            docs = list(query.limit(20).stream(**self._deadline.kwargs))
        counter.read(max(1, len(docs)))
        leads = [Lead.model_validate({**(d.to_dict() or {}), "id": d.id}) for d in docs]
        return sorted(leads, key=lambda lead: (lead.created_at or lead.updated_at, lead.id))

    # --- delivery reports (WhatsApp) ----------------------------------------------------------

    def report_delivery(self, tenant: str, conversation_id: str, message_id: str, reported: DeliveryStatus) -> bool:
        from google.api_core import exceptions as gexc

        ref = self._ref(tenant, conversation_id).collection("messages").document(message_id)
        for _ in range(UPDATE_ATTEMPTS):
            with guarded():
                snapshot = ref.get(**self._deadline.kwargs)
            counter.read()
            if not snapshot.exists:
                return False
            status = next_delivery_status((snapshot.to_dict() or {}).get("delivery_status"), reported)
            if status is None:
                return False  # a retry, or a report older than what the message already says
            # Conditional on the version read (Google's Firestore honours it; the local one ignores
            # it), so two callbacks racing cannot write an older status over a newer one.
            option = self._db.write_option(last_update_time=snapshot.update_time)
            try:
                with guarded():
                    fields = {"delivery_status": status, "delivery_at": datetime.now(UTC)}
                    ref.update(fields, option=option, **self._deadline.kwargs)
            except gexc.FailedPrecondition:
                continue
            counter.commit(1)
            return True
        return False

    def deliveries_after(self, tenant: str, conversation_id: str, after: datetime | None, limit: int) -> builtins.list[Message]:
        query = self._ref(tenant, conversation_id).collection("messages")
        if after is not None:
            query = query.where(filter=_field_filter("delivery_at", ">", after))
        with guarded():
            docs = list(query.order_by("delivery_at").limit(limit).stream(**self._deadline.kwargs))
        counter.read(max(1, len(docs)))
        return [_message_from(d) for d in docs]


def _field_filter(field: str, op: str, value: Any) -> Any:
    from google.cloud.firestore_v1.base_query import FieldFilter

    return FieldFilter(field, op, value)
