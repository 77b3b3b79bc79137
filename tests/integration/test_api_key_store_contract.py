"""One contract for the API key store: the in-memory fake and Firestore behave alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.adapters.api_keys_store import FirestoreApiKeyRepository, InMemoryApiKeyRepository
from shared.domain.api_keys import new_key
from shared.services.admin_keys import ApiKeyRepository
from tests.conftest import random_id


@pytest.fixture(params=["memory", "firestore"])
def store(request, local_cloud) -> ApiKeyRepository:  # type: ignore[no-untyped-def]
    if request.param == "memory":
        return InMemoryApiKeyRepository()
    from shared.bootstrap import container

    return FirestoreApiKeyRepository(container().clients.firestore)


def test_the_key_store_adds_gets_lists_touches_and_revokes(store: ApiKeyRepository) -> None:
    tenant = random_id("tenant")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    first, _ = new_key(tenant, "first", ["metrics"], now)
    second, _ = new_key(tenant, "second", ["keys"], now + timedelta(seconds=1))
    store.add(first)
    store.add(second)
    got = store.get(tenant, first.id)
    assert got is not None and got.secret_hash == first.secret_hash and got.scopes == ["metrics"]
    assert store.get(tenant, "0" * 16) is None
    assert store.get(random_id("other"), first.id) is None
    assert [k.name for k in store.list(tenant)] == ["first", "second"]
    store.touch(tenant, first.id, now + timedelta(minutes=5))
    touched = store.get(tenant, first.id)
    assert touched is not None and touched.last_used_at == now + timedelta(minutes=5)
    revoked = store.revoke(tenant, second.id, now + timedelta(minutes=6))
    assert revoked is not None and not revoked.active
    assert store.revoke(tenant, "f" * 16, now) is None
    still = store.get(tenant, second.id)
    assert still is not None and still.revoked_at == now + timedelta(minutes=6)
