"""Issue 10, defect 7: a Firestore that stops answering gives a quick 503, never a hang, and recovers by itself.

Each test runs its own Firestore server (the shared one must keep answering for other tests) and
pauses it with SIGSTOP: the process keeps its data, as a real outage would.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from infra.local.cloud import ROOT, free_port, tcp_open, wait_until
from shared.adapters.firestore_store import Deadline, FirestoreConversationRepository, FirestoreTenantRepository
from shared.domain.conversation import Conversation
from shared.domain.errors import ServiceUnavailableError
from shared.domain.records import ConversationWrite
from tests.helpers import demo_pack

DEADLINE = 1.0


class PausableFirestore:
    def __init__(self) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["node", str(ROOT / "infra" / "local" / "firestore-server.mjs"), str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until(lambda: tcp_open("127.0.0.1", self.port), "firestore", 60, self.proc)

    def client(self) -> Any:
        from google.cloud import firestore

        # A client bound to this server only (FIRESTORE_EMULATOR_HOST names the shared one).
        saved = os.environ.get("FIRESTORE_EMULATOR_HOST")
        os.environ["FIRESTORE_EMULATOR_HOST"] = f"127.0.0.1:{self.port}"
        try:
            return firestore.Client(project="demo-outage")
        finally:
            if saved is not None:
                os.environ["FIRESTORE_EMULATOR_HOST"] = saved

    def pause(self) -> None:
        os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.proc.pid, signal.SIGCONT)

    def stop(self) -> None:
        self.resume()
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture()
def server(local_cloud: dict[str, str]) -> Iterator[PausableFirestore]:
    fs = PausableFirestore()
    try:
        yield fs
    finally:
        fs.stop()


def _conversation(tenant: str) -> Conversation:
    now = datetime.now(UTC)
    return Conversation(id=f"{tenant}.{uuid.uuid4().hex[:24]}", tenant=tenant, language="pl", created_at=now, updated_at=now)


def test_a_paused_firestore_is_a_quick_service_unavailable_and_then_recovers(server: PausableFirestore) -> None:
    repo = FirestoreConversationRepository(server.client(), deadline=Deadline(DEADLINE))
    conversation = _conversation("outage")
    repo.commit(ConversationWrite(conversation))
    server.pause()
    try:
        started = time.monotonic()
        with pytest.raises(ServiceUnavailableError) as caught:
            repo.get("outage", conversation.id)
        assert time.monotonic() - started < DEADLINE * 4
        assert caught.value.status == 503 and caught.value.retry_after >= 1
    finally:
        server.resume()
    stored = repo.get("outage", conversation.id)  # the same client, no restart
    assert stored is not None and stored.version == 1


def test_one_tenants_slow_read_does_not_hold_up_another_tenants_cached_read(server: PausableFirestore) -> None:
    tenants = FirestoreTenantRepository(server.client(), ttl_seconds=0.0, deadline=Deadline(3.0))
    tenants.import_pack(demo_pack("hotel"))
    tenants.import_pack(demo_pack("novahouse"))
    tenants.get("hotel")
    tenants.get("novahouse")
    cached = FirestoreTenantRepository(server.client(), ttl_seconds=60.0, deadline=Deadline(3.0))
    cached.get("novahouse")
    cached._ttl = 0.0  # the next hotel read goes to the (paused) server
    cached._cache["novahouse"].checked = time.monotonic() + 3600  # novahouse stays fresh
    server.pause()
    try:
        outcome: list[BaseException] = []

        def read_hotel() -> None:
            try:
                cached.get("hotel")
            except ServiceUnavailableError as exc:
                outcome.append(exc)

        slow = threading.Thread(target=read_hotel)
        slow.start()
        time.sleep(0.3)  # the hotel read is now waiting on the server
        started = time.monotonic()
        assert cached.get("novahouse").pack.tenant.id == "novahouse"
        assert time.monotonic() - started < 0.2
        slow.join(timeout=10)
        assert len(outcome) == 1  # the paused read ended as a 503 within its deadline
    finally:
        server.resume()


def test_while_one_request_rechecks_a_tenant_the_others_are_served_from_the_cache(server: PausableFirestore) -> None:
    tenants = FirestoreTenantRepository(server.client(), ttl_seconds=60.0, deadline=Deadline(3.0))
    tenants.import_pack(demo_pack("hotel"))
    tenants.get("hotel")
    tenants._ttl = 0.0  # every read re-checks the version from now on
    server.pause()
    try:
        first = threading.Thread(target=lambda: _ignore_outage(tenants, "hotel"))
        first.start()
        time.sleep(0.3)  # the first re-check is now waiting on the server
        started = time.monotonic()
        assert tenants.get("hotel").pack.tenant.id == "hotel"
        assert time.monotonic() - started < 0.2
        first.join(timeout=10)
    finally:
        server.resume()


def _ignore_outage(tenants: FirestoreTenantRepository, tenant: str) -> None:
    with contextlib.suppress(ServiceUnavailableError):  # expected while the server is paused
        tenants.get(tenant)
