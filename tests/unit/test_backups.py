"""Backup use cases on the in-memory fakes: manifest last, idempotent, retention, verify and restore."""

from __future__ import annotations

import io
import tarfile
from datetime import UTC, datetime, timedelta

import pytest

from shared.adapters.in_memory_backup import (
    InMemoryBackupRequests,
    InMemoryBackupScheduler,
    InMemoryBackupStore,
    InMemoryTenantDocuments,
)
from shared.domain.backup import MANIFEST, BackupRequest, backup_id, created_at_of
from shared.domain.backup_schedule import NIGHTLY_JOB
from shared.domain.errors import BadRequestError, ConflictError, NotFoundError, ValidationFailed
from shared.services.backup_admin import BackupAdmin
from shared.services.backups import BackupRefused, BackupRestorer, BackupRunner

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def seeded() -> InMemoryTenantDocuments:
    docs = InMemoryTenantDocuments()
    docs.put("acme", "tenant", "", {"name": "Acme"})
    for i in range(5):
        docs.put("acme", "conversations", f"conversations/c{i}", {"mode": "bot"})
        docs.put("acme", "conversations.messages", f"conversations/c{i}/messages/m1", {"text": "hi"})
    docs.put("other", "tenant", "", {"name": "Other"})
    docs.put("other", "leads", "leads/l1", {"name": "Ola"})
    return docs


def runner(docs: InMemoryTenantDocuments, store: InMemoryBackupStore, now: datetime = NOW) -> BackupRunner:
    return BackupRunner(docs, store, retention_days=30, clock=lambda: now)


def test_a_backup_writes_every_collection_then_a_manifest_with_counts() -> None:
    docs, store = seeded(), InMemoryBackupStore()
    [outcome] = runner(docs, store).handle(BackupRequest(tenant="acme"), "msg-1", NOW)
    manifest = store.manifest("acme", outcome.backup)
    assert manifest is not None and outcome.status == "written"
    assert manifest.collections["conversations"].documents == 5
    assert manifest.collections["conversations.messages"].documents == 5
    assert manifest.collections["leads"].documents == 0
    assert manifest.documents == 11 == outcome.documents


def test_a_nightly_request_backs_up_every_tenant() -> None:
    docs, store = seeded(), InMemoryBackupStore()
    outcomes = runner(docs, store).handle(BackupRequest(kind="nightly"), "msg-1", NOW)
    assert sorted(o.tenant for o in outcomes) == ["acme", "other"]


def test_a_redelivered_request_does_not_make_a_second_backup() -> None:
    docs, store = seeded(), InMemoryBackupStore()
    first = runner(docs, store).handle(BackupRequest(tenant="acme"), "msg-1", NOW)
    again = runner(docs, store).handle(BackupRequest(tenant="acme"), "msg-1", NOW)
    assert again[0].status == "already_done" and again[0].backup == first[0].backup
    assert store.backups("acme") == [first[0].backup]


def test_a_crash_leaves_no_manifest_and_the_next_run_completes() -> None:
    docs, store = seeded(), InMemoryBackupStore()
    docs.fail_after = 3
    with pytest.raises(RuntimeError):
        runner(docs, store).handle(BackupRequest(tenant="acme"), "msg-1", NOW)
    [backup] = store.backups("acme")
    assert store.manifest("acme", backup) is None
    with pytest.raises(BackupRefused, match="incomplete"):
        BackupRestorer(docs, store).verify("acme", backup)
    docs.fail_after = None
    [outcome] = runner(docs, store).handle(BackupRequest(tenant="acme"), "msg-1", NOW)
    assert outcome.status == "written" and BackupRestorer(docs, store).verify("acme", backup).documents == 11


def test_backups_older_than_the_retention_are_deleted_after_a_new_one() -> None:
    docs, store = seeded(), InMemoryBackupStore()
    then = NOW - timedelta(days=31)
    old = runner(docs, store, then).handle(BackupRequest(tenant="acme"), "old", then)[0].backup
    then = NOW - timedelta(days=29)
    recent = runner(docs, store, then).handle(BackupRequest(tenant="acme"), "recent", then)[0].backup
    [outcome] = runner(docs, store).handle(BackupRequest(tenant="acme"), "new", NOW)
    assert outcome.deleted == (old,)
    assert store.backups("acme") == sorted([recent, outcome.backup])


def test_a_restore_writes_back_every_document() -> None:
    docs, store = seeded(), InMemoryBackupStore()
    [outcome] = runner(docs, store).handle(BackupRequest(tenant="acme"), "msg-1", NOW)
    before = docs.data.pop("acme")
    restored = BackupRestorer(docs, store).restore("acme", outcome.backup, into_empty=True)
    assert docs.data["acme"] == before and sum(restored.values()) == 11


def test_a_restore_into_empty_refuses_a_tenant_with_documents() -> None:
    docs, store = seeded(), InMemoryBackupStore()
    [outcome] = runner(docs, store).handle(BackupRequest(tenant="acme"), "msg-1", NOW)
    with pytest.raises(ConflictError, match="not empty"):
        BackupRestorer(docs, store).restore("acme", outcome.backup, into_empty=True)


def test_a_tampered_file_is_refused_before_anything_is_written() -> None:
    docs, store = seeded(), InMemoryBackupStore()
    [outcome] = runner(docs, store).handle(BackupRequest(tenant="acme"), "msg-1", NOW)
    name = f"backups/acme/{outcome.backup}/conversations.ndjson.gz"
    store.objects[name] = store.objects[name][:-1] + b"x"
    docs.data.pop("acme")
    with pytest.raises(BackupRefused, match=r"conversations\.ndjson\.gz does not match"):
        BackupRestorer(docs, store).restore("acme", outcome.backup)
    assert docs.is_empty("acme")


def test_an_unknown_backup_is_not_found_and_a_foreign_id_is_a_bad_request() -> None:
    restorer = BackupRestorer(seeded(), InMemoryBackupStore())
    with pytest.raises(NotFoundError):
        restorer.verify("acme", backup_id(NOW, "nope"))
    with pytest.raises(BadRequestError):
        restorer.verify("acme", "../other")


def test_a_backup_id_is_the_same_for_the_same_message_and_carries_its_time() -> None:
    assert backup_id(NOW, "m") == backup_id(NOW, "m") != backup_id(NOW, "n")
    assert created_at_of(backup_id(NOW, "m")) == NOW


def admin(store: InMemoryBackupStore | None = None) -> tuple[BackupAdmin, InMemoryBackupRequests, InMemoryBackupScheduler]:
    requests, scheduler = InMemoryBackupRequests(), InMemoryBackupScheduler()
    return BackupAdmin(store or InMemoryBackupStore(), requests, scheduler, clock=lambda: NOW), requests, scheduler


def test_the_list_shows_complete_and_incomplete_backups_newest_first() -> None:
    docs, store = seeded(), InMemoryBackupStore()
    done = runner(docs, store).handle(BackupRequest(tenant="acme"), "a", NOW - timedelta(days=1))[0].backup
    docs.fail_after = 2
    with pytest.raises(RuntimeError):
        runner(docs, store).handle(BackupRequest(tenant="acme"), "b", NOW)
    rows = admin(store)[0].list_backups("acme")["backups"]
    assert [r["status"] for r in rows] == ["incomplete", "complete"]
    assert rows[1]["id"] == done and rows[1]["collections"]["conversations"] == 5 and rows[1]["bytes"] > 0


def test_an_export_publishes_a_request_naming_the_backup_it_answers_with() -> None:
    service, requests, _ = admin()
    answer = service.export("acme")
    assert requests.published == [BackupRequest(kind="export", tenant="acme", backup_id=answer["id"])]


def test_a_download_streams_a_tar_of_every_file_and_the_manifest() -> None:
    docs, store = seeded(), InMemoryBackupStore()
    [outcome] = runner(docs, store).handle(BackupRequest(tenant="acme"), "msg-1", NOW)
    download = admin(store)[0].download("acme", outcome.backup)
    assert download.redirect is None and download.body is not None
    with tarfile.open(fileobj=io.BytesIO(b"".join(download.body))) as tar:
        names = tar.getnames()
        member = tar.extractfile(f"{outcome.backup}/conversations.ndjson.gz")
        assert member is not None
        assert member.read() == store.objects[f"backups/acme/{outcome.backup}/conversations.ndjson.gz"]
    assert f"{outcome.backup}/{MANIFEST}" in names


def test_a_download_without_an_id_is_a_bad_request() -> None:
    with pytest.raises(BadRequestError):
        admin()[0].download("acme", None)


def test_the_schedule_is_the_nightly_one_until_a_tenant_sets_its_own() -> None:
    service, _, scheduler = admin()
    scheduler.put(NIGHTLY_JOB, "0 3 * * *", "Europe/Warsaw", BackupRequest())
    assert service.get_schedule("acme")["shared"] is True
    service.set_schedule("acme", {"cron": "30 1 * * *", "timezone": "UTC"})
    assert service.get_schedule("acme") | {"success": True} == {
        "success": True,
        "job": "backup-acme",
        "cron": "30 1 * * *",
        "timezone": "UTC",
        "state": "ENABLED",
        "shared": False,
    }
    assert scheduler.jobs[NIGHTLY_JOB][0].cron == "0 3 * * *"


@pytest.mark.parametrize(
    ("cron", "timezone", "field"),
    [
        ("61 3 * * *", "UTC", "cron"),
        ("every night", "UTC", "cron"),
        ("0 3 * * *", "Mars/Olympus", "timezone"),
        (None, None, "cron"),
    ],
)
def test_an_invalid_cron_or_timezone_is_a_400_and_changes_nothing(cron: object, timezone: object, field: str) -> None:
    service, _, scheduler = admin()
    with pytest.raises(ValidationFailed) as caught:
        service.set_schedule("acme", {"cron": cron, "timezone": timezone})
    assert field in [d["field"] for d in caught.value.details] and scheduler.jobs == {}


def test_a_request_naming_a_malformed_tenant_is_refused() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        BackupRequest(kind="export", tenant="../other")


def test_the_cli_refuses_a_malformed_tenant_before_connecting(capsys: pytest.CaptureFixture[str]) -> None:
    from tools.backups import main

    assert main(["restore", "--tenant", "../other", "--backup", "20261123T020000Z-abcdefabcdef"]) == 2
    assert "not a tenant id" in capsys.readouterr().err
