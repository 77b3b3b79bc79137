"""What an admin does with backups: list, export now, download, and read or change the schedule."""

from __future__ import annotations

import tarfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shared.domain.backup import MANIFEST, BackupRequest, backup_id, summary
from shared.domain.backup_schedule import NIGHTLY_JOB, check_schedule, tenant_job
from shared.domain.errors import BadRequestError, NotFoundError
from shared.services.backup_ports import BackupRequests, BackupScheduler, BackupStore, Schedule
from shared.services.backups import complete_manifest


@dataclass(frozen=True)
class Download:
    """Either a signed URL to redirect to, or a stream of bytes to send."""

    filename: str
    redirect: str | None = None
    body: Iterator[bytes] | None = None
    content_type: str = "application/x-tar"


@dataclass
class BackupAdmin:
    """The admin endpoints' use cases, all scoped to the caller's tenant."""

    store: BackupStore
    requests: BackupRequests
    scheduler: BackupScheduler
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def list_backups(self, tenant: str) -> dict[str, Any]:
        rows = [summary(tenant, b, self.store.manifest(tenant, b)) for b in reversed(self.store.backups(tenant))]
        return {"success": True, "backups": rows}

    def export(self, tenant: str) -> dict[str, Any]:
        """Ask the backup function for a backup of this tenant now; the id is chosen here so the caller can poll it."""
        backup = backup_id(self.clock(), uuid.uuid4().hex)
        self.requests.publish(BackupRequest(kind="export", tenant=tenant, backup_id=backup))
        return {"success": True, "id": backup, "status": "requested"}

    def download(self, tenant: str, backup: object, file: object = None) -> Download:
        """The whole backup as a tar (streamed), or one collection's file (a signed URL where possible)."""
        if not isinstance(backup, str) or not backup:
            raise BadRequestError("Query parameter 'id' is required")
        manifest = complete_manifest(self.store, tenant, backup)
        if file is not None:
            entry = manifest.collections.get(str(file))
            if entry is None:
                raise NotFoundError(f"Backup {backup} has no collection {file!s}")
            url = self.store.signed_url(tenant, backup, entry.file)
            if url is not None:
                return Download(entry.file, redirect=url)
            return Download(entry.file, body=self.store.chunks(tenant, backup, entry.file), content_type="application/gzip")
        url = None  # an archive of many objects cannot be one signed URL; the function streams it
        files = [(e.file, e.bytes) for e in manifest.collections.values()]
        manifest_bytes = manifest.model_dump_json(indent=2).encode()
        return Download(f"{tenant}-{backup}.tar", redirect=url, body=self._tar(tenant, backup, files, manifest_bytes))

    def _tar(self, tenant: str, backup: str, files: list[tuple[str, int]], manifest: bytes) -> Iterator[bytes]:
        """A tar stream built on the fly: headers from the manifest's sizes, bodies streamed from Storage."""
        mtime = int(self.clock().timestamp())

        def header(name: str, size: int) -> bytes:
            info = tarfile.TarInfo(f"{backup}/{name}")
            info.size, info.mtime, info.mode = size, mtime, 0o644
            return info.tobuf(format=tarfile.PAX_FORMAT)

        def padding(size: int) -> bytes:
            return b"\0" * (-size % tarfile.BLOCKSIZE)

        for name, size in files:
            yield header(name, size)
            yield from self.store.chunks(tenant, backup, name)
            yield padding(size)
        yield header(MANIFEST, len(manifest)) + manifest + padding(len(manifest))
        yield b"\0" * (tarfile.BLOCKSIZE * 2)

    def get_schedule(self, tenant: str) -> dict[str, Any]:
        """The tenant's own job if it has one, else the nightly job every tenant is backed up by."""
        own = self.scheduler.get(tenant_job(tenant))
        if own is not None:
            return _schedule(own, shared=False)
        nightly = self.scheduler.get(NIGHTLY_JOB)
        if nightly is None:
            raise NotFoundError("No backup schedule is configured")
        return _schedule(nightly, shared=True)

    def set_schedule(self, tenant: str, body: dict[str, Any]) -> dict[str, Any]:
        """Create or change the tenant's own job; the nightly job of every tenant is not a tenant's to move."""
        cron, timezone = check_schedule(body.get("cron"), body.get("timezone"))
        job = self.scheduler.put(tenant_job(tenant), cron, timezone, BackupRequest(kind="tenant", tenant=tenant))
        return _schedule(job, shared=False)


def _schedule(job: Schedule, shared: bool) -> dict[str, Any]:
    return {"success": True, "job": job.job, "cron": job.cron, "timezone": job.timezone, "state": job.state, "shared": shared}
