"""Backups in Cloud Storage: ``backups/{tenant}/{id}/{collection}.ndjson.gz`` and ``manifest.json``, last.

Files are streamed: lines go through gzip into a resumable upload while a sha256 runs over the
compressed bytes, so memory stays flat whatever the size.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import zlib
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from shared import logs
from shared.adapters.gcs_signing import signed_url
from shared.domain.backup import MANIFEST, FileEntry, Manifest
from shared.services.backup_ports import BackupStore

if TYPE_CHECKING:
    from google.cloud import storage  # type: ignore[attr-defined]

_log = logs.get_logger("chatdesk.backup")
CHUNK = 4 * 1024 * 1024  # resumable upload chunk (a multiple of 256 KiB)
PREFIX = "backups"


class _Tee(io.RawIOBase):
    """Counts and hashes what gzip writes, then passes it to the upload."""

    def __init__(self, sink: Any) -> None:
        self.sink = sink
        self.sha = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.sha.update(chunk)
        self.size += len(chunk)
        self.sink.write(chunk)
        return len(chunk)


class GcsBackupStore(BackupStore):
    def __init__(self, client: storage.Client, bucket: str, can_sign: bool = True) -> None:
        self._client = client
        self._bucket_name = bucket
        self._can_sign = can_sign

    @property
    def _bucket(self) -> Any:
        return self._client.bucket(self._bucket_name)

    def _name(self, tenant: str, backup: str, file: str = "") -> str:
        return f"{PREFIX}/{tenant}/{backup}/{file}"

    def write_file(self, tenant: str, backup: str, file: str, lines: Iterable[bytes]) -> FileEntry:
        blob = self._bucket.blob(self._name(tenant, backup, file), chunk_size=CHUNK)
        count = 0
        with blob.open("wb", content_type="application/gzip", ignore_flush=True) as upload:
            tee = _Tee(upload)
            # mtime 0: the same documents give the same bytes, so checksums compare across runs
            with gzip.GzipFile(fileobj=tee, mode="wb", compresslevel=6, mtime=0) as gz:
                buffered = io.BufferedWriter(gz, buffer_size=256 * 1024)
                for line in lines:
                    buffered.write(line)
                    count += 1
                buffered.flush()
        return FileEntry(file=file, documents=count, bytes=tee.size, sha256=tee.sha.hexdigest())

    def read_lines(self, tenant: str, backup: str, file: str) -> Iterator[bytes]:
        blob = self._bucket.blob(self._name(tenant, backup, file))
        with blob.open("rb", chunk_size=CHUNK) as raw, gzip.GzipFile(fileobj=raw) as gz:
            yield from gz

    def digest(self, tenant: str, backup: str, file: str) -> tuple[int, str, int] | None:
        from google.api_core.exceptions import NotFound

        sha, size, lines = hashlib.sha256(), 0, 0
        inflate = zlib.decompressobj(wbits=31)  # gzip framing; one pass hashes and counts lines
        try:
            for chunk in self.chunks(tenant, backup, file):
                sha.update(chunk)
                size += len(chunk)
                if lines >= 0:
                    try:
                        lines += inflate.decompress(chunk).count(b"\n")
                    except zlib.error:
                        lines = -1  # not gzip: it cannot match a manifest
        except NotFound:
            return None
        return size, sha.hexdigest(), lines

    def chunks(self, tenant: str, backup: str, file: str) -> Iterator[bytes]:
        blob = self._bucket.blob(self._name(tenant, backup, file))
        with blob.open("rb", chunk_size=CHUNK) as raw:
            while chunk := raw.read(CHUNK):
                yield chunk

    def manifest(self, tenant: str, backup: str) -> Manifest | None:
        blob = self._bucket.get_blob(self._name(tenant, backup, MANIFEST))
        if blob is None:
            return None
        return Manifest.model_validate_json(blob.download_as_bytes())

    def write_manifest(self, manifest: Manifest) -> None:
        blob = self._bucket.blob(self._name(manifest.tenant, manifest.backup_id, MANIFEST))
        blob.upload_from_string(manifest.model_dump_json(indent=2), content_type="application/json")

    def backups(self, tenant: str) -> list[str]:
        listing = self._client.list_blobs(self._bucket_name, prefix=f"{PREFIX}/{tenant}/", delimiter="/")
        for _ in listing:  # the prefixes are filled in as the pages are read
            pass
        return sorted(p.rstrip("/").rsplit("/", 1)[1] for p in listing.prefixes)

    def delete(self, tenant: str, backup: str) -> None:
        # The manifest first: a half-deleted backup must read as incomplete, never as complete.
        names = [b.name for b in self._client.list_blobs(self._bucket_name, prefix=self._name(tenant, backup))]
        names.sort(key=lambda n: not n.endswith(MANIFEST))
        for name in names:
            self._bucket.blob(name).delete()

    def signed_url(self, tenant: str, backup: str, file: str) -> str | None:
        if not self._can_sign:
            return None
        blob = self._bucket.blob(self._name(tenant, backup, file))
        # None (no signing permission) means the caller streams the file instead.
        return signed_url(self._client, blob, "backup download", expiration=timedelta(minutes=15), method="GET")
