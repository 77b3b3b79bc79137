"""In-memory fakes of the backup ports, for unit tests (each has a contract test shared with the real one)."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Any

from shared.domain.backup import MANIFEST, BackupRequest, CollectionSpec, FileEntry, Manifest
from shared.services.backup_ports import BackupRequests, BackupScheduler, BackupStore, Schedule, TenantDocuments


class InMemoryTenantDocuments(TenantDocuments):
    """Documents as {tenant: {collection name: {path: JSON-ready data}}}."""

    def __init__(self) -> None:
        self.data: dict[str, dict[str, dict[str, Any]]] = {}
        self.fail_after: int | None = None  # lines streamed before a simulated crash

    def put(self, tenant: str, collection: str, path: str, doc: dict[str, Any]) -> None:
        self.data.setdefault(tenant, {}).setdefault(collection, {})[path] = doc

    def tenants(self) -> list[str]:
        """Tenants that have a tenant document, as the ``tenants`` collection lists them."""
        return sorted(t for t, collections in self.data.items() if collections.get("tenant"))

    def stream(self, tenant: str, spec: CollectionSpec) -> Iterator[bytes]:
        for path, doc in sorted(self.data.get(tenant, {}).get(spec.name, {}).items()):
            if self.fail_after is not None:
                if self.fail_after <= 0:
                    raise RuntimeError("simulated crash")
                self.fail_after -= 1
            yield json.dumps({"p": path, "d": doc}, separators=(",", ":")).encode() + b"\n"

    def write(self, tenant: str, spec: CollectionSpec, lines: Iterable[bytes]) -> int:
        n = 0
        for line in lines:
            record = json.loads(line)
            self.put(tenant, spec.name, record["p"], record["d"])
            n += 1
        return n

    def is_empty(self, tenant: str) -> bool:
        return not any(self.data.get(tenant, {}).values())


class InMemoryBackupStore(BackupStore):
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def _name(self, tenant: str, backup: str, file: str = "") -> str:
        return f"backups/{tenant}/{backup}/{file}"

    def write_file(self, tenant: str, backup: str, file: str, lines: Iterable[bytes]) -> FileEntry:
        body = list(lines)
        data = gzip.compress(b"".join(body), mtime=0)
        self.objects[self._name(tenant, backup, file)] = data
        return FileEntry(file=file, documents=len(body), bytes=len(data), sha256=hashlib.sha256(data).hexdigest())

    def read_lines(self, tenant: str, backup: str, file: str) -> Iterator[bytes]:
        yield from gzip.decompress(self.objects[self._name(tenant, backup, file)]).splitlines(keepends=True)

    def digest(self, tenant: str, backup: str, file: str) -> tuple[int, str, int] | None:
        data = self.objects.get(self._name(tenant, backup, file))
        if data is None:
            return None
        try:
            lines = gzip.decompress(data).count(b"\n")
        except (OSError, EOFError):
            lines = -1
        return len(data), hashlib.sha256(data).hexdigest(), lines

    def manifest(self, tenant: str, backup: str) -> Manifest | None:
        data = self.objects.get(self._name(tenant, backup, MANIFEST))
        return None if data is None else Manifest.model_validate_json(data)

    def write_manifest(self, manifest: Manifest) -> None:
        self.objects[self._name(manifest.tenant, manifest.backup_id, MANIFEST)] = manifest.model_dump_json().encode()

    def backups(self, tenant: str) -> list[str]:
        prefix = f"backups/{tenant}/"
        return sorted({n[len(prefix) :].split("/", 1)[0] for n in self.objects if n.startswith(prefix)})

    def delete(self, tenant: str, backup: str) -> None:
        for name in [n for n in self.objects if n.startswith(self._name(tenant, backup))]:
            del self.objects[name]

    def chunks(self, tenant: str, backup: str, file: str) -> Iterator[bytes]:
        yield self.objects[self._name(tenant, backup, file)]

    def signed_url(self, tenant: str, backup: str, file: str) -> str | None:
        return None


class InMemoryBackupRequests(BackupRequests):
    def __init__(self) -> None:
        self.published: list[BackupRequest] = []

    def publish(self, request: BackupRequest) -> str:
        self.published.append(request)
        return str(len(self.published))


class InMemoryBackupScheduler(BackupScheduler):
    def __init__(self) -> None:
        self.jobs: dict[str, tuple[Schedule, BackupRequest]] = {}

    def get(self, job: str) -> Schedule | None:
        found = self.jobs.get(job)
        return None if found is None else found[0]

    def put(self, job: str, cron: str, timezone: str, request: BackupRequest) -> Schedule:
        schedule = Schedule(job, cron, timezone)
        self.jobs[job] = (schedule, request)
        return schedule
