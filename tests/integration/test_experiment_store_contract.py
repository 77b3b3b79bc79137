"""One contract for the experiment store: the in-memory fake and Firestore behave alike, publishing included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.adapters.experiments_store import FirestoreExperimentRepository, InMemoryExperimentRepository
from shared.adapters.in_memory_store import InMemoryTenantRepository
from shared.domain.experiments import new_experiment, parse_spec
from shared.services.admin_experiments import ExperimentRepository
from shared.services.ports import TenantRepository
from tests.conftest import random_id
from tests.helpers import demo_pack

SPEC = parse_spec({"name": "Model", "variants": [{"name": "a"}, {"name": "b", "overrides": {"model": "gemini-2.5-pro"}}]})


@pytest.fixture(params=["memory", "firestore"])
def stores(request, local_cloud) -> tuple[str, ExperimentRepository, TenantRepository]:  # type: ignore[no-untyped-def]
    tenant = random_id("shop")
    novahouse = demo_pack("novahouse")
    pack = novahouse.model_copy(update={"tenant": novahouse.tenant.model_copy(update={"id": tenant, "allowed_origins": []})})
    if request.param == "memory":
        tenants = InMemoryTenantRepository(pack)
        return tenant, InMemoryExperimentRepository(tenants), tenants
    from shared.adapters.firestore_store import FirestoreTenantRepository
    from shared.bootstrap import container

    db = container().clients.firestore
    firestore_tenants = FirestoreTenantRepository(db, ttl_seconds=0)
    firestore_tenants.import_pack(pack)
    return tenant, FirestoreExperimentRepository(db), firestore_tenants


def test_the_experiment_store_saves_lists_deletes_and_publishes_running_ones(stores) -> None:  # type: ignore[no-untyped-def]
    tenant, store, tenants = stores
    now = datetime(2026, 1, 1, tzinfo=UTC)
    first = new_experiment(tenant, SPEC, now)
    second = new_experiment(tenant, SPEC, now + timedelta(seconds=1))
    store.save(first)
    store.save(second)
    assert store.get(tenant, first.id) == first
    assert store.get(tenant, "exp000000000000") is None
    assert [e.id for e in store.of_tenant(tenant)] == [first.id, second.id]
    first.move_to("running", now, [])
    store.save(first)
    version = tenants.get(tenant).version
    assert store.publish_running(tenant, [first]) == version + 1
    knowledge = tenants.get(tenant)
    assert knowledge.version == version + 1 and knowledge.experiments == [first]
    tenants.import_pack(knowledge.pack)  # a knowledge import keeps the running experiments
    assert tenants.get(tenant).experiments == [first]
    store.delete(tenant, second.id)
    assert [e.id for e in store.of_tenant(tenant)] == [first.id]
