"""Personal data in Firestore (and uploads in Cloud Storage): find, export and erase one guest's conversations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from shared.domain.privacy import ContactRef, Erasure, phone_variants
from shared.services.privacy import PersonalDataStore

if TYPE_CHECKING:
    from google.cloud import firestore, storage  # type: ignore[attr-defined]  # storage ships no type hints

# Everything under a conversation; the local server cannot list subcollections, so they are named here.
CONVERSATION_SUBCOLLECTIONS = ("messages", "notes", "assignments", "revisions")
EXPORTED_SUBCOLLECTIONS = ("messages", "notes", "assignments")
BATCH = 400


def _json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    return value


def _field(name: str, op: str, value: Any) -> Any:
    from google.cloud.firestore_v1.base_query import FieldFilter

    return FieldFilter(name, op, value)


class FirestorePersonalDataStore(PersonalDataStore):
    """``tenants/{t}/conversations/{id}`` with its subcollections, ``leads``, ``outbox``, ``erasures``; media by prefix."""

    def __init__(self, db: firestore.Client, storage_client: storage.Client | None = None, buckets: Sequence[str] = ()) -> None:
        self._db = db
        self._storage = storage_client
        self._buckets = tuple(buckets)

    def _tenant(self, tenant: str) -> Any:
        return self._db.collection("tenants").document(tenant)

    def _conversation(self, tenant: str, conversation_id: str) -> Any:
        return self._tenant(tenant).collection("conversations").document(conversation_id)

    def conversations_of(self, tenant: str, contact: ContactRef) -> list[str]:
        if contact.kind == "conversation":
            return [contact.value] if self._conversation(tenant, contact.value).get().exists else []
        found: set[str] = set()
        leads = self._tenant(tenant).collection("leads")
        values = phone_variants(contact.value) if contact.kind == "phone" else [contact.value]
        for value in values:
            for doc in leads.where(filter=_field(contact.kind, "==", value)).stream():
                conversation_id = (doc.to_dict() or {}).get("conversation_id")
                if conversation_id:
                    found.add(conversation_id)
            if contact.kind == "phone":
                conversations = self._tenant(tenant).collection("conversations")
                found |= {d.id for d in conversations.where(filter=_field("contact", "==", value)).select([]).stream()}
        return sorted(found)

    def export_conversation(self, tenant: str, conversation_id: str) -> dict[str, Any] | None:
        ref = self._conversation(tenant, conversation_id)
        doc = ref.get()
        if not doc.exists:
            return None
        exported: dict[str, Any] = {"id": conversation_id, "conversation": _json(doc.to_dict() or {})}
        for name in EXPORTED_SUBCOLLECTIONS:
            exported[name] = [{"id": d.id, **_json(d.to_dict() or {})} for d in ref.collection(name).stream()]
        exported["leads"] = [{"id": d.id, **_json(d.to_dict() or {})} for d in self._leads(tenant, conversation_id)]
        exported["uploads"] = [blob.name for blob in self._uploads(tenant, conversation_id)]
        return exported

    def _leads(self, tenant: str, conversation_id: str) -> Any:
        leads = self._tenant(tenant).collection("leads")
        return leads.where(filter=_field("conversation_id", "==", conversation_id)).stream()

    def _uploads(self, tenant: str, conversation_id: str) -> list[Any]:
        if self._storage is None:
            return []
        from google.api_core.exceptions import NotFound

        prefix = f"tenants/{tenant}/conversations/{conversation_id}/"
        found: list[Any] = []
        for bucket in self._buckets:
            try:
                found += list(self._storage.bucket(bucket).list_blobs(prefix=prefix))
            except NotFound:
                continue  # a bucket this deployment does not have holds nothing
        return found

    def erase_conversation(self, tenant: str, conversation_id: str) -> int:
        ref = self._conversation(tenant, conversation_id)
        refs: list[Any] = []
        for name in CONVERSATION_SUBCOLLECTIONS:
            refs += [d.reference for d in ref.collection(name).select([]).stream()]
        refs += [d.reference for d in self._leads(tenant, conversation_id)]
        # Events not yet delivered (or kept after delivery) carry lead details and message text.
        outbox = self._tenant(tenant).collection("outbox")
        refs += [d.reference for d in outbox.where(filter=_field("conversation_id", "==", conversation_id)).stream()]
        refs.append(ref)  # last: a crash half-way leaves the conversation findable, so the erasure can be repeated
        for start in range(0, len(refs), BATCH):
            batch = self._db.batch()
            for doc_ref in refs[start : start + BATCH]:
                batch.delete(doc_ref)
            batch.commit()
        uploads = self._uploads(tenant, conversation_id)
        for blob in uploads:
            blob.delete()
        return len(refs) + len(uploads)

    def idle_conversations(self, tenant: str, before: datetime, limit: int) -> list[str]:
        conversations = self._tenant(tenant).collection("conversations")
        query = conversations.where(filter=_field("updated_at", "<", before)).select([]).limit(limit)
        return [d.id for d in query.stream()]

    def record_erasure(self, tenant: str, erasure: Erasure) -> None:
        self._tenant(tenant).collection("erasures").document(erasure.id).set(erasure.model_dump())

    def tenants(self) -> list[tuple[str, int]]:
        docs = self._db.collection("tenants").select(["retention_days"]).stream()
        return [(d.id, int((d.to_dict() or {}).get("retention_days") or 365)) for d in docs]
