"""Per-tenant admin API keys: format, hashing and scopes. Only a hash of the secret is ever stored."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel

from shared.domain.validation import TENANT_ID, invalid

# What an admin key may do; a key created without scopes has all of them.
SCOPES: frozenset[str] = frozenset({"metrics", "experiments", "knowledge", "keys", "backups", "contacts", "canned"})
KEY_PREFIX = "cdk"
# cdk.{tenant}.{key id}.{secret}: the tenant and key id make authentication one document read.
_KEY = re.compile(r"^cdk\.([a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?)\.([0-9a-f]{16})\.([0-9a-f]{64})$")
MAX_NAME_CHARS = 80


@dataclass(frozen=True)
class AdminPrincipal:
    """Who is calling the admin API: a tenant, the key or user acting, and what it may do."""

    tenant: str
    actor: str
    scopes: frozenset[str] = field(default=SCOPES)


class ApiKey(BaseModel):
    """A stored key: everything but the secret, which is kept only as ``secret_hash``."""

    id: str
    tenant: str
    name: str
    scopes: list[str]
    secret_hash: str
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class ParsedKey:
    tenant: str
    key_id: str
    secret: str


def hash_secret(key_id: str, secret: str) -> str:
    """A fast keyed hash: the secret is 256 random bits, so no slow password hash is needed."""
    return hmac.new(key_id.encode(), secret.encode(), hashlib.sha256).hexdigest()


def parse_key(raw: str | None) -> ParsedKey | None:
    """The parts of a well-formed key, or None."""
    if not raw or len(raw) > 200:
        return None
    match = _KEY.fullmatch(raw.strip())
    if match is None:
        return None
    return ParsedKey(tenant=match.group(1), key_id=match.group(2), secret=match.group(3))


def secret_matches(key: ApiKey, secret: str) -> bool:
    """Constant-time comparison of a presented secret with the stored hash."""
    return hmac.compare_digest(key.secret_hash, hash_secret(key.id, secret))


def check_scopes(raw: object) -> list[str]:
    """Scopes from a client or the CLI; none means all of them."""
    if raw is None or raw == []:
        return sorted(SCOPES)
    if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
        raise invalid("scopes", "must be a list of scope names")
    unknown = sorted(set(raw) - SCOPES)
    if unknown:
        raise invalid("scopes", f"unknown scope(s) {', '.join(unknown)}; allowed: {', '.join(sorted(SCOPES))}")
    return sorted(set(raw))


def new_key(tenant: str, name: str, scopes: list[str], now: datetime) -> tuple[ApiKey, str]:
    """A new key record and the plaintext key (shown once, never stored)."""
    if not TENANT_ID.fullmatch(tenant):
        raise invalid("tenant", "is missing or malformed")
    key_id = secrets.token_hex(8)
    secret = secrets.token_hex(32)
    record = ApiKey(id=key_id, tenant=tenant, name=name, scopes=scopes, secret_hash=hash_secret(key_id, secret), created_at=now)
    return record, f"{KEY_PREFIX}.{tenant}.{key_id}.{secret}"


def public_key(key: ApiKey) -> dict[str, object]:
    """What a client sees of a key: never the hash."""
    return {
        "id": key.id,
        "name": key.name,
        "scopes": key.scopes,
        "created_at": key.created_at.isoformat(),
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
        "last_used_at": key.last_used_at.isoformat() if key.last_used_at else None,
        "active": key.active,
    }
