"""Canned responses: admins list, put (create or replace by code) and delete them; agents read their tenant's."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from shared.domain.canned import MAX_PER_TENANT, CannedResponse, CannedSet, parse_code, parse_response, parse_set
from shared.domain.errors import NotFoundError
from shared.services import canned_presenters as present
from shared.services.ports import TenantRepository


class CannedResponseRepository(ABC):
    """A tenant's canned responses, stored with the tenant (apart from its cached knowledge)."""

    @abstractmethod
    def of_tenant(self, tenant: str) -> list[CannedResponse]:
        """Every one of the tenant's responses, by code."""

    @abstractmethod
    def save(self, tenant: str, response: CannedResponse) -> None:
        """Create or replace the response with this code."""

    @abstractmethod
    def delete(self, tenant: str, code: str) -> None:
        """Remove the response with this code (nothing when there is none)."""

    @abstractmethod
    def replace_all(self, tenant: str, responses: list[CannedResponse]) -> None:
        """Make the tenant's set exactly ``responses`` in one commit."""


class CannedResponses:
    """The use cases; responses never touch the tenant's knowledge version, so chat caches stay warm."""

    def __init__(
        self,
        store: CannedResponseRepository,
        tenants: TenantRepository,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        limit: int = MAX_PER_TENANT,
    ) -> None:
        self.store = store
        self.tenants = tenants
        self.clock = clock
        self.limit = limit

    def _load(self, tenant: str) -> CannedSet:
        # A set stored over the limit (the limit lowered since) still loads: it can be edited and trimmed.
        stored = self.store.of_tenant(tenant)
        return CannedSet(stored, limit=max(self.limit, len(stored)))

    def _languages(self, tenant: str) -> list[str] | None:
        try:
            return list(self.tenants.get(tenant).pack.tenant.languages)
        except NotFoundError:
            return None  # no knowledge imported yet: any language code is accepted

    def list(self, tenant: str) -> dict[str, Any]:
        """The tenant's responses for the admin page, with the limit."""
        return present.listing(tenant, self._load(tenant).responses, self.limit, self._languages(tenant) or [])

    def for_staff(self, tenant: str, language: Any = None) -> dict[str, Any]:
        """What an agent's reply box offers: its own tenant's responses, optionally one language (and language-free ones)."""
        chosen = language if isinstance(language, str) and language else None
        return present.for_agents(self._load(tenant).for_language(chosen))

    def put(self, tenant: str, code: Any, body: Mapping[str, Any], actor: str) -> tuple[dict[str, Any], bool]:
        """Create or replace by code; a 400 (every bad field) or 409 (limit) changes nothing."""
        response = parse_response(code, body, languages=self._languages(tenant), now=self.clock(), actor=actor)
        # The limit is checked on what was read (the local Firestore does not isolate transactions): two
        # admins adding at once at 199 may end at 201. That set still loads and edits; new codes are refused.
        created = self._load(tenant).put(response)
        self.store.save(tenant, response)
        return present.item(response), created

    def delete(self, tenant: str, code: Any) -> dict[str, Any]:
        """Delete by code; 404 when there is none."""
        valid = parse_code(code)
        self._load(tenant).remove(valid)
        self.store.delete(tenant, valid)
        return present.deleted(valid)

    def replace_all(self, tenant: str, entries: Iterable[Mapping[str, Any]], actor: str) -> int:
        """Replace the tenant's whole set (the demo seed and ``tools.canned import``); all valid or nothing changes."""
        checked = parse_set(entries, languages=self._languages(tenant), now=self.clock(), actor=actor, limit=self.limit)
        self.store.replace_all(tenant, checked.responses)
        return len(checked)
