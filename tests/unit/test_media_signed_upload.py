"""Signed upload URLs for the media bucket: V4, PUT, the content type, a size range and create-only are signed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.adapters.whatsapp_records import GcsMediaStore
from tests.unit.test_backup_signed_url import Client


def test_keyless_credentials_sign_a_create_only_put_with_its_type_and_size_range_through_iam() -> None:
    client = Client()
    expires = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    target = GcsMediaStore(client, "media").upload_target("tenants/t/conversations/c/media/w-1.png", "image/png", 5000, expires)  # type: ignore[arg-type]
    assert target is not None and "X-Goog-Signature" in target.url and target.method == "PUT"
    [blob] = client.the_bucket.blobs
    signed: dict[str, Any] = blob.kwargs
    assert signed["version"] == "v4" and signed["method"] == "PUT" and signed["expiration"] == expires
    assert signed["content_type"] == "image/png" and signed["access_token"] == "ya29.token"
    assert signed["headers"] == {"x-goog-content-length-range": "0,5000", "x-goog-if-generation-match": "0"}
    assert target.headers == {"Content-Type": "image/png", **signed["headers"]}


def test_without_signing_permission_there_is_no_upload_url() -> None:
    store = GcsMediaStore(Client(fail=True), "media")  # type: ignore[arg-type]
    assert store.upload_target("tenants/t/conversations/c/media/w-1.png", "image/png", 10, datetime.now(UTC)) is None
