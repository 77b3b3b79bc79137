"""API key storage: Firestore (tenants/{t}/api_keys/{key_id}) and an in-memory fake with the same contract."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared.adapters.firestore_store import counter
from shared.domain.api_keys import ApiKey
from shared.services.admin_keys import ApiKeyRepository

if TYPE_CHECKING:
    from google.cloud import firestore


class FirestoreApiKeyRepository(ApiKeyRepository):
    def __init__(self, db: firestore.Client) -> None:
        self._db = db

    def _keys(self, tenant: str) -> Any:
        return self._db.collection("tenants").document(tenant).collection("api_keys")

    def add(self, key: ApiKey) -> None:
        self._keys(key.tenant).document(key.id).create(key.model_dump(exclude={"id"}))
        counter.commit(1)

    def get(self, tenant: str, key_id: str) -> ApiKey | None:
        doc = self._keys(tenant).document(key_id).get()
        counter.read()
        return ApiKey.model_validate({**(doc.to_dict() or {}), "id": doc.id}) if doc.exists else None

    def list(self, tenant: str) -> list[ApiKey]:
        docs = list(self._keys(tenant).order_by("created_at").stream())
        counter.read(max(1, len(docs)))
        return [ApiKey.model_validate({**(d.to_dict() or {}), "id": d.id}) for d in docs]

    def revoke(self, tenant: str, key_id: str, at: datetime) -> ApiKey | None:
        from google.api_core.exceptions import NotFound

        ref = self._keys(tenant).document(key_id)
        try:
            ref.update({"revoked_at": at})
        except NotFound:
            return None
        counter.commit(1)
        return self.get(tenant, key_id)

    def touch(self, tenant: str, key_id: str, at: datetime) -> None:
        from google.api_core.exceptions import NotFound

        try:
            self._keys(tenant).document(key_id).update({"last_used_at": at})
        except NotFound:
            return
        counter.commit(1)


class InMemoryApiKeyRepository(ApiKeyRepository):
    def __init__(self) -> None:
        self.keys: dict[tuple[str, str], ApiKey] = {}
        self.reads = 0
        self.writes = 0

    def add(self, key: ApiKey) -> None:
        self.writes += 1
        self.keys[(key.tenant, key.id)] = key.model_copy()

    def get(self, tenant: str, key_id: str) -> ApiKey | None:
        self.reads += 1
        found = self.keys.get((tenant, key_id))
        return found.model_copy() if found else None

    def list(self, tenant: str) -> list[ApiKey]:
        self.reads += 1
        return sorted((k.model_copy() for (t, _), k in self.keys.items() if t == tenant), key=lambda k: k.created_at)

    def revoke(self, tenant: str, key_id: str, at: datetime) -> ApiKey | None:
        found = self.keys.get((tenant, key_id))
        if found is None:
            return None
        self.writes += 1
        found.revoked_at = at
        return found.model_copy()

    def touch(self, tenant: str, key_id: str, at: datetime) -> None:
        found = self.keys.get((tenant, key_id))
        if found is not None:
            self.writes += 1
            found.last_used_at = at
