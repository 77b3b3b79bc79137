"""Each backup port's in-memory fake behaves like its real adapter on the local servers."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from shared.adapters.in_memory_backup import InMemoryBackupScheduler, InMemoryBackupStore, InMemoryTenantDocuments
from shared.domain.backup import BackupRequest, FileEntry, Manifest, backup_id, spec_by_name
from shared.services.backup_ports import BackupScheduler, BackupStore, TenantDocuments
from tests.conftest import random_id


def real_store() -> BackupStore:
    from shared.bootstrap import container

    return container().backup_store


def real_scheduler() -> BackupScheduler:
    from shared.bootstrap import container

    return container().backups.scheduler


def real_documents() -> TenantDocuments:
    from shared.bootstrap import container

    return container().backup_documents


@pytest.fixture(params=["fake", "real"])
def store(request: pytest.FixtureRequest, local_cloud: dict[str, str]) -> BackupStore:
    return InMemoryBackupStore() if request.param == "fake" else real_store()


@pytest.fixture(params=["fake", "real"])
def scheduler(request: pytest.FixtureRequest, local_cloud: dict[str, str]) -> BackupScheduler:
    return InMemoryBackupScheduler() if request.param == "fake" else real_scheduler()


@pytest.fixture(params=["fake", "real"])
def documents(request: pytest.FixtureRequest, local_cloud: dict[str, str]) -> TenantDocuments:
    return InMemoryTenantDocuments() if request.param == "fake" else real_documents()


def test_a_stored_file_reads_back_line_by_line_and_its_digest_matches(store: BackupStore) -> None:
    tenant, backup = random_id("st"), backup_id(datetime.now(UTC), random_id())
    lines = [b'{"p":"leads/%d","d":{}}\n' % i for i in range(1000)]
    entry = store.write_file(tenant, backup, "leads.ndjson.gz", iter(lines))
    assert entry.documents == 1000 and entry.bytes > 0
    assert list(store.read_lines(tenant, backup, "leads.ndjson.gz")) == lines
    assert store.digest(tenant, backup, "leads.ndjson.gz") == (entry.bytes, entry.sha256, 1000)
    assert store.digest(tenant, backup, "missing.ndjson.gz") is None
    assert b"".join(store.chunks(tenant, backup, "leads.ndjson.gz"))[:2] == b"\x1f\x8b"


def test_a_backup_is_listed_before_its_manifest_and_gone_after_delete(store: BackupStore) -> None:
    tenant = random_id("st")
    older, newer = backup_id(datetime(2026, 1, 1, tzinfo=UTC), "a"), backup_id(datetime(2026, 2, 1, tzinfo=UTC), "b")
    for backup in (newer, older):
        store.write_file(tenant, backup, "tenant.ndjson.gz", iter([b"{}\n"]))
    assert store.backups(tenant) == [older, newer] and store.manifest(tenant, newer) is None
    entry = FileEntry(file="tenant.ndjson.gz", documents=1, bytes=1, sha256="x")
    now = datetime.now(UTC)
    manifest = Manifest(tenant=tenant, backup_id=newer, created_at=now, completed_at=now, collections={"tenant": entry})
    store.write_manifest(manifest)
    assert store.manifest(tenant, newer) == manifest
    store.delete(tenant, older)
    assert store.backups(tenant) == [newer]
    assert store.signed_url(tenant, newer, "tenant.ndjson.gz") is None  # neither the fake nor the local server signs


def test_a_schedule_is_created_then_changed_and_read_back(scheduler: BackupScheduler) -> None:
    job = random_id("job")
    assert scheduler.get(job) is None
    created = scheduler.put(job, "0 3 * * *", "Europe/Warsaw", BackupRequest(kind="tenant", tenant="x"))
    assert (created.job, created.cron, created.timezone, created.state) == (job, "0 3 * * *", "Europe/Warsaw", "ENABLED")
    scheduler.put(job, "30 1 * * 1", "UTC", BackupRequest(kind="tenant", tenant="x"))
    found = scheduler.get(job)
    assert found is not None and (found.cron, found.timezone) == ("30 1 * * 1", "UTC")


def test_written_documents_stream_back_as_the_same_lines(documents: TenantDocuments) -> None:
    tenant = random_id("dc")
    spec = spec_by_name("leads")
    lines = [b'{"p":"leads/l%03d","d":{"n":%d,"at":{"$ts":"2026-01-01T00:00:00.000001+00:00"}}}\n' % (i, i) for i in range(30)]
    assert documents.is_empty(tenant)
    assert documents.write(tenant, spec, iter(lines)) == 30
    assert [json.loads(line) for line in documents.stream(tenant, spec)] == [json.loads(line) for line in lines]
    assert not documents.is_empty(tenant)
    assert tenant not in documents.tenants()  # only a tenant document makes a tenant
    documents.write(tenant, spec_by_name("tenant"), iter([b'{"p":"","d":{"name":"T"}}\n']))
    assert tenant in documents.tenants()


def test_paging_through_a_server_that_ignores_cursors_fails_loudly_instead_of_looping(local_cloud: dict[str, str]) -> None:
    from shared.adapters.firestore_backup import FirestoreTenantDocuments
    from shared.bootstrap import container

    tenant = random_id("pg")
    documents = container().backup_documents
    lines = [b'{"p":"leads/l%03d","d":{"n":%d}}\n' % (i, i) for i in range(7)]
    documents.write(tenant, spec_by_name("leads"), iter(lines))
    paged = FirestoreTenantDocuments(container().clients.firestore, page=3)
    try:
        found = list(paged.stream(tenant, spec_by_name("leads")))
    except RuntimeError as err:  # the local server: it ignores start_after
        assert "ignores query cursors" in str(err)
    else:  # a server that honours cursors: every document exactly once
        assert sorted(found) == sorted(lines)
