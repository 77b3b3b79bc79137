"""Per-tenant integration credentials: stored in a secret store, referenced from the tenant's config,
read at run time through a short per-instance cache. Values never reach logs, Firestore or backups."""

from __future__ import annotations

import json
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from shared.domain.errors import BadRequestError
from shared.domain.integrations import IntegrationKind, IntegrationRef, MondayBoard, TwilioAccount, secret_id_for


class SecretStore(ABC):
    """Named secrets with versions (Secret Manager)."""

    @abstractmethod
    def put(self, secret_id: str, value: bytes) -> None:
        """Create the secret if needed and add a new version holding ``value``."""

    @abstractmethod
    def latest(self, secret_id: str) -> bytes | None:
        """The latest version's value; None when the secret does not exist."""


class IntegrationRefs(ABC):
    """Where a tenant's config names its integrations' secrets."""

    @abstractmethod
    def get(self, tenant: str) -> dict[str, IntegrationRef]: ...

    @abstractmethod
    def set(self, tenant: str, kind: IntegrationKind, ref: IntegrationRef) -> None: ...


class Integrations:
    """Stores and reads a tenant's Twilio and Monday credentials."""

    def __init__(
        self,
        secrets: SecretStore,
        refs: IntegrationRefs,
        *,
        ttl_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._secrets = secrets
        self._refs = refs
        self._ttl = ttl_seconds
        self._clock = clock
        self._cache: dict[tuple[str, str], tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def set_twilio(self, tenant: str, *, account_sid: str, auth_token: str, whatsapp_from: str) -> None:
        """Store a tenant's Twilio credentials (token in the secret store, number in the config)."""
        account = _parsed(TwilioAccount, {"account_sid": account_sid, "auth_token": auth_token, "whatsapp_from": whatsapp_from})
        secret = {"account_sid": account.account_sid, "auth_token": account.auth_token.get_secret_value()}
        self._store(tenant, "twilio", secret, {"whatsapp_from": account.whatsapp_from})

    def set_monday(self, tenant: str, *, api_token: str, board_id: str, **columns: str) -> None:
        """Store a tenant's Monday.com token (secret store) and board settings (config)."""
        board = _parsed(MondayBoard, {"api_token": api_token, "board_id": board_id, **columns})
        settings = board.model_dump(exclude={"api_token"})
        self._store(tenant, "monday", {"api_token": board.api_token.get_secret_value()}, settings)

    def twilio(self, tenant: str) -> TwilioAccount | None:
        """The tenant's Twilio account, or None when WhatsApp is not configured."""
        found = self._load(tenant, "twilio")
        return None if found is None else TwilioAccount.model_validate(found)

    def monday(self, tenant: str) -> MondayBoard | None:
        """The tenant's Monday board, or None when no CRM is configured."""
        found = self._load(tenant, "monday")
        return None if found is None else MondayBoard.model_validate(found)

    def forget(self) -> None:
        """Drop the cache (after a rotation, or in tests)."""
        with self._lock:
            self._cache.clear()

    def _store(self, tenant: str, kind: IntegrationKind, secret: dict[str, str], settings: dict[str, str]) -> None:
        secret_id = secret_id_for(tenant, kind)
        self._secrets.put(secret_id, json.dumps(secret).encode())
        self._refs.set(tenant, kind, IntegrationRef(secret=secret_id, settings=settings))
        with self._lock:
            self._cache.pop((tenant, kind), None)

    def _load(self, tenant: str, kind: IntegrationKind) -> dict[str, Any] | None:
        now = self._clock()
        with self._lock:
            hit = self._cache.get((tenant, kind))
        if hit is not None and now - hit[0] < self._ttl:
            cached: dict[str, Any] | None = hit[1]
            return cached
        ref = self._refs.get(tenant).get(kind)
        value: dict[str, Any] | None = None
        if ref is not None:
            raw = self._secrets.latest(ref.secret)
            if raw is not None:
                value = {**ref.settings, **json.loads(raw)}
        with self._lock:
            self._cache[(tenant, kind)] = (now, value)
        return value


def _parsed(model: type[Any], data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # Name the fields, never echo their values: one of them is a secret.
        fields = ", ".join(sorted({".".join(map(str, e["loc"])) for e in exc.errors()}))
        raise BadRequestError(f"invalid {model.__name__} settings: {fields}") from None
