"""Backups on the local servers: Scheduler :run → Pub/Sub → gateway → backup function → Storage → restore."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.backup_seed import differences, read_back, seed, tenant_documents, wipe
from tests.conftest import ROOT, function_app, random_id


@pytest.fixture(scope="module")
def c(local_cloud: dict[str, str]) -> Iterator[Any]:
    from shared.bootstrap import container, reset_container

    reset_container()
    yield container()
    reset_container()


def wait_for_manifest(c: Any, tenant: str, timeout: float = 40.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for backup in c.backup_store.backups(tenant):
            if c.backup_store.manifest(tenant, backup) is not None:
                return str(backup)
        time.sleep(0.2)
    raise AssertionError(f"no complete backup of {tenant} within {timeout}s")


def test_a_scheduled_backup_restores_every_document_field_by_field(c: Any, gateway: str) -> None:
    from shared.domain.backup import BackupRequest
    from tools.backups import main as backups_cli

    tenant = random_id("bk")
    db = c.clients.firestore
    expected = tenant_documents(tenant, conversations=250, messages=17, db=db)
    assert len(expected) >= 5000
    seed(db, tenant, expected)

    scheduler = c.backups.scheduler
    scheduler.put(f"backup-{tenant}", "0 0 1 1 *", "Europe/Warsaw", BackupRequest(kind="tenant", tenant=tenant))
    client = scheduler._client
    client.run_job(name=scheduler._name(f"backup-{tenant}"))
    backup = wait_for_manifest(c, tenant)
    manifest = c.backup_store.manifest(tenant, backup)
    assert manifest.documents == len(expected)
    assert manifest.collections["conversations.messages"].documents == 250 * 17
    assert [name for name, entry in manifest.collections.items() if entry.documents == 0] == []  # the seed covers every one

    wipe(db, tenant, expected)
    assert c.backup_documents.is_empty(tenant)
    assert backups_cli(["verify", "--tenant", tenant, "--backup", backup]) == 0
    assert backups_cli(["restore", "--tenant", tenant, "--backup", backup, "--into-empty"]) == 0
    assert differences(expected, read_back(db, tenant)) == []
    assert backups_cli(["restore", "--tenant", tenant, "--backup", backup, "--into-empty"]) == 2


def cloud_event(message_id: str, data: dict[str, Any]) -> tuple[dict[str, str], bytes]:
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    body = {
        "message": {"data": base64.b64encode(json.dumps(data).encode()).decode(), "messageId": message_id, "publishTime": now}
    }
    headers = {
        "ce-id": message_id,
        "ce-specversion": "1.0",
        "ce-source": "//pubsub.googleapis.com/projects/p/topics/backup-requests",
        "ce-type": "google.cloud.pubsub.topic.v1.messagePublished",
        "ce-time": now,
        "Content-Type": "application/json",
    }
    return headers, json.dumps(body).encode()


def test_a_redelivered_request_does_not_make_a_second_backup(c: Any) -> None:
    tenant = random_id("bk")
    db = c.clients.firestore
    seed(db, tenant, tenant_documents(tenant, conversations=3, messages=2, db=db))
    client = function_app("backup").test_client()
    headers, body = cloud_event(random_id("msg"), {"kind": "tenant", "tenant": tenant})
    assert client.post("/", headers=headers, data=body).status_code == 200
    [backup] = c.backup_store.backups(tenant)
    first = c.backup_store.manifest(tenant, backup)
    assert client.post("/", headers=headers, data=body).status_code == 200
    assert c.backup_store.backups(tenant) == [backup]
    assert c.backup_store.manifest(tenant, backup) == first


def test_a_backup_killed_mid_way_leaves_no_manifest_and_the_next_run_completes(c: Any, local_cloud: dict[str, str]) -> None:
    from tools.backups import main as backups_cli

    tenant = random_id("bk")
    db = c.clients.firestore
    expected = tenant_documents(tenant, conversations=200, messages=10, db=db)
    seed(db, tenant, expected)
    backup = "20261123T030000Z-" + os.urandom(6).hex()
    code = f"from shared.bootstrap import container; container().backup_runner.back_up({tenant!r}, {backup!r})"
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **local_cloud})
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(
            b.name.endswith("conversations.ndjson.gz")
            for b in c.clients.storage.list_blobs(c.settings.backup_bucket, prefix=f"backups/{tenant}/")
        ):
            assert proc.poll() is None, "the backup finished before it could be killed"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert c.backup_store.backups(tenant) == [backup]
    assert c.backup_store.manifest(tenant, backup) is None
    assert backups_cli(["verify", "--tenant", tenant, "--backup", backup]) == 2

    outcome = c.backup_runner.back_up(tenant, backup)
    assert outcome.status == "written" and outcome.documents == len(expected)
    assert backups_cli(["verify", "--tenant", tenant, "--backup", backup]) == 0
