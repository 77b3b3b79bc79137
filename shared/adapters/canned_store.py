"""Canned responses: Firestore (``tenants/{t}/canned_responses/{code}``) and an in-memory fake with the same contract.

One document per response, its code as the id: codes are unique by construction, two admins editing
different responses never overwrite each other, and the tenant document and ``knowledge/current``
(what the chat turn caches by version) are never touched, so editing a response costs no turn a read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.adapters.firestore_store import Deadline, counter, guarded
from shared.domain.canned import CannedResponse
from shared.domain.schema import stamp
from shared.services.canned_responses import CannedResponseRepository

if TYPE_CHECKING:
    from google.cloud import firestore

COLLECTION = "canned_responses"


class FirestoreCannedResponseRepository(CannedResponseRepository):
    def __init__(self, db: firestore.Client, deadline: Deadline | None = None) -> None:
        self._db = db
        self._deadline = deadline or Deadline()

    def _collection(self, tenant: str) -> Any:
        return self._db.collection("tenants").document(tenant).collection(COLLECTION)

    def of_tenant(self, tenant: str) -> list[CannedResponse]:
        with guarded():
            docs = list(self._collection(tenant).stream(**self._deadline.kwargs))
        counter.read(max(1, len(docs)))
        return sorted((_from(d) for d in docs), key=lambda r: r.code)

    def save(self, tenant: str, response: CannedResponse) -> None:
        with guarded():
            self._collection(tenant).document(response.code).set(_to(response), **self._deadline.kwargs)
        counter.commit(1)

    def delete(self, tenant: str, code: str) -> None:
        with guarded():
            self._collection(tenant).document(code).delete(**self._deadline.kwargs)
        counter.commit(1)

    def replace_all(self, tenant: str, responses: list[CannedResponse]) -> None:
        collection = self._collection(tenant)
        with guarded():
            stale = {d.id for d in collection.select([]).stream(**self._deadline.kwargs)} - {r.code for r in responses}
            batch = self._db.batch()  # at most 200 + 200 writes: within one commit's 500
            for code in sorted(stale):
                batch.delete(collection.document(code))
            for response in responses:
                batch.set(collection.document(response.code), _to(response))
            batch.commit(**self._deadline.kwargs)
        counter.commit(len(stale) + len(responses))


def _to(response: CannedResponse) -> dict[str, Any]:
    return stamp("canned_response", response.model_dump(exclude={"code"}))


def _from(doc: Any) -> CannedResponse:
    data = {k: v for k, v in (doc.to_dict() or {}).items() if k != "schema_version"}
    return CannedResponse.model_validate({**data, "code": doc.id})


class InMemoryCannedResponseRepository(CannedResponseRepository):
    def __init__(self) -> None:
        self.items: dict[str, dict[str, CannedResponse]] = {}

    def of_tenant(self, tenant: str) -> list[CannedResponse]:
        stored = self.items.get(tenant, {})
        return [stored[code] for code in sorted(stored)]

    def save(self, tenant: str, response: CannedResponse) -> None:
        self.items.setdefault(tenant, {})[response.code] = response

    def delete(self, tenant: str, code: str) -> None:
        self.items.get(tenant, {}).pop(code, None)

    def replace_all(self, tenant: str, responses: list[CannedResponse]) -> None:
        self.items[tenant] = {r.code: r for r in responses}
