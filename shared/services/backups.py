"""Backup use cases: write a tenant's backup (idempotent, manifest last), retention, verify, restore."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from shared.domain.backup import (
    COLLECTIONS,
    BackupRequest,
    CollectionSpec,
    FileEntry,
    Manifest,
    backup_id,
    check_backup_id,
    created_at_of,
    expired,
)
from shared.domain.errors import ConflictError, NotFoundError
from shared.services.backup_ports import BackupStore, TenantDocuments


class BackupRefused(ConflictError):
    """A backup that is incomplete or does not match its manifest: never restored."""


@dataclass(frozen=True)
class BackupOutcome:
    tenant: str
    backup: str
    status: str  # "written" | "already_done"
    documents: int = 0
    deleted: tuple[str, ...] = ()


@dataclass
class BackupRunner:
    """Writes backups and enforces retention."""

    documents: TenantDocuments
    store: BackupStore
    retention_days: int
    collections: tuple[CollectionSpec, ...] = COLLECTIONS
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def handle(self, request: BackupRequest, message_id: str, published_at: datetime) -> list[BackupOutcome]:
        """One request: a named tenant, or every tenant. The id comes from the message, so redelivery is a no-op."""
        backup = request.backup_id or backup_id(published_at, message_id)
        tenants = [request.tenant] if request.tenant else self.documents.tenants()
        return [self.back_up(tenant, backup) for tenant in tenants]

    def back_up(self, tenant: str, backup: str) -> BackupOutcome:
        """Every collection of the registry, then the manifest; a crash before it leaves the backup incomplete."""
        if self.store.manifest(tenant, backup) is not None:
            return BackupOutcome(tenant, backup, "already_done")
        files: dict[str, FileEntry] = {}
        for spec in self.collections:
            files[spec.name] = self.store.write_file(tenant, backup, spec.file, self.documents.stream(tenant, spec))
        manifest = Manifest(
            tenant=tenant,
            backup_id=backup,
            created_at=created_at_of(backup),
            completed_at=self.clock(),
            collections=files,
        )
        self.store.write_manifest(manifest)
        deleted = self.expire(tenant, keep=backup)
        return BackupOutcome(tenant, backup, "written", manifest.documents, deleted)

    def expire(self, tenant: str, keep: str | None = None) -> tuple[str, ...]:
        """Delete the tenant's backups older than the retention window (the bucket's lifecycle rule is the backstop)."""
        now = self.clock()
        old = [b for b in self.store.backups(tenant) if b != keep and expired(b, now, self.retention_days)]
        for backup in old:
            self.store.delete(tenant, backup)
        return tuple(old)


def complete_manifest(store: BackupStore, tenant: str, backup: str) -> Manifest:
    """A backup's manifest; 400 for a foreign id, 404 for no such backup, 409 for one without a manifest."""
    check_backup_id(backup)
    manifest = store.manifest(tenant, backup)
    if manifest is None:
        if backup in store.backups(tenant):
            raise BackupRefused(f"Backup {backup} is incomplete (no manifest): it cannot be restored or downloaded")
        raise NotFoundError(f"No backup {backup} for tenant {tenant}")
    return manifest


@dataclass
class BackupRestorer:
    """Checks a backup against its manifest and writes it back."""

    documents: TenantDocuments
    store: BackupStore
    collections: tuple[CollectionSpec, ...] = COLLECTIONS

    def verify(self, tenant: str, backup: str) -> Manifest:
        """The manifest, once every file's size, sha256 and line count match it; otherwise ``BackupRefused``."""
        manifest = complete_manifest(self.store, tenant, backup)
        if manifest.tenant != tenant or manifest.backup_id != backup:
            raise BackupRefused(f"Backup {backup}'s manifest names another backup")
        problems = []
        for name, entry in manifest.collections.items():
            found = self.store.digest(tenant, backup, entry.file)
            if found is None:
                problems.append(f"{entry.file} is missing")
            elif found != (entry.bytes, entry.sha256, entry.documents):
                problems.append(f"{entry.file} does not match the manifest ({name})")
        if problems:
            raise BackupRefused(f"Backup {backup} was altered or damaged: " + "; ".join(problems))
        return manifest

    def restore(self, tenant: str, backup: str, into_empty: bool = False) -> dict[str, int]:
        """Verify first, then write every collection back; ``into_empty`` refuses a tenant that has documents."""
        manifest = self.verify(tenant, backup)
        if into_empty and not self.documents.is_empty(tenant):
            raise ConflictError(f"Tenant {tenant} is not empty; restore without --into-empty to overwrite")
        restored: dict[str, int] = {}
        known = {spec.name: spec for spec in self.collections}
        for name, entry in manifest.collections.items():
            spec = known.get(name)
            if spec is None:
                raise BackupRefused(f"Backup {backup} holds a collection this version does not know: {name}")
            restored[name] = self.documents.write(tenant, spec, self.store.read_lines(tenant, backup, entry.file))
        return restored

    def lines(self, tenant: str, backup: str) -> Iterator[tuple[str, bytes]]:
        """Every (collection, line) of a verified backup."""
        manifest = self.verify(tenant, backup)
        for name, entry in manifest.collections.items():
            for line in self.store.read_lines(tenant, backup, entry.file):
                yield name, line
