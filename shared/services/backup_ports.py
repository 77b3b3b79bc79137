"""Ports the backup use cases need: the tenant's documents, the backup bucket, requests and the schedule."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from shared.domain.backup import BackupRequest, CollectionSpec, FileEntry, Manifest


class TenantDocuments(ABC):
    """A tenant's documents as NDJSON lines (one typed document each), collection by collection."""

    @abstractmethod
    def tenants(self) -> list[str]:
        """Every tenant id."""

    @abstractmethod
    def stream(self, tenant: str, spec: CollectionSpec) -> Iterator[bytes]:
        """Every document of one collection, paged: memory does not grow with the collection."""

    @abstractmethod
    def write(self, tenant: str, spec: CollectionSpec, lines: Iterable[bytes]) -> int:
        """Write documents back in batches; returns how many."""

    @abstractmethod
    def is_empty(self, tenant: str) -> bool:
        """True when no collection of the registry holds a document of this tenant."""


class BackupStore(ABC):
    """``backups/{tenant}/{id}/{collection}.ndjson.gz`` plus ``manifest.json``, written last."""

    @abstractmethod
    def write_file(self, tenant: str, backup: str, file: str, lines: Iterable[bytes]) -> FileEntry:
        """Stream lines as one gzip object; returns its count, size and sha256."""

    @abstractmethod
    def read_lines(self, tenant: str, backup: str, file: str) -> Iterator[bytes]: ...

    @abstractmethod
    def digest(self, tenant: str, backup: str, file: str) -> tuple[int, str, int] | None:
        """(bytes, sha256, lines) of a stored file, streamed; None when it is missing."""

    @abstractmethod
    def manifest(self, tenant: str, backup: str) -> Manifest | None: ...

    @abstractmethod
    def write_manifest(self, manifest: Manifest) -> None: ...

    @abstractmethod
    def backups(self, tenant: str) -> list[str]:
        """Every backup id of a tenant, complete or not, oldest first."""

    @abstractmethod
    def delete(self, tenant: str, backup: str) -> None: ...

    @abstractmethod
    def chunks(self, tenant: str, backup: str, file: str) -> Iterator[bytes]:
        """A stored file's raw bytes, in chunks."""

    @abstractmethod
    def signed_url(self, tenant: str, backup: str, file: str) -> str | None:
        """A short-lived V4 signed URL, or None when these credentials cannot sign (locally)."""


class BackupRequests(ABC):
    """Publishes to ``backup-requests``."""

    @abstractmethod
    def publish(self, request: BackupRequest) -> str:
        """Returns the message id."""


@dataclass(frozen=True)
class Schedule:
    job: str
    cron: str
    timezone: str
    state: str = "ENABLED"


class BackupScheduler(ABC):
    """Cloud Scheduler jobs that publish backup requests."""

    @abstractmethod
    def get(self, job: str) -> Schedule | None: ...

    @abstractmethod
    def put(self, job: str, cron: str, timezone: str, request: BackupRequest) -> Schedule:
        """Create or update the job."""
