"""The backup function's CloudEvent contract through functions-framework."""

from __future__ import annotations

import base64
import json

from tests.conftest import function_app, random_id


def post(data: bytes, message_id: str) -> int:
    body = {"message": {"data": base64.b64encode(data).decode(), "messageId": message_id, "publishTime": "2026-11-23T02:00:00Z"}}
    headers = {
        "ce-id": message_id,
        "ce-specversion": "1.0",
        "ce-source": "//pubsub.googleapis.com/projects/p/topics/backup-requests",
        "ce-type": "google.cloud.pubsub.topic.v1.messagePublished",
        "ce-time": "2026-11-23T02:00:00Z",
        "Content-Type": "application/json",
    }
    status: int = function_app("backup").test_client().post("/", headers=headers, data=json.dumps(body)).status_code
    return status


def test_a_malformed_request_is_acknowledged_and_writes_nothing(local_cloud: dict[str, str]) -> None:
    from shared.bootstrap import container

    tenant = random_id("bf")
    assert post(b"not json", random_id("m")) == 200
    assert post(json.dumps({"kind": "export", "tenant": tenant, "backup_id": "../../etc"}).encode(), random_id("m")) == 200
    assert container().backup_store.backups(tenant) == []


def test_a_request_for_a_tenant_writes_its_backup_with_a_manifest(local_cloud: dict[str, str]) -> None:
    from shared.bootstrap import container
    from shared.domain.backup import spec_by_name

    tenant = random_id("bf")
    container().backup_documents.write(tenant, spec_by_name("tenant"), iter([b'{"p":"","d":{"name":"T"}}\n']))
    assert post(json.dumps({"kind": "tenant", "tenant": tenant}).encode(), random_id("m")) == 200
    [backup] = container().backup_store.backups(tenant)
    manifest = container().backup_store.manifest(tenant, backup)
    assert manifest is not None and manifest.collections["tenant"].documents == 1
