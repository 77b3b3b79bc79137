"""API keys: format, hashing, caching and last-use writes, with the in-memory store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.adapters.api_keys_store import InMemoryApiKeyRepository
from shared.domain.api_keys import SCOPES, parse_key
from shared.domain.errors import UnauthorizedError, ValidationFailed
from shared.services.admin_keys import ApiKeyService


class Clocks:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)
        self.mono = 0.0

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
        self.mono += seconds


def service(cache_seconds: float = 30.0) -> tuple[ApiKeyService, InMemoryApiKeyRepository, Clocks]:
    store = InMemoryApiKeyRepository()
    clocks = Clocks()
    return (
        ApiKeyService(store, cache_seconds=cache_seconds, clock=lambda: clocks.now, monotonic=lambda: clocks.mono),
        store,
        clocks,
    )


def test_a_new_key_names_its_tenant_and_id_and_only_a_hash_is_stored() -> None:
    keys, store, _ = service()
    record, plaintext = keys.create("novahouse", "reporting")
    parsed = parse_key(plaintext)
    assert parsed is not None and parsed.tenant == "novahouse" and parsed.key_id == record.id
    stored = store.keys[("novahouse", record.id)]
    assert parsed.secret not in stored.model_dump_json()
    assert set(stored.scopes) == SCOPES


def test_authenticating_costs_one_read_per_cache_period() -> None:
    keys, store, clocks = service(cache_seconds=30)
    _, plaintext = keys.create("novahouse", "x")
    for _ in range(50):
        keys.authenticate(plaintext)
    assert store.reads == 1
    clocks.advance(31)
    keys.authenticate(plaintext)
    assert store.reads == 2


def test_last_use_is_written_at_most_once_a_minute() -> None:
    keys, store, clocks = service()
    _, plaintext = keys.create("novahouse", "x")
    writes = store.writes
    for _ in range(100):
        keys.authenticate(plaintext)
        clocks.advance(1)
    assert store.writes - writes == 2  # at 0 s and at 60 s of 100 s


@pytest.mark.parametrize(
    "mangle",
    [lambda k: k[:-1] + ("1" if k[-1] == "0" else "0"), lambda k: k.replace("novahouse", "hotel"), str.upper, lambda k: ""],
)
def test_tampered_keys_are_unauthorized(mangle) -> None:  # type: ignore[no-untyped-def]
    keys, _, _ = service()
    _, plaintext = keys.create("novahouse", "x")
    with pytest.raises(UnauthorizedError, match=r"^Valid API key required$"):
        keys.authenticate(mangle(plaintext))


def test_a_revoked_key_is_refused_at_once_on_the_instance_that_revoked_it() -> None:
    keys, _, _ = service()
    record, plaintext = keys.create("novahouse", "x")
    keys.authenticate(plaintext)
    keys.revoke("novahouse", record.id)
    with pytest.raises(UnauthorizedError):
        keys.authenticate(plaintext)


def test_unknown_scopes_are_a_validation_error_naming_the_field() -> None:
    keys, store, _ = service()
    with pytest.raises(ValidationFailed) as err:
        keys.create("novahouse", "x", ["metrics", "root"])
    assert err.value.details == [{"field": "scopes", "message": err.value.details[0]["message"]}]
    assert "root" in err.value.message and not store.keys
