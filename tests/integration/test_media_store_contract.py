"""Contract tests: the in-memory media store behaves like the Cloud Storage one on the local storage server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.adapters.whatsapp_records import GcsMediaStore, InMemoryMediaStore
from shared.services.media import MediaStore
from tests.conftest import random_id

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture(params=["real", "fake"])
def store(request: pytest.FixtureRequest, local_cloud: dict[str, str]) -> MediaStore:
    if request.param == "fake":
        return InMemoryMediaStore()
    from google.cloud import storage

    return GcsMediaStore(storage.Client(), "demo-chatdesk-media")


def test_a_stored_file_is_read_back_and_its_head_and_size_are_known_without_the_rest(store: MediaStore) -> None:
    path = f"tenants/t/conversations/{random_id('c')}/media/w-1.png"
    assert store.get(path) is None and store.stat(path) is None
    store.put(path, PNG, "image/png")
    assert store.get(path) == (PNG, "image/png")
    found = store.stat(path, 16)
    assert found is not None and found.head == PNG[:16] and found.size == len(PNG) and found.content_type == "image/png"


def test_a_deleted_file_is_gone_and_deleting_it_again_is_fine(store: MediaStore) -> None:
    path = f"tenants/t/conversations/{random_id('c')}/media/w-2.pdf"
    store.put(path, b"%PDF-1.7", "application/pdf")
    store.delete(path)
    store.delete(path)
    assert store.get(path) is None and store.stat(path) is None


def test_a_tiny_file_has_a_head_shorter_than_asked(store: MediaStore) -> None:
    path = f"tenants/t/conversations/{random_id('c')}/media/w-3.png"
    store.put(path, b"\x89P", "image/png")
    found = store.stat(path, 16)
    assert found is not None and found.head == b"\x89P" and found.size == 2


def test_the_local_storage_server_cannot_sign_so_there_is_no_upload_url(store: MediaStore) -> None:
    expires = datetime.now(UTC) + timedelta(minutes=5)
    assert store.upload_target("tenants/t/conversations/c/media/w-4.png", "image/png", 10, expires) is None
