"""Per-tenant integration secrets through the real Secret Manager client against the local stand-in,
and the Twilio and Monday stand-ins through the real clients."""

from __future__ import annotations

import os

import pytest
import requests

from shared.adapters.monday_board import MondayGraphQLBoard
from shared.adapters.secrets import FirestoreIntegrationRefs, SecretManagerStore
from shared.adapters.twilio_gateway import TwilioWhatsAppGateway
from shared.domain.errors import BadRequestError
from shared.domain.integrations import MondayBoard, TwilioAccount
from shared.services.channel_ports import DeliveryFailed
from shared.services.integrations import Integrations
from tests.conftest import random_id


@pytest.fixture
def integrations(local_cloud: dict[str, str]) -> Integrations:
    from google.cloud import firestore

    store = SecretManagerStore(local_cloud["GOOGLE_CLOUD_PROJECT"], os.environ["SECRET_MANAGER_EMULATOR_HOST"])
    return Integrations(store, FirestoreIntegrationRefs(firestore.Client()), ttl_seconds=60)


def _sid() -> str:
    return "AC" + random_id("x").replace("-", "").ljust(32, "0")[:32]


def test_twilio_credentials_round_trip_through_secret_manager_and_stay_out_of_firestore(integrations: Integrations) -> None:
    from google.cloud import firestore

    tenant = random_id("tenant")
    integrations.set_twilio(tenant, account_sid=_sid(), auth_token="tok-secret-1", whatsapp_from="whatsapp:+48500000001")
    account = integrations.twilio(tenant)
    assert account is not None and account.auth_token.get_secret_value() == "tok-secret-1"
    stored = firestore.Client().document(f"tenants/{tenant}/settings/integrations").get().to_dict()
    assert "tok-secret-1" not in repr(stored)
    assert stored["twilio"]["secret"] == f"chatdesk-{tenant}-twilio"


def test_a_rotated_secret_is_read_at_once_by_the_instance_that_stored_it(integrations: Integrations) -> None:
    tenant = random_id("tenant")
    integrations.set_monday(tenant, api_token="old", board_id="123")
    assert integrations.monday(tenant).api_token.get_secret_value() == "old"  # type: ignore[union-attr]
    integrations.set_monday(tenant, api_token="new", board_id="123")
    assert integrations.monday(tenant).api_token.get_secret_value() == "new"  # type: ignore[union-attr]


def test_a_tenant_without_integrations_has_none(integrations: Integrations) -> None:
    assert integrations.twilio(random_id("tenant")) is None


def test_bad_settings_are_refused_without_echoing_the_secret(integrations: Integrations) -> None:
    with pytest.raises(BadRequestError) as caught:
        integrations.set_twilio("t", account_sid="nope", auth_token="very-secret", whatsapp_from="+48")
    assert "very-secret" not in str(caught.value)


def test_the_twilio_client_sends_to_the_local_stand_in(local_cloud: dict[str, str]) -> None:
    base = os.environ["TWILIO_BASE_URL"]
    to = f"whatsapp:+4860{random_id('').replace('-', '')[:7].translate(str.maketrans('abcdef', '123456'))}"
    account = TwilioAccount(account_sid=_sid(), auth_token="t", whatsapp_from="whatsapp:+48500000002")  # type: ignore[arg-type]
    sid = TwilioWhatsAppGateway(base).send(account, to, "Hello from the test")
    sent = requests.get(f"{base}/_messages", params={"to": to}, timeout=5).json()["messages"]
    assert [(m["sid"], m["body"], m["from"]) for m in sent] == [(sid, "Hello from the test", "whatsapp:+48500000002")]


def test_the_local_twilio_in_error_mode_makes_a_send_fail(local_cloud: dict[str, str]) -> None:
    base = os.environ["TWILIO_BASE_URL"]
    account = TwilioAccount(account_sid=_sid(), auth_token="t", whatsapp_from="whatsapp:+48500000002")  # type: ignore[arg-type]
    requests.post(f"{base}/_control", json={"mode": "error"}, timeout=5)
    try:
        with pytest.raises(DeliveryFailed):
            TwilioWhatsAppGateway(base).send(account, "whatsapp:+48600000009", "x")
    finally:
        requests.post(f"{base}/_control", json={"mode": "normal"}, timeout=5)


def test_monday_items_are_created_and_found_by_lead_id(local_cloud: dict[str, str]) -> None:
    board = MondayBoard(api_token="tok", board_id="987")  # type: ignore[arg-type]
    crm = MondayGraphQLBoard(os.environ["MONDAY_BASE_URL"])
    lead_id = random_id("lead")
    assert crm.find_item(board, lead_id) is None
    item = crm.create_item(board, "Jan Kowalski", {"text": lead_id, "phone": {"phone": "+48600100200"}})
    assert crm.find_item(board, lead_id) == item
