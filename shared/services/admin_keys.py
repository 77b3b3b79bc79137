"""API key use cases: issue, list, revoke, and authenticate a request in one read (cached briefly)."""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.domain.api_keys import (
    AdminPrincipal,
    ApiKey,
    check_scopes,
    new_key,
    parse_key,
    public_key,
    secret_matches,
)
from shared.domain.errors import ForbiddenError, NotFoundError, UnauthorizedError
from shared.domain.validation import clean_text

UNAUTHORIZED_MESSAGE = "Valid API key required"
LAST_USED_EVERY = timedelta(minutes=1)


class ApiKeyRepository(ABC):
    """Stored keys, per tenant."""

    @abstractmethod
    def add(self, key: ApiKey) -> None: ...

    @abstractmethod
    def get(self, tenant: str, key_id: str) -> ApiKey | None: ...

    @abstractmethod
    def list(self, tenant: str) -> list[ApiKey]:
        """Oldest first."""

    @abstractmethod
    def revoke(self, tenant: str, key_id: str, at: datetime) -> ApiKey | None:
        """Mark revoked; None when there is no such key."""

    @abstractmethod
    def touch(self, tenant: str, key_id: str, at: datetime) -> None:
        """Record last use."""


def unauthorized() -> UnauthorizedError:
    """The one 401 every admin route answers, byte for byte."""
    return UnauthorizedError(UNAUTHORIZED_MESSAGE)


def require(principal: AdminPrincipal, scope: str) -> None:
    """403 unless the principal holds ``scope``."""
    if scope not in principal.scopes:
        raise ForbiddenError(f"This key lacks the {scope!r} scope")


class ApiKeyService:
    """Issues and checks keys; a key is read once per ``cache_seconds`` per instance."""

    def __init__(
        self,
        keys: ApiKeyRepository,
        *,
        cache_seconds: float = 30.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.keys = keys
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._monotonic = monotonic
        self._cache: dict[tuple[str, str], tuple[float, ApiKey | None]] = {}
        self._touched: dict[tuple[str, str], datetime] = {}
        self._lock = threading.Lock()

    def create(self, tenant: str, name: Any, scopes: Any = None) -> tuple[ApiKey, str]:
        """A new key; the plaintext is returned once and never stored."""
        clean_name = clean_text(name, "name", 80)
        record, plaintext = new_key(tenant, clean_name, check_scopes(scopes), self._clock())
        self.keys.add(record)
        return record, plaintext

    def list(self, tenant: str) -> list[dict[str, Any]]:
        return [public_key(k) for k in self.keys.list(tenant)]

    def revoke(self, tenant: str, key_id: str) -> dict[str, Any]:
        record = self.keys.revoke(tenant, key_id, self._clock())
        if record is None:
            raise NotFoundError("No such API key")
        with self._lock:
            self._cache.pop((tenant, key_id), None)
        return public_key(record)

    def authenticate(self, raw: str | None) -> AdminPrincipal:
        """The key's principal; missing, malformed, unknown, revoked or tampered keys are all the same 401."""
        parsed = parse_key(raw)
        if parsed is None:
            raise unauthorized()
        cache_key = (parsed.tenant, parsed.key_id)
        now = self._monotonic()
        cached = self._cache.get(cache_key)
        if cached is not None and now - cached[0] < self._cache_seconds:
            record = cached[1]
        else:
            record = self.keys.get(parsed.tenant, parsed.key_id)
            with self._lock:
                self._cache[cache_key] = (now, record)
                if len(self._cache) > 10_000:  # bounded memory under a flood of made-up key ids
                    self._cache.clear()
        if record is None or not record.active or record.tenant != parsed.tenant or not secret_matches(record, parsed.secret):
            raise unauthorized()
        self._note_use(record)
        return AdminPrincipal(tenant=record.tenant, actor=f"key:{record.id}", scopes=frozenset(record.scopes))

    def _note_use(self, record: ApiKey) -> None:
        # At most one write a minute per key and instance: never a write per request.
        when = self._clock()
        key = (record.tenant, record.id)
        last = self._touched.get(key) or record.last_used_at
        if last is not None and when - last < LAST_USED_EVERY:
            return
        self._touched[key] = when
        self.keys.touch(record.tenant, record.id, when)
