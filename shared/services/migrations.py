"""Versioned, idempotent, resumable data migrations over Firestore documents.

A migration moves one document kind to a schema version. It visits that kind's documents in a
fixed order and rewrites those below its version in batches; each batch commits together with
the migration's progress (cursor and counts), so a crash loses nothing and a re-run continues
after the last committed document. Documents already at the version are left alone, which makes
a second run (or a resumed one) a no-op for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from shared.domain.leads import extract_lead, merge_leads
from shared.domain.schema import KIND_PATHS, SCHEMA_FIELD, SCHEMA_VERSIONS, version_of
from shared.domain.search import contact_terms, merged_terms, phone_terms, text_terms


@dataclass(frozen=True)
class Migration:
    """Brings documents of ``kind`` to ``to_version``; ``transform`` returns the fields to set."""

    id: str
    kind: str
    to_version: int
    description: str
    transform: Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class StoredDocument:
    path: str  # "tenants/a/conversations/b"
    data: dict[str, Any]


@dataclass(frozen=True)
class Progress:
    """What a migration has done so far; stored next to the data it changes."""

    migration_id: str
    cursor: str | None = None
    scanned: int = 0
    changed: int = 0
    done: bool = False


@dataclass
class MigrationReport:
    migration_id: str
    description: str
    scanned: int = 0
    changed: int = 0
    status: str = "applied"  # applied | already_done | dry_run
    notes: list[str] = field(default_factory=list)


class MigrationStore(Protocol):
    """Where documents and migration progress live."""

    def progress(self, migration_id: str) -> Progress | None: ...

    def scan(self, collections: tuple[str, ...], after: str | None) -> Iterator[StoredDocument]:
        """Documents of a kind in path order, strictly after ``after`` when given."""
        ...

    def apply(self, updates: list[tuple[str, dict[str, Any]]], progress: Progress) -> None:
        """Update the documents (which must exist) and save ``progress``, in one commit."""
        ...


def _stamp_only(data: dict[str, Any]) -> dict[str, Any]:
    return {}


def _conversation_v1(data: dict[str, Any]) -> dict[str, Any]:
    # Conversations from before channels existed were all web chats.
    return {} if data.get("channel") else {"channel": "web"}


def _conversation_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Search terms for conversations from before search, from what the document itself keeps.

    The document holds the last ten turns (``recent``): their guest words and any contact details in
    them become terms, as ``Conversation.receive``/``identify`` would have made them; the WhatsApp
    number too. Older messages are not read (a message scan per conversation would not scale).
    """
    if data.get("search_terms"):
        return {}
    recent = data.get("recent")
    turns: list[Any] = recent if isinstance(recent, list) else []
    said = [str(t.get("text") or "") for t in turns if isinstance(t, dict) and t.get("role") == "guest"]
    terms: list[str] = []
    for text in said:
        terms = merged_terms(terms, text_terms(text))
    lead = merge_leads(*(extract_lead(text) for text in said))
    terms = merged_terms(terms, contact_terms(lead.name, lead.email, lead.phone), first=True)
    if isinstance(data.get("contact"), str):
        terms = merged_terms(terms, phone_terms(data["contact"]), first=True)
    return {"search_terms": terms}


# Applied in id order. Never edit a released migration: add the next one.
MIGRATIONS: tuple[Migration, ...] = (
    Migration("0001_tenants_v1", "tenant", 1, "stamp schema_version on tenants", _stamp_only),
    Migration("0002_conversations_v1", "conversation", 1, "stamp schema_version; channel defaults to web", _conversation_v1),
    Migration("0003_messages_v1", "message", 1, "stamp schema_version on messages", _stamp_only),
    Migration("0004_notes_v1", "note", 1, "stamp schema_version on notes", _stamp_only),
    Migration("0005_leads_v1", "lead", 1, "stamp schema_version on leads", _stamp_only),
    Migration("0006_assignments_v1", "assignment", 1, "stamp schema_version on assignments", _stamp_only),
    Migration("0007_conversations_v2", "conversation", 2, "search_terms from the recent guest turns", _conversation_v2),
    Migration("0008_canned_responses_v1", "canned_response", 1, "stamp schema_version on canned responses", _stamp_only),
)


def check_registry(migrations: Iterable[Migration]) -> None:
    """Every kind's newest migration reaches the version writers stamp; ids are unique and ordered."""
    ids = [m.id for m in migrations]
    if ids != sorted(set(ids)):
        raise ValueError("migration ids must be unique and listed in order")
    reached: dict[str, int] = {}
    for m in migrations:
        reached[m.kind] = max(reached.get(m.kind, 0), m.to_version)
    behind = {kind: v for kind, v in SCHEMA_VERSIONS.items() if reached.get(kind, 0) < v}
    if behind:
        raise ValueError(f"no migration reaches the current version of {sorted(behind)}")


def run_migrations(
    store: MigrationStore,
    migrations: Iterable[Migration] = MIGRATIONS,
    *,
    dry_run: bool = False,
    batch_size: int = 200,
) -> list[MigrationReport]:
    """Apply every pending migration (or, with ``dry_run``, count what each would change)."""
    return [_run_one(store, m, dry_run=dry_run, batch_size=batch_size) for m in sorted(migrations, key=lambda m: m.id)]


def _run_one(store: MigrationStore, migration: Migration, *, dry_run: bool, batch_size: int) -> MigrationReport:
    report = MigrationReport(migration.id, migration.description, status="dry_run" if dry_run else "applied")
    progress = store.progress(migration.id) or Progress(migration.id)
    if progress.done:
        report.status = "already_done"
        report.scanned, report.changed = progress.scanned, progress.changed
        return report
    if progress.cursor is not None:
        report.notes.append(f"resumed after {progress.cursor}")
    updates: list[tuple[str, dict[str, Any]]] = []
    scanned_in_batch = 0
    for doc in store.scan(KIND_PATHS[migration.kind], progress.cursor):
        scanned_in_batch += 1
        if version_of(doc.data) < migration.to_version:
            updates.append((doc.path, {**migration.transform(doc.data), SCHEMA_FIELD: migration.to_version}))
        # Progress only moves with a commit, so a crash between commits re-reads, never skips.
        progress = replace(progress, cursor=doc.path, scanned=progress.scanned + 1)
        if len(updates) >= batch_size or scanned_in_batch >= batch_size * 5:
            progress = _commit(store, updates, progress, dry_run)
            updates, scanned_in_batch = [], 0
    progress = _commit(store, updates, replace(progress, done=True), dry_run)
    report.scanned, report.changed = progress.scanned, progress.changed
    return report


def _commit(store: MigrationStore, updates: list[tuple[str, dict[str, Any]]], progress: Progress, dry_run: bool) -> Progress:
    progress = replace(progress, changed=progress.changed + len(updates))
    if not dry_run:
        store.apply(updates, progress)
    return progress
