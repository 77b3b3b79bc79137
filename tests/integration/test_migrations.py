"""Migrations on the local Firestore: resumable after a crash, idempotent, and a dry run that only counts."""

from __future__ import annotations

from typing import Any

import pytest

from shared.adapters.firestore_migrations import FirestoreMigrationStore
from shared.domain.schema import KIND_PATHS, SCHEMA_VERSIONS
from shared.services.migrations import MIGRATIONS, Migration, Progress, check_registry, run_migrations
from tests.conftest import random_id

TENANTS, CONVERSATIONS, MESSAGES = 2, 4, 250  # 2 000 messages, 8 conversations


def _word_count(data: dict[str, Any]) -> dict[str, Any]:
    return {"words": len(str(data.get("text", "")).split())}


def _migrations() -> list[Migration]:
    conversations = next(m for m in MIGRATIONS if m.kind == "conversation")
    return [conversations, Migration("0100_messages_words", "message", 1, "count words", _word_count)]


def _db():  # type: ignore[no-untyped-def]
    from shared.bootstrap import container

    return container().clients.firestore


def _seed(root: str, messages: int = MESSAGES) -> None:
    db = _db()
    batch, pending = db.batch(), 0
    for t in range(TENANTS):
        tenant = db.document(f"{root}/tenants/t{t}")
        batch.set(tenant, {"name": f"tenant {t}"})
        for c in range(CONVERSATIONS):
            conversation = tenant.collection("conversations").document(f"c{c}")
            # Half the conversations predate channels; one is already migrated.
            data: dict[str, Any] = {"mode": "bot"} if c % 2 else {"mode": "bot", "channel": "whatsapp"}
            if c == 0:
                data["schema_version"] = 1
            batch.set(conversation, data)
            for m in range(messages):
                batch.set(conversation.collection("messages").document(f"m{m:04d}"), {"text": "hello " * (m % 5 + 1)})
                pending += 1
                if pending >= 450:
                    batch.commit()
                    batch, pending = db.batch(), 0
    batch.commit()


def _snapshot(root: str) -> dict[str, dict[str, Any]]:
    store = FirestoreMigrationStore(_db(), root)
    docs = {}
    for kind in ("conversation", "message"):
        docs.update({doc.path: doc.data for doc in store.scan(KIND_PATHS[kind], None)})
    return docs


class CrashingStore(FirestoreMigrationStore):
    """Dies on the n-th commit, the way a killed process would: that commit never happens."""

    def __init__(self, db: Any, root: str, commits_before_crash: int) -> None:
        super().__init__(db, root)
        self.left = commits_before_crash

    def apply(self, updates: list[tuple[str, dict[str, Any]]], progress: Progress) -> None:
        if self.left == 0:
            raise KeyboardInterrupt("killed")
        self.left -= 1
        super().apply(updates, progress)


@pytest.fixture()
def twin_roots(local_cloud: dict[str, str]) -> tuple[str, str]:
    roots = (f"migration-tests/{random_id('a')}", f"migration-tests/{random_id('b')}")
    for root in roots:
        _seed(root)
    return roots


def test_a_migration_interrupted_half_way_and_resumed_equals_an_uninterrupted_one(twin_roots: tuple[str, str]) -> None:
    interrupted, uninterrupted = twin_roots
    straight = run_migrations(FirestoreMigrationStore(_db(), uninterrupted), _migrations(), batch_size=100)

    # 2 000 messages in batches of 100: the crash lands at the 11th of ~20 message commits.
    with pytest.raises(KeyboardInterrupt):
        run_migrations(CrashingStore(_db(), interrupted, commits_before_crash=1 + 10), _migrations(), batch_size=100)
    store = FirestoreMigrationStore(_db(), interrupted)
    half = store.progress("0100_messages_words")
    assert half is not None and not half.done and 0 < half.changed < TENANTS * CONVERSATIONS * MESSAGES
    resumed = run_migrations(store, _migrations(), batch_size=100)

    assert resumed[0].status == "already_done" and any("resumed after" in n for n in resumed[1].notes)
    assert _snapshot(interrupted) == _snapshot(uninterrupted)
    assert [(r.scanned, r.changed) for r in resumed] == [(s.scanned, s.changed) for s in straight]
    assert straight[1].changed == TENANTS * CONVERSATIONS * MESSAGES
    assert straight[0].changed == TENANTS * (CONVERSATIONS - 1)  # the stamped one is left alone
    sample = _snapshot(uninterrupted)["tenants/t1/conversations/c3/messages/m0002"]
    assert sample == {"text": "hello hello hello ", "words": 3, "schema_version": 1}


def test_a_second_run_changes_nothing_and_a_dry_run_only_counts(local_cloud: dict[str, str]) -> None:
    root = f"migration-tests/{random_id('c')}"
    _seed(root, messages=25)
    store = FirestoreMigrationStore(_db(), root)
    before = _snapshot(root)
    counted = run_migrations(store, _migrations(), dry_run=True, batch_size=100)
    expected = [("dry_run", TENANTS * (CONVERSATIONS - 1)), ("dry_run", TENANTS * CONVERSATIONS * 25)]
    assert [(r.status, r.changed) for r in counted] == expected
    assert _snapshot(root) == before and store.progress("0100_messages_words") is None

    run_migrations(store, _migrations(), batch_size=300)
    after = _snapshot(root)
    assert [r.status for r in run_migrations(store, _migrations())] == ["already_done", "already_done"]
    # Even under a new id, documents already at the version are not touched again.
    again = Migration("0101_messages_words_again", "message", 1, "same", _word_count)
    assert run_migrations(store, [again], batch_size=300)[0].changed == 0
    assert _snapshot(root) == after


def test_the_registry_reaches_every_version_writers_stamp() -> None:
    check_registry(MIGRATIONS)
    assert set(SCHEMA_VERSIONS) <= set(KIND_PATHS)
    with pytest.raises(ValueError, match="current version"):
        check_registry([m for m in MIGRATIONS if m.kind != "message"])


def test_a_stored_turn_is_stamped_with_the_current_schema_versions(demo_tenants: None) -> None:
    from tests.conftest import function_app

    client = function_app("chat").test_client()
    body = client.post("/api/chat", json={"tenant": "hotel", "message": "Is breakfast included?"}).get_json()
    conversation = _db().document(f"tenants/hotel/conversations/{body['conversation_id']}")
    assert conversation.get().to_dict()["schema_version"] == SCHEMA_VERSIONS["conversation"]
    messages = [m.to_dict() for m in conversation.collection("messages").stream()]
    assert len(messages) == 2 and {m["schema_version"] for m in messages} == {SCHEMA_VERSIONS["message"]}
