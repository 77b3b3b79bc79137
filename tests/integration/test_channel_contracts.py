"""Contract tests: each in-memory fake of the channel/CRM ports behaves like its real adapter on the local servers."""

from __future__ import annotations

import os
from typing import Any

import pytest

from shared.adapters.delivery_records import (
    FirestoreDeadLetters,
    FirestoreLeadDeliveries,
    InMemoryDeadLetters,
    InMemoryLeadDeliveries,
)
from shared.adapters.secrets import (
    FirestoreIntegrationRefs,
    InMemoryIntegrationRefs,
    InMemorySecretStore,
    SecretManagerStore,
)
from shared.adapters.whatsapp_records import FirestoreWhatsAppRecords, InMemoryWhatsAppRecords
from shared.domain.events import ChatEvent
from shared.domain.integrations import IntegrationRef
from tests.conftest import random_id


def _db() -> Any:
    from google.cloud import firestore

    return firestore.Client()


@pytest.fixture(params=["real", "fake"])
def kind(request: pytest.FixtureRequest, local_cloud: dict[str, str]) -> str:
    return str(request.param)


def test_a_secret_store_returns_the_latest_version_and_none_for_an_unknown_secret(kind: str) -> None:
    store = (
        SecretManagerStore("demo-chatdesk", os.environ["SECRET_MANAGER_EMULATOR_HOST"])
        if kind == "real"
        else InMemorySecretStore()
    )
    secret = random_id("secret")
    assert store.latest(secret) is None
    store.put(secret, b"one")
    store.put(secret, b"two")
    assert store.latest(secret) == b"two"


def test_integration_refs_keep_each_kind_apart(kind: str) -> None:
    refs = FirestoreIntegrationRefs(_db()) if kind == "real" else InMemoryIntegrationRefs()
    tenant = random_id("tenant")
    assert refs.get(tenant) == {}
    refs.set(tenant, "twilio", IntegrationRef(secret="a", settings={"whatsapp_from": "whatsapp:+48500000000"}))
    refs.set(tenant, "monday", IntegrationRef(secret="b"))
    assert refs.get(tenant)["twilio"].secret == "a" and refs.get(tenant)["monday"].secret == "b"


def test_lead_deliveries_remember_the_item(kind: str) -> None:
    deliveries = FirestoreLeadDeliveries(_db()) if kind == "real" else InMemoryLeadDeliveries()
    tenant, lead = random_id("tenant"), random_id("lead")
    assert deliveries.item_for(tenant, lead) is None
    deliveries.record(tenant, lead, "42")
    assert deliveries.item_for(tenant, lead) == "42"


def test_a_lead_is_claimed_by_one_delivery_until_released_or_stale(kind: str) -> None:
    deliveries = FirestoreLeadDeliveries(_db()) if kind == "real" else InMemoryLeadDeliveries()
    tenant, lead = random_id("tenant"), random_id("lead")
    assert deliveries.claim(tenant, lead, 60)
    assert not deliveries.claim(tenant, lead, 60)  # a racing delivery must wait
    deliveries.release(tenant, lead)
    assert deliveries.claim(tenant, lead, 60)  # given back after a failure
    assert deliveries.claim(tenant, lead, 0)  # a claim older than the stale limit is taken over


def test_dead_letters_count_an_event_once_and_list_it_for_its_tenant(kind: str) -> None:
    letters = FirestoreDeadLetters(_db()) if kind == "real" else InMemoryDeadLetters()
    tenant, event_id = random_id("tenant"), random_id("event")
    before = letters.count()
    event = ChatEvent(type="lead.captured", tenant=tenant)
    letters.record(event_id, event, 5)
    letters.record(event_id, event, 5)
    assert letters.count() == before + 1
    [listed] = letters.recent(tenant, 10)
    assert (listed.id, listed.type, listed.attempts, listed.reason) == (event_id, "lead.captured", 5, None)
    assert letters.recent(random_id("tenant"), 10) == []


def test_a_dead_letter_names_why_the_last_attempt_failed_and_keeps_no_event_data(kind: str) -> None:
    letters = FirestoreDeadLetters(_db()) if kind == "real" else InMemoryDeadLetters()
    tenant, event_id = random_id("tenant"), random_id("event")
    conversation = f"{tenant}.{'a' * 24}"
    event = ChatEvent(type="lead.captured", tenant=tenant, data={"conversation_id": conversation, "phone": "+48600100200"})
    letters.note_failure(event_id, event, "timeout")
    letters.note_failure(event_id, event, "outside_service")
    letters.record(event_id, event, 5)
    [listed] = letters.recent(tenant, 10)
    assert (listed.reason, listed.conversation_id) == ("outside_service", conversation)
    assert "+48600100200" not in listed.model_dump_json()


def test_whatsapp_records_accept_a_sid_once_and_track_status(kind: str) -> None:
    records = FirestoreWhatsAppRecords(_db()) if kind == "real" else InMemoryWhatsAppRecords()
    tenant, sid = random_id("tenant"), "SM" + "a" * 32
    assert records.accept(tenant, sid) and not records.accept(tenant, sid)
    records.release(tenant, sid)
    assert records.accept(tenant, sid)
    assert not records.replied(tenant, sid)
    records.record_reply(tenant, sid, "SM" + "b" * 32, "conv")
    assert records.replied(tenant, sid)
    assert records.update_status(tenant, "SM" + "b" * 32, "delivered")
    assert not records.update_status(tenant, "SM" + "c" * 32, "delivered")


def test_bookkeeping_records_carry_an_expiry_that_firestore_ttl_acts_on(local_cloud: dict[str, str]) -> None:
    from datetime import UTC, datetime, timedelta

    from infra.local.cloud import load_resources
    from shared.adapters.event_ledger import LEDGER_COLLECTION, FirestoreEventLedger

    db, tenant, event_id = _db(), random_id("tenant"), random_id("event")
    event = ChatEvent(type="lead.captured", tenant=tenant, data={})
    FirestoreEventLedger(db).mark_done(event_id, event)
    FirestoreDeadLetters(db).note_failure(event_id, event, "timeout")
    handled = db.collection(LEDGER_COLLECTION).document(event_id).get().to_dict()
    failure = db.collection("tenants").document(tenant).collection("event_failures").document(event_id).get().to_dict()
    soon, later = datetime.now(UTC) + timedelta(days=8), datetime.now(UTC) + timedelta(days=60)
    # Longer than Pub/Sub keeps a message (7 days), so a redelivery still finds its ledger entry.
    assert soon < handled["expire_at"] < later and soon < failure["expire_at"] < later
    assert {LEDGER_COLLECTION, "event_failures"} <= set(load_resources()["ttl"]["collection_groups"])
