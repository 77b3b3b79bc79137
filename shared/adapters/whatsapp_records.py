"""WhatsApp bookkeeping in Firestore and guests' media in Cloud Storage (plus fakes for unit tests)."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from shared.adapters.gcs_signing import signed_url
from shared.domain.delivery import DeliveryStatus, next_delivery_status
from shared.services.media import SNIFF_BYTES, MediaStore, StoredObject, UploadTarget
from shared.services.whatsapp import SentReply, WhatsAppRecords

if TYPE_CHECKING:
    from google.cloud import firestore, storage  # type: ignore[attr-defined]


class GcsMediaStore(MediaStore):
    """A private bucket; objects are read by agents through the functions, never publicly."""

    def __init__(self, client: storage.Client, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def put(self, path: str, data: bytes, content_type: str) -> None:
        self._client.bucket(self._bucket).blob(path).upload_from_string(data, content_type=content_type)

    def get(self, path: str) -> tuple[bytes, str] | None:
        blob = self._client.bucket(self._bucket).get_blob(path)
        if blob is None:
            return None
        return blob.download_as_bytes(), str(blob.content_type or "application/octet-stream")

    def stat(self, path: str, head_bytes: int = SNIFF_BYTES) -> StoredObject | None:
        blob = self._client.bucket(self._bucket).get_blob(path)
        if blob is None:
            return None
        size = int(blob.size or 0)
        head = blob.download_as_bytes(start=0, end=min(head_bytes, size) - 1) if size else b""
        return StoredObject(head=head[:head_bytes], size=size, content_type=str(blob.content_type or ""))

    def delete(self, path: str) -> None:
        from google.api_core import exceptions

        with contextlib.suppress(exceptions.NotFound):
            self._client.bucket(self._bucket).blob(path).delete()

    def upload_target(self, path: str, content_type: str, max_bytes: int, expires_at: datetime) -> UploadTarget | None:
        # The signature covers the content type, the size range and create-only: the browser must send
        # these headers as signed, Cloud Storage refuses a body outside the range, and an object already
        # there (finalized) cannot be replaced through the same URL.
        signed = {"x-goog-content-length-range": f"0,{max_bytes}", "x-goog-if-generation-match": "0"}
        blob = self._client.bucket(self._bucket).blob(path)
        url = signed_url(
            self._client, blob, "media upload", expiration=expires_at, method="PUT", content_type=content_type, headers=signed
        )
        return UploadTarget(url=url, headers={"Content-Type": content_type, **signed}) if url else None


class FirestoreWhatsAppRecords(WhatsAppRecords):
    """``tenants/{t}/whatsapp_inbound/{sid}`` (received, answered) and ``tenants/{t}/whatsapp_outbound/{sid}`` (status)."""

    def __init__(self, db: firestore.Client) -> None:
        self._db = db

    def _doc(self, tenant: str, kind: str, sid: str) -> Any:
        return self._db.collection("tenants").document(tenant).collection(f"whatsapp_{kind}").document(sid)

    def accept(self, tenant: str, inbound_sid: str) -> bool:
        from google.api_core import exceptions

        try:
            self._doc(tenant, "inbound", inbound_sid).create({"received_at": datetime.now(UTC)})
        except (exceptions.AlreadyExists, exceptions.Conflict):
            return False
        return True

    def release(self, tenant: str, inbound_sid: str) -> None:
        self._doc(tenant, "inbound", inbound_sid).delete()

    def replied(self, tenant: str, inbound_sid: str) -> bool:
        return "reply" in (self._doc(tenant, "inbound", inbound_sid).get().to_dict() or {})

    def record_reply(
        self, tenant: str, inbound_sid: str, outbound_sid: str, conversation_id: str, message_id: str | None = None
    ) -> None:
        now = datetime.now(UTC)
        batch = self._db.batch()
        answered = {"reply": outbound_sid, "conversation_id": conversation_id, "replied_at": now}
        batch.set(self._doc(tenant, "inbound", inbound_sid), answered, merge=True)
        if outbound_sid:
            status = {"conversation_id": conversation_id, "message_id": message_id, "status": "queued", "at": now}
            batch.set(self._doc(tenant, "outbound", outbound_sid), status)
        batch.commit()

    def update_status(self, tenant: str, outbound_sid: str, status: DeliveryStatus) -> SentReply | None:
        ref = self._doc(tenant, "outbound", outbound_sid)
        data = ref.get().to_dict()
        if data is None:
            return None
        if next_delivery_status(data.get("status"), status) is not None:
            ref.update({"status": status, "at": datetime.now(UTC)})
        return SentReply(str(data.get("conversation_id") or ""), data.get("message_id"))


class InMemoryMediaStore(MediaStore):
    """Media for unit tests."""

    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}

    def put(self, path: str, data: bytes, content_type: str) -> None:
        self.objects[path] = (data, content_type)

    def get(self, path: str) -> tuple[bytes, str] | None:
        return self.objects.get(path)

    def stat(self, path: str, head_bytes: int = SNIFF_BYTES) -> StoredObject | None:
        found = self.objects.get(path)
        if found is None:
            return None
        return StoredObject(head=found[0][:head_bytes], size=len(found[0]), content_type=found[1])

    def delete(self, path: str) -> None:
        self.objects.pop(path, None)

    def upload_target(self, path: str, content_type: str, max_bytes: int, expires_at: datetime) -> UploadTarget | None:
        return None  # like the storage emulator: nothing to sign with


class InMemoryWhatsAppRecords(WhatsAppRecords):
    """WhatsApp bookkeeping for unit tests."""

    def __init__(self) -> None:
        self.accepted: set[tuple[str, str]] = set()
        self.inbound: dict[tuple[str, str], str] = {}
        self.outbound: dict[tuple[str, str], str] = {}
        self.sent: dict[tuple[str, str], SentReply] = {}

    def accept(self, tenant: str, inbound_sid: str) -> bool:
        if (tenant, inbound_sid) in self.accepted:
            return False
        self.accepted.add((tenant, inbound_sid))
        return True

    def release(self, tenant: str, inbound_sid: str) -> None:
        self.accepted.discard((tenant, inbound_sid))

    def replied(self, tenant: str, inbound_sid: str) -> bool:
        return (tenant, inbound_sid) in self.inbound

    def record_reply(
        self, tenant: str, inbound_sid: str, outbound_sid: str, conversation_id: str, message_id: str | None = None
    ) -> None:
        self.inbound[(tenant, inbound_sid)] = outbound_sid
        if outbound_sid:
            self.outbound[(tenant, outbound_sid)] = "queued"
            self.sent[(tenant, outbound_sid)] = SentReply(conversation_id, message_id)

    def update_status(self, tenant: str, outbound_sid: str, status: DeliveryStatus) -> SentReply | None:
        key = (tenant, outbound_sid)
        if key not in self.outbound:
            return None
        self.outbound[key] = next_delivery_status(self.outbound[key], status) or self.outbound[key]
        return self.sent[key]
