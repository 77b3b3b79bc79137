"""Secret stores and integration references: Secret Manager and Firestore for real, in memory for tests."""

from __future__ import annotations

import contextlib
import threading
from functools import cached_property
from typing import TYPE_CHECKING, Any

from shared.domain.integrations import IntegrationKind, IntegrationRef
from shared.services.integrations import IntegrationRefs, SecretStore

if TYPE_CHECKING:
    from google.cloud import firestore


class SecretManagerStore(SecretStore):
    """Google Secret Manager through its REST transport (a local stand-in when ``endpoint`` is set)."""

    def __init__(self, project_id: str, endpoint: str | None = None) -> None:
        self._project = project_id
        self._endpoint = endpoint
        self._lock = threading.Lock()

    @cached_property
    def _client(self) -> Any:
        from google.cloud import secretmanager

        with self._lock:
            if self._endpoint is None:
                return secretmanager.SecretManagerServiceClient()
            from google.auth.credentials import AnonymousCredentials

            anonymous = AnonymousCredentials()  # type: ignore[no-untyped-call]
            options = {"api_endpoint": self._endpoint}
            return secretmanager.SecretManagerServiceClient(credentials=anonymous, transport="rest", client_options=options)

    def put(self, secret_id: str, value: bytes) -> None:
        from google.api_core import exceptions

        parent = f"projects/{self._project}"
        with contextlib.suppress(exceptions.Conflict):  # over REST, ALREADY_EXISTS arrives as a plain 409
            self._client.create_secret(
                request={"parent": parent, "secret_id": secret_id, "secret": {"replication": {"automatic": {}}}}
            )
        self._client.add_secret_version(request={"parent": f"{parent}/secrets/{secret_id}", "payload": {"data": value}})

    def latest(self, secret_id: str) -> bytes | None:
        from google.api_core import exceptions

        name = f"projects/{self._project}/secrets/{secret_id}/versions/latest"
        try:
            response = self._client.access_secret_version(request={"name": name})
        except exceptions.NotFound:
            return None
        data: bytes = response.payload.data
        return data


class InMemorySecretStore(SecretStore):
    """Secrets for unit tests."""

    def __init__(self) -> None:
        self.versions: dict[str, list[bytes]] = {}
        self.reads = 0

    def put(self, secret_id: str, value: bytes) -> None:
        self.versions.setdefault(secret_id, []).append(value)

    def latest(self, secret_id: str) -> bytes | None:
        self.reads += 1
        versions = self.versions.get(secret_id)
        return versions[-1] if versions else None


class FirestoreIntegrationRefs(IntegrationRefs):
    """``tenants/{t}/settings/integrations``: apart from the tenant document, which a knowledge import replaces."""

    def __init__(self, db: firestore.Client) -> None:
        self._db = db

    def _ref(self, tenant: str) -> Any:
        return self._db.collection("tenants").document(tenant).collection("settings").document("integrations")

    def get(self, tenant: str) -> dict[str, IntegrationRef]:
        data = self._ref(tenant).get().to_dict() or {}
        return {kind: IntegrationRef.model_validate(value) for kind, value in data.items()}

    def set(self, tenant: str, kind: IntegrationKind, ref: IntegrationRef) -> None:
        self._ref(tenant).set({kind: ref.model_dump()}, merge=True)


class InMemoryIntegrationRefs(IntegrationRefs):
    """Integration references for unit tests."""

    def __init__(self) -> None:
        self.refs: dict[str, dict[str, IntegrationRef]] = {}

    def get(self, tenant: str) -> dict[str, IntegrationRef]:
        return dict(self.refs.get(tenant, {}))

    def set(self, tenant: str, kind: IntegrationKind, ref: IntegrationRef) -> None:
        self.refs.setdefault(tenant, {})[kind] = ref
