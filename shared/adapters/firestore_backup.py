"""A tenant's Firestore tree read and written for backups: paged queries out, batched writes back.

The local Firestore has no ListCollectionIds and no collection-group queries, so subcollections are
reached through their parents (the registry says how) and each collection is paged by document name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared.adapters.firestore_backup_codec import decode_line, encode_line
from shared.domain.backup import COLLECTIONS, SECRET_FIELDS, CollectionSpec
from shared.services.backup_ports import TenantDocuments

if TYPE_CHECKING:
    from google.cloud import firestore

PAGE = 1000
BATCH = 500  # Firestore's limit of writes per commit
WINDOW = 16  # parents whose subcollections are read at once


class FirestoreTenantDocuments(TenantDocuments):
    """``tenants/{t}`` and everything the registry lists under it."""

    def __init__(self, db: firestore.Client, metrics_lookback_days: int = 35, page: int = PAGE) -> None:
        self._db = db
        self._lookback = metrics_lookback_days
        self._page = page
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="backup-read")

    def _tenant(self, tenant: str) -> Any:
        return self._db.collection("tenants").document(tenant)

    def tenants(self) -> list[str]:
        return [snap.id for snap in self._paged(self._db.collection("tenants"), keys_only=True)]

    def _paged(self, query: Any, keys_only: bool = False) -> Iterator[Any]:
        """Every document of a query, one page at a time (a cursor on the document name).

        ``page=0`` reads one server stream instead: the local Firestore ignores cursors (and
        projections), while the client still receives a stream, so memory stays flat either way
        and the client resumes after the last document on a retryable error.
        """
        if not self._page:
            yield from query.stream()
            return
        query = query.order_by("__name__").limit(self._page)
        if keys_only:
            query = query.select(["__name__"])
        last = None
        while True:
            page = list((query.start_after(last) if last is not None else query).stream())
            if last is not None and page and page[0].reference.path <= last.reference.path:
                raise RuntimeError("this Firestore server ignores query cursors; use page=0 with it")
            yield from page
            if len(page) < self._page:
                return
            last = page[-1]

    def _days_back(self, tenant: str, today: date) -> int:
        """How many days of metric shards to look for: back to the tenant's first conversation (a turn's
        roll-ups never predate its conversation), and at least the configured lookback."""
        first = list(self._tenant(tenant).collection("conversations").order_by("created_at").limit(1).stream())
        started = (first[0].to_dict() or {}).get("created_at") if first else None
        since = (today - started.date()).days + 1 if isinstance(started, datetime) else 0
        return max(self._lookback, since)

    def _parents(self, tenant: str, spec: CollectionSpec) -> Iterator[Any]:
        """The document references holding one level of a subcollection path."""
        parent_path, _, _ = spec.path.rpartition("/*/")
        if spec.parents == "days":
            today = datetime.now(UTC).date()
            for n in range(-1, self._days_back(tenant, today) + 1):  # tomorrow too: a tenant east of UTC is there
                yield self._tenant(tenant).collection(parent_path).document((today - timedelta(days=n)).isoformat())
            return
        for snap in self._paged(self._tenant(tenant).collection(parent_path), keys_only=True):
            yield snap.reference

    def _read_all(self, query: Any) -> list[Any]:
        return list(self._paged(query))

    def _snapshots(self, tenant: str, spec: CollectionSpec) -> Iterator[Any]:
        if spec.path == "":
            snap = self._tenant(tenant).get()
            if snap.exists:
                yield snap
            return
        if "/*/" not in spec.path:
            yield from self._paged(self._tenant(tenant).collection(spec.path))
            return
        child = spec.path.rpartition("/*/")[2]
        window: list[Future[list[Any]]] = []
        for parent in self._parents(tenant, spec):
            window.append(self._pool.submit(self._read_all, parent.collection(child)))
            if len(window) >= WINDOW:
                yield from window.pop(0).result()
        for future in window:
            yield from future.result()

    def stream(self, tenant: str, spec: CollectionSpec) -> Iterator[bytes]:
        prefix = len(self._tenant(tenant).path) + 1
        drop = SECRET_FIELDS | spec.secret_fields
        for snap in self._snapshots(tenant, spec):
            data = snap.to_dict() or {}
            if drop & data.keys():
                data = {k: v for k, v in data.items() if k not in drop}
            yield encode_line(snap.reference.path[prefix:], data)

    def write(self, tenant: str, spec: CollectionSpec, lines: Iterable[bytes]) -> int:
        base = self._tenant(tenant)
        batch, pending, total = self._db.batch(), 0, 0
        for line in lines:
            path, data = decode_line(line, self._db)
            batch.set(self._db.document(f"{base.path}/{path}") if path else base, data)
            pending += 1
            total += 1
            if pending == BATCH:
                batch.commit()
                batch, pending = self._db.batch(), 0
        if pending:
            batch.commit()
        return total

    def is_empty(self, tenant: str) -> bool:
        return not any(next(self._snapshots(tenant, spec), None) is not None for spec in COLLECTIONS)
