"""Each local server, used for real through the real client libraries."""

from __future__ import annotations

import json
import os
import threading
import time

import requests

from tests.conftest import random_id
from tests.helpers import sign_in_with_password


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.05):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


def test_a_firestore_write_is_seen_by_an_on_snapshot_listener(local_cloud: dict[str, str]) -> None:
    from google.cloud import firestore

    db = firestore.Client(project=local_cloud["GOOGLE_CLOUD_PROJECT"])
    ref = db.collection("listener_probe").document(random_id())
    seen: list[dict[str, object]] = []
    arrived = threading.Event()

    def on_snapshot(docs, changes, read_time) -> None:  # type: ignore[no-untyped-def]
        for doc in docs:
            if doc.exists:
                seen.append(doc.to_dict())
                arrived.set()

    watch = ref.on_snapshot(on_snapshot)
    try:
        ref.set({"text": "Dzień dobry", "n": 1})
        assert arrived.wait(10), "listener saw the write"
    finally:
        watch.unsubscribe()
    assert seen[-1] == {"text": "Dzień dobry", "n": 1}


def test_a_storage_upload_downloads_byte_for_byte(local_cloud: dict[str, str]) -> None:
    from google.cloud import storage

    client = storage.Client(project=local_cloud["GOOGLE_CLOUD_PROJECT"])
    bucket = client.bucket(os.environ.get("BACKUP_BUCKET", "demo-chatdesk-backups"))
    blob = bucket.blob(f"probe/{random_id()}.ndjson.gz")
    payload = os.urandom(4096)
    blob.upload_from_string(payload, content_type="application/gzip")
    assert bucket.blob(blob.name).download_as_bytes() == payload


def test_an_auth_emulator_sign_in_gives_an_id_token_firebase_admin_verifies(local_cloud: dict[str, str]) -> None:
    import firebase_admin
    from firebase_admin import auth

    app = firebase_admin.initialize_app(options={"projectId": local_cloud["GOOGLE_CLOUD_PROJECT"]}, name=random_id("app"))
    try:
        email = f"{random_id('agent')}@example.com"
        user = auth.create_user(email=email, password="correct horse 42", app=app)
        auth.set_custom_user_claims(user.uid, {"tenant": "novahouse", "role": "agent"}, app=app)
        token = sign_in_with_password(local_cloud["FIREBASE_AUTH_EMULATOR_HOST"], email, "correct horse 42")
        claims = auth.verify_id_token(token, app=app)
        assert claims["uid"] == user.uid
        assert (claims["tenant"], claims["role"]) == ("novahouse", "agent")
    finally:
        firebase_admin.delete_app(app)


def test_a_pubsub_publish_reaches_the_events_function_as_a_cloud_event(local_cloud: dict[str, str], gateway: str) -> None:
    from google.cloud import firestore, pubsub_v1

    project = local_cloud["GOOGLE_CLOUD_PROJECT"]
    publisher = pubsub_v1.PublisherClient()
    event = {"type": "probe.sent", "tenant": random_id("tenant"), "data": {"n": 1}}
    message_id = publisher.publish(publisher.topic_path(project, "chat-events"), json.dumps(event).encode()).result(timeout=10)

    db = firestore.Client(project=project)
    doc = wait_for(lambda: (d := db.collection("processed_events").document(message_id).get()).exists and d, timeout=15)
    assert doc.to_dict()["tenant"] == event["tenant"]
    assert doc.to_dict()["type"] == "probe.sent"


def test_the_gateway_serves_the_health_function_over_http(gateway: str) -> None:
    response = requests.get(f"{gateway}/api/health", timeout=10)
    assert response.status_code == 200
    assert response.json()["status"] == "healthy"
