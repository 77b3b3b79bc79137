"""The admin function's backup routes through functions-framework, on the local servers."""

from __future__ import annotations

import base64
import io
import json
import tarfile
import time
from typing import Any

import pytest

from shared.bootstrap import container
from tests.conftest import function_app, random_id


@pytest.fixture()
def client(demo_tenants: None):  # type: ignore[no-untyped-def]
    return function_app("admin").test_client()


def key(tenant: str = "novahouse", scopes: list[str] | None = None) -> dict[str, str]:
    _, plaintext = container().api_keys.create(tenant, random_id("key"), scopes)
    return {"X-API-Key": plaintext}


def run_backup(message_id: str, data: dict[str, Any]) -> None:
    """Deliver a request to the backup function as Eventarc would."""
    body = {
        "message": {
            "data": base64.b64encode(json.dumps(data).encode()).decode(),
            "messageId": message_id,
            "publishTime": "2026-11-23T02:00:00Z",
        }
    }
    headers = {
        "ce-id": message_id,
        "ce-specversion": "1.0",
        "ce-source": "//pubsub.googleapis.com/projects/p/topics/t",
        "ce-type": "google.cloud.pubsub.topic.v1.messagePublished",
        "ce-time": "2026-11-23T02:00:00Z",
        "Content-Type": "application/json",
    }
    assert function_app("backup").test_client().post("/", headers=headers, data=json.dumps(body)).status_code == 200


def test_list_shows_a_finished_backup_with_its_counts(client) -> None:  # type: ignore[no-untyped-def]
    run_backup(random_id("msg"), {"kind": "tenant", "tenant": "hotel"})
    response = client.get("/api/backup/list", headers=key("hotel"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["success"] is True
    row = next(r for r in body["backups"] if r["status"] == "complete")
    assert set(row) >= {"id", "tenant", "created_at", "status", "collections", "bytes"}
    assert row["tenant"] == "hotel" and row["collections"]["knowledge"] == 1 and row["bytes"] > 0


def test_export_answers_202_with_the_id_of_the_backup_that_then_appears(client, gateway: str) -> None:  # type: ignore[no-untyped-def]
    headers = key("hotel")
    response = client.post("/api/backup/export", headers=headers)
    assert response.status_code == 202
    backup = response.get_json()["id"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        rows = client.get("/api/backup/list", headers=headers).get_json()["backups"]
        if any(r["id"] == backup and r["status"] == "complete" for r in rows):
            break
        time.sleep(0.3)
    else:
        raise AssertionError("the exported backup never completed")
    download = client.get(f"/api/backup/download?id={backup}", headers=headers)
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    with tarfile.open(fileobj=io.BytesIO(download.data)) as tar:
        manifest = json.loads(tar.extractfile(f"{backup}/manifest.json").read())  # type: ignore[union-attr]
        assert manifest["backup_id"] == backup and f"{backup}/knowledge.ndjson.gz" in tar.getnames()


def test_a_download_of_another_tenants_backup_is_not_found(client) -> None:  # type: ignore[no-untyped-def]
    run_backup(msg := random_id("msg"), {"kind": "tenant", "tenant": "hotel"})
    from datetime import datetime

    from shared.domain.backup import backup_id

    backup = backup_id(datetime.fromisoformat("2026-11-23T02:00:00+00:00"), msg)
    assert client.get(f"/api/backup/download?id={backup}", headers=key("hotel")).status_code == 200
    response = client.get(f"/api/backup/download?id={backup}", headers=key("novahouse"))
    assert response.status_code == 404 and set(response.get_json()) == {"error", "message"}


def test_a_download_without_a_valid_id_is_a_400(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/backup/download", headers=key()).status_code == 400
    assert client.get("/api/backup/download?id=../../x", headers=key()).status_code == 400


def test_the_schedule_is_read_and_changed_through_cloud_scheduler(client) -> None:  # type: ignore[no-untyped-def]
    tenant = "hotel"
    headers = key(tenant)
    first = client.get("/api/backup/schedule", headers=headers).get_json()
    assert {first["cron"], first["timezone"]} <= {"0 3 * * *", "Europe/Warsaw"} or first["job"] == f"backup-{tenant}"
    changed = client.post("/api/backup/schedule", headers=headers, json={"cron": "15 2 * * *", "timezone": "Europe/London"})
    assert changed.status_code == 200
    now = client.get("/api/backup/schedule", headers=headers).get_json()
    assert (now["cron"], now["timezone"], now["job"]) == ("15 2 * * *", "Europe/London", f"backup-{tenant}")
    job = container().backups.scheduler.get(f"backup-{tenant}")
    assert job is not None and job.cron == "15 2 * * *"


@pytest.mark.parametrize(
    "body", [{"cron": "0 25 * * *", "timezone": "UTC"}, {"cron": "0 3 * * *", "timezone": "Nowhere/City"}, {}]
)
def test_an_invalid_cron_or_timezone_is_a_400(client, body: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/backup/schedule", headers=key(), json=body)
    assert response.status_code == 400 and response.get_json()["error"]


def test_a_key_without_the_backups_scope_gets_403(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/backup/list", headers=key(scopes=["metrics"]))
    assert response.status_code == 403
