"""Backups: which collections a tenant owns, how a backup is named, what its manifest says, and retention.

Pure rules; the Firestore codec and the Storage layout live in the adapters.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from shared.domain.errors import BadRequestError, NotFoundError
from shared.domain.validation import TENANT_ID

SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
ParentKind = Literal["documents", "days"]


@dataclass(frozen=True)
class CollectionSpec:
    """One collection under ``tenants/{t}/``; ``*`` stands for each parent document's id."""

    path: str  # "" is the tenant document itself; "conversations/*/messages" is a subcollection
    parents: ParentKind = "documents"  # "days": the parents are day keys (metrics/{YYYY-MM-DD} has no document)
    secret_fields: frozenset[str] = frozenset()  # dropped before writing: nothing secret in clear in a backup

    @property
    def name(self) -> str:
        """The file name stem: ``conversations/*/messages`` → ``conversations.messages``."""
        return self.path.replace("/*/", ".") or "tenant"

    @property
    def file(self) -> str:
        return f"{self.name}.ndjson.gz"


def collection(path: str, parents: ParentKind = "documents", secret_fields: tuple[str, ...] = ()) -> CollectionSpec:
    return CollectionSpec(path, parents, frozenset(secret_fields))


# Every collection a tenant owns. The local Firestore cannot list collection ids, so this list is the
# truth: a new collection under tenants/{t}/ is one line here (a test seeds each and restores it).
COLLECTIONS: tuple[CollectionSpec, ...] = (
    collection(""),
    collection("knowledge"),
    collection("conversations"),
    collection("conversations/*/messages"),
    collection("conversations/*/notes"),
    collection("conversations/*/assignments"),
    collection("conversations/*/revisions"),
    collection("leads"),
    collection("outbox"),
    collection("metrics/*/shards", parents="days"),
    collection("metric_months"),
    collection("api_keys", secret_fields=("key", "plaintext", "secret")),  # the hash stays, a clear key never
    collection("experiments"),
    collection("contacts"),
    collection("canned_responses"),  # stored with the tenant; agents' short replies
)

# Never written in clear whatever the collection: secrets live in Secret Manager, keys are stored hashed.
SECRET_FIELDS = frozenset({"password", "api_key", "auth_token", "access_token", "client_secret"})


def spec_by_name(name: str) -> CollectionSpec:
    for spec in COLLECTIONS:
        if spec.name == name:
            return spec
    raise NotFoundError(f"Unknown collection {name!r}")


_ID = re.compile(r"^(\d{8}T\d{6}Z)-([0-9a-f]{8,16})$")


def backup_id(requested_at: datetime, request_id: str) -> str:
    """A backup id that a redelivered request maps to again: its publish time plus a hash of its id."""
    stamp = requested_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{hashlib.sha256(request_id.encode()).hexdigest()[:12]}"


def created_at_of(backup: str) -> datetime:
    """When a backup was requested, read back from its id; a foreign id is a 400."""
    match = _ID.match(backup)
    if match is None:
        raise BadRequestError("Not a backup id")
    return datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def check_backup_id(backup: str) -> str:
    created_at_of(backup)
    return backup


def expired(backup: str, now: datetime, retention_days: int) -> bool:
    """Older than the retention window (by the time it was requested)."""
    return created_at_of(backup) < now - timedelta(days=retention_days)


class FileEntry(BaseModel):
    """One collection's file in a backup."""

    file: str
    documents: int = Field(ge=0)
    bytes: int = Field(ge=0)
    sha256: str


class Manifest(BaseModel):
    """Written last: a backup without one is incomplete and never restored."""

    schema_version: int = SCHEMA_VERSION
    tenant: str
    backup_id: str
    created_at: datetime
    completed_at: datetime
    collections: dict[str, FileEntry]

    @property
    def documents(self) -> int:
        return sum(f.documents for f in self.collections.values())

    @property
    def bytes(self) -> int:
        return sum(f.bytes for f in self.collections.values())


class BackupRequest(BaseModel):
    """What ``backup-requests`` carries: one tenant (an admin export) or none (nightly: every tenant)."""

    kind: Literal["nightly", "export", "tenant"] = "nightly"
    tenant: str | None = Field(None, pattern=TENANT_ID.pattern)
    backup_id: str | None = None  # chosen by the export endpoint so it can answer with it

    def model_post_init(self, _context: Any) -> None:
        if self.backup_id is not None:
            check_backup_id(self.backup_id)


def summary(tenant: str, backup: str, manifest: Manifest | None) -> dict[str, Any]:
    """One row of the backup list (JSON-ready)."""
    if manifest is None:
        return {
            "id": backup,
            "tenant": tenant,
            "created_at": created_at_of(backup).isoformat(),
            "status": "incomplete",
            "collections": {},
            "bytes": 0,
        }
    return {
        "id": backup,
        "tenant": tenant,
        "created_at": manifest.created_at.isoformat(),
        "completed_at": manifest.completed_at.isoformat(),
        "status": "complete",
        "collections": {name: f.documents for name, f in manifest.collections.items()},
        "documents": manifest.documents,
        "bytes": manifest.bytes,
    }
