"""Migration progress and document scans on Firestore (no collection-group queries needed)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from shared.services.migrations import MigrationStore, Progress, StoredDocument

if TYPE_CHECKING:
    from google.cloud.firestore import Client

PROGRESS_COLLECTION = "_migrations"


class FirestoreMigrationStore(MigrationStore):
    """Walks nested collections parent by parent, in document-id order, so a path is a resumable cursor."""

    def __init__(self, db: Client, root: str | None = None) -> None:
        # ``root`` scopes the walk under one document path (tests use a private root).
        self._db = db
        self._root = root

    def progress(self, migration_id: str) -> Progress | None:
        doc = self._progress_ref(migration_id).get()
        if not doc.exists:
            return None
        data = doc.to_dict() or {}
        return Progress(
            migration_id, data.get("cursor"), int(data.get("scanned", 0)), int(data.get("changed", 0)), bool(data.get("done"))
        )

    def scan(self, collections: tuple[str, ...], after: str | None) -> Iterator[StoredDocument]:
        after_ids = tuple(after.split("/")[1::2]) if after else ()
        yield from self._walk(self._db if self._root is None else self._db.document(self._root), collections, (), after_ids)

    def _walk(
        self, parent: Any, collections: tuple[str, ...], ids: tuple[str, ...], after: tuple[str, ...]
    ) -> Iterator[StoredDocument]:
        level = len(ids)
        leaf = level == len(collections) - 1
        bound = after[level] if after and after[:level] == ids and len(after) > level else None
        docs = sorted(parent.collection(collections[level]).stream(), key=lambda d: d.id)
        for doc in docs:
            if bound is not None and (doc.id < bound or (leaf and doc.id == bound)):
                continue
            if leaf:
                yield StoredDocument(self._relative(doc.reference.path), doc.to_dict() or {})
            else:
                yield from self._walk(doc.reference, collections, (*ids, doc.id), after)

    def apply(self, updates: list[tuple[str, dict[str, Any]]], progress: Progress) -> None:
        batch = self._db.batch()
        for path, fields in updates:
            batch.update(self._db.document(self._absolute(path)), fields)
        batch.set(
            self._progress_ref(progress.migration_id),
            {
                "cursor": progress.cursor,
                "scanned": progress.scanned,
                "changed": progress.changed,
                "done": progress.done,
                "updated_at": datetime.now(UTC),
            },
        )
        batch.commit()

    def _progress_ref(self, migration_id: str) -> Any:
        base = self._db if self._root is None else self._db.document(self._root)
        return base.collection(PROGRESS_COLLECTION).document(migration_id)

    def _relative(self, path: str) -> str:
        return path[len(self._root) + 1 :] if self._root else path

    def _absolute(self, path: str) -> str:
        return f"{self._root}/{path}" if self._root else path
