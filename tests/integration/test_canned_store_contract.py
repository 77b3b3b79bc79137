"""One contract for the canned-response store: the in-memory fake and Firestore behave alike."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.adapters.canned_store import InMemoryCannedResponseRepository
from shared.domain.canned import CannedResponse
from shared.services.canned_responses import CannedResponseRepository
from tests.conftest import random_id

AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def canned(code: str, title: str = "Cennik", language: str | None = "pl") -> CannedResponse:
    return CannedResponse(
        code=code, title=title, text=f"{title}: od 1200 zł/m²", language=language, updated_at=AT, updated_by="key:k1"
    )


@pytest.fixture(params=["memory", "firestore"])
def store(request, local_cloud) -> CannedResponseRepository:  # type: ignore[no-untyped-def]
    if request.param == "memory":
        return InMemoryCannedResponseRepository()
    from shared.adapters.canned_store import FirestoreCannedResponseRepository
    from shared.bootstrap import container

    return FirestoreCannedResponseRepository(container().clients.firestore)


def test_the_store_saves_replaces_lists_by_code_and_deletes(store: CannedResponseRepository) -> None:
    tenant, other = random_id("shop"), random_id("shop")
    assert store.of_tenant(tenant) == []
    store.save(tenant, canned("warranty"))
    store.save(tenant, canned("price-list", language=None))
    store.save(other, canned("parking", language="en"))
    store.save(tenant, canned("warranty", title="Gwarancja"))
    assert store.of_tenant(tenant) == [canned("price-list", language=None), canned("warranty", title="Gwarancja")]
    store.delete(tenant, "warranty")
    store.delete(tenant, "never-was")
    assert [r.code for r in store.of_tenant(tenant)] == ["price-list"]
    assert store.of_tenant(other) == [canned("parking", language="en")]


def test_replacing_the_whole_set_drops_what_it_does_not_name(store: CannedResponseRepository) -> None:
    tenant = random_id("shop")
    store.save(tenant, canned("old"))
    store.save(tenant, canned("kept", title="Stary"))
    store.replace_all(tenant, [canned("kept", title="Nowy"), canned("new")])
    assert store.of_tenant(tenant) == [canned("kept", title="Nowy"), canned("new")]
    store.replace_all(tenant, [])
    assert store.of_tenant(tenant) == []


def test_the_firestore_store_keeps_them_under_the_tenant_apart_from_its_cached_knowledge(local_cloud) -> None:  # type: ignore[no-untyped-def]
    from shared.adapters.canned_store import FirestoreCannedResponseRepository
    from shared.adapters.firestore_store import FirestoreTenantRepository
    from shared.bootstrap import container
    from tests.helpers import demo_copy

    db = container().clients.firestore
    tenant = random_id("shop")
    pack = demo_copy("novahouse", tenant)
    tenants = FirestoreTenantRepository(db, ttl_seconds=0)
    version = tenants.import_pack(pack)
    store = FirestoreCannedResponseRepository(db)
    store.save(tenant, canned("price-list"))
    stored = db.collection("tenants").document(tenant).collection("canned_responses").document("price-list").get()
    assert stored.exists and stored.to_dict()["schema_version"] == 1
    assert tenants.get(tenant).version == version  # the chat's cached knowledge stays valid
    tenants.import_pack(pack)  # and a knowledge import keeps the canned responses
    assert [r.code for r in store.of_tenant(tenant)] == ["price-list"]
