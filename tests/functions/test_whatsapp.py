"""WhatsApp through the gateway: Twilio's signed webhook → whatsapp function → chat-events →
events function (the web's own turn) → the reply at the local Twilio."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from shared.domain.conversation import conversation_id_for
from shared.domain.integrations import TwilioAccount
from tools.whatsapp import send, sent_to, signed_post, twilio_params

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TENANT = "hotel"


def _phone() -> str:
    return "+4869" + "".join(secrets.choice("0123456789") for _ in range(7))


@pytest.fixture(scope="module")
def account(gateway: str, demo_tenants: None) -> Iterator[TwilioAccount]:
    from shared.bootstrap import container

    sid, token = "AC" + secrets.token_hex(16), secrets.token_urlsafe(24)
    container().integrations.set_twilio(TENANT, account_sid=sid, auth_token=token, whatsapp_from="whatsapp:+48500100100")
    account = container().integrations.twilio(TENANT)
    assert account is not None
    yield account


def _messages(phone: str) -> list[Any]:
    from shared.bootstrap import container

    conv_id = conversation_id_for(TENANT, f"whatsapp:{phone}")
    return container().conversations.messages_after(TENANT, conv_id, None, 50)


def _wait(check: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


def test_a_signed_message_is_answered_by_the_bot_through_twilio(gateway: str, account: TwilioAccount) -> None:
    phone = _phone()
    reply = send(gateway, TENANT, phone, "Do you have parking?", [], timeout=30)
    assert reply is not None and "park" in reply.lower()
    guest = [m for m in _messages(phone) if m.role == "guest"]
    assert [m.text for m in guest] == ["Do you have parking?"]
    from shared.bootstrap import container

    conversation = container().conversations.get(TENANT, conversation_id_for(TENANT, f"whatsapp:{phone}"))
    assert conversation is not None and conversation.channel == "whatsapp" and conversation.contact == f"whatsapp:{phone}"
    assert phone not in conversation.id


def test_the_webhook_answers_with_empty_twiml_at_once(gateway: str, account: TwilioAccount) -> None:
    params = twilio_params(account, _phone(), "Hello", [])
    response = signed_post(f"{gateway}/api/whatsapp/{TENANT}", account.auth_token.get_secret_value(), params)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/xml") and "<Response></Response>" in response.text


@pytest.mark.parametrize("signature", [None, "bm90LWEtc2lnbmF0dXJl"])
def test_a_missing_or_invalid_signature_is_refused_and_nothing_is_stored(
    gateway: str, account: TwilioAccount, signature: str | None
) -> None:
    phone = _phone()
    params = twilio_params(account, phone, "Do you have parking?", [])
    headers = {"X-Twilio-Signature": signature} if signature else {}
    response = requests.post(f"{gateway}/api/whatsapp/{TENANT}", data=params, headers=headers, timeout=30)
    assert response.status_code == 403 and response.json()["error"] == "Forbidden"
    time.sleep(2)
    assert _messages(phone) == [] and sent_to(os.environ["TWILIO_BASE_URL"], f"whatsapp:{phone}") == []


def test_a_signature_made_with_another_tenants_token_is_refused(gateway: str, account: TwilioAccount) -> None:
    params = twilio_params(account, _phone(), "Hi", [])
    response = signed_post(f"{gateway}/api/whatsapp/{TENANT}", "someone-elses-token", params)
    assert response.status_code == 403


def test_the_public_url_behind_hosting_is_what_twilio_signed(gateway: str, account: TwilioAccount) -> None:
    params = twilio_params(account, _phone(), "Hi", [])
    public = f"https://chat.hotel.example/api/whatsapp/{TENANT}"
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(account.auth_token.get_secret_value()).compute_signature(public, params)
    headers = {"X-Twilio-Signature": signature, "X-Forwarded-Host": "chat.hotel.example", "X-Forwarded-Proto": "https"}
    response = requests.post(f"{gateway}/api/whatsapp/{TENANT}", data=params, headers=headers, timeout=30)
    assert response.status_code == 200
    unforwarded = requests.post(
        f"{gateway}/api/whatsapp/{TENANT}", data=params, headers={"X-Twilio-Signature": signature}, timeout=30
    )
    assert unforwarded.status_code == 403


def test_a_replayed_message_sid_is_stored_and_answered_once(gateway: str, account: TwilioAccount) -> None:
    phone = _phone()
    params = twilio_params(account, phone, "Do you have parking?", [])
    url, token = f"{gateway}/api/whatsapp/{TENANT}", account.auth_token.get_secret_value()
    for _ in range(3):  # Twilio retries a webhook it thinks failed
        assert signed_post(url, token, params).status_code == 200
    _wait(lambda: sent_to(os.environ["TWILIO_BASE_URL"], f"whatsapp:{phone}"))
    time.sleep(3)
    assert len([m for m in _messages(phone) if m.role == "guest"]) == 1
    assert len(sent_to(os.environ["TWILIO_BASE_URL"], f"whatsapp:{phone}")) == 1


def test_a_photo_is_copied_to_storage_and_attached_to_the_message(gateway: str, account: TwilioAccount, tmp_path: Path) -> None:
    from google.cloud import storage

    phone = _phone()
    photo = tmp_path / "flat.png"
    photo.write_bytes(PNG)
    assert send(gateway, TENANT, phone, "Here is my room", [photo], timeout=30) is not None
    [guest] = [m for m in _messages(phone) if m.role == "guest"]
    [attachment] = guest.attachments
    assert attachment.content_type == "image/png" and attachment.size == len(PNG)
    blob = storage.Client().bucket("demo-chatdesk-media").blob(attachment.path)
    assert blob.download_as_bytes() == PNG


def test_a_file_that_is_not_a_photo_or_pdf_is_refused_politely(gateway: str, account: TwilioAccount, tmp_path: Path) -> None:
    phone = _phone()
    fake = tmp_path / "invoice.pdf"
    fake.write_bytes(b"MZ\x90\x00 this is an executable")  # named .pdf, but the bytes say otherwise
    send(gateway, TENANT, phone, "See attached", [fake], timeout=30)
    replies = _wait(
        lambda: (
            len(sent_to(os.environ["TWILIO_BASE_URL"], f"whatsapp:{phone}")) >= 2
            and sent_to(os.environ["TWILIO_BASE_URL"], f"whatsapp:{phone}")
        )
    )
    assert any("only accept photos" in r["body"] for r in replies)
    [guest] = [m for m in _messages(phone) if m.role == "guest"]
    assert not guest.attachments


def test_a_delivery_status_callback_updates_the_sent_message(gateway: str, account: TwilioAccount) -> None:
    from google.cloud import firestore

    phone = _phone()
    assert send(gateway, TENANT, phone, "Do you have parking?", [], timeout=30) is not None
    [sent] = sent_to(os.environ["TWILIO_BASE_URL"], f"whatsapp:{phone}")
    url = f"{gateway}/api/whatsapp/{TENANT}/status"
    params = {
        "MessageSid": sent["sid"],
        "MessageStatus": "delivered",
        "AccountSid": account.account_sid,
        "To": f"whatsapp:{phone}",
    }
    assert signed_post(url, account.auth_token.get_secret_value(), params).status_code == 200
    record = firestore.Client().document(f"tenants/{TENANT}/whatsapp_outbound/{sent['sid']}").get().to_dict()
    assert record["status"] == "delivered"
    [bot] = [m for m in _messages(phone) if m.role == "bot"]
    assert bot.delivery_status == "delivered"


def test_status_callbacks_out_of_order_and_retried_leave_the_bots_message_read(gateway: str, account: TwilioAccount) -> None:
    phone = _phone()
    assert send(gateway, TENANT, phone, "Do you have parking?", [], timeout=30) is not None
    [sent] = sent_to(os.environ["TWILIO_BASE_URL"], f"whatsapp:{phone}")
    url, token = f"{gateway}/api/whatsapp/{TENANT}/status", account.auth_token.get_secret_value()
    for status in ("read", "read", "delivered", "sent"):  # Twilio retries, and its callbacks race
        params = {"MessageSid": sent["sid"], "MessageStatus": status, "AccountSid": account.account_sid}
        assert signed_post(url, token, params).status_code == 200
    [bot] = [m for m in _messages(phone) if m.role == "bot"]
    assert bot.delivery_status == "read"


def test_an_unsigned_status_callback_is_refused_and_changes_nothing(gateway: str, account: TwilioAccount) -> None:
    phone = _phone()
    assert send(gateway, TENANT, phone, "Do you have parking?", [], timeout=30) is not None
    [sent] = sent_to(os.environ["TWILIO_BASE_URL"], f"whatsapp:{phone}")
    params = {"MessageSid": sent["sid"], "MessageStatus": "failed", "AccountSid": account.account_sid}
    assert signed_post(f"{gateway}/api/whatsapp/{TENANT}/status", "not-the-token", params).status_code == 403
    [bot] = [m for m in _messages(phone) if m.role == "bot"]
    assert bot.delivery_status == "queued"  # as Twilio took it, before any callback


def test_a_guest_asks_for_a_person_and_the_agents_reply_reaches_twilio_with_the_guests_number(
    gateway: str, account: TwilioAccount, local_cloud: dict[str, str]
) -> None:
    from tests.functions.test_agent import sign_in

    phone, twilio = _phone(), os.environ["TWILIO_BASE_URL"]
    send(gateway, TENANT, phone, "I want to talk to a human", [], timeout=30)
    conv_id = conversation_id_for(TENANT, f"whatsapp:{phone}")
    agent = {"Authorization": sign_in(local_cloud, tenant=TENANT, name="Emma")["authorization"]}
    queue = requests.get(f"{gateway}/api/agent/conversations", params={"mode": "pending"}, headers=agent, timeout=30).json()
    listed = next(c for c in queue["conversations"] if c["id"] == conv_id)
    assert listed["channel"] == "whatsapp" and listed["reply_window_ends"] is not None
    assert requests.post(f"{gateway}/api/agent/conversations/{conv_id}/takeover", headers=agent, timeout=30).status_code == 200
    before = len(sent_to(twilio, f"whatsapp:{phone}"))
    reply = requests.post(
        f"{gateway}/api/agent/conversations/{conv_id}/reply", json={"text": "Hi, Emma here."}, headers=agent, timeout=30
    )
    assert reply.status_code == 200
    sent = _wait(lambda: sent_to(twilio, f"whatsapp:{phone}")[before:])
    assert [(m["body"], m["to"], m["from"]) for m in sent] == [("Hi, Emma here.", f"whatsapp:{phone}", "whatsapp:+48500100100")]


def test_outside_the_24_hour_window_the_agent_is_told_instead_of_failing_silently(
    gateway: str, account: TwilioAccount, local_cloud: dict[str, str]
) -> None:
    from datetime import UTC, datetime, timedelta

    from google.cloud import firestore

    from tests.functions.test_agent import sign_in

    phone = _phone()
    send(gateway, TENANT, phone, "I want to talk to a human", [], timeout=30)
    conv_id = conversation_id_for(TENANT, f"whatsapp:{phone}")
    agent = {"Authorization": sign_in(local_cloud, tenant=TENANT, name="Emma")["authorization"]}
    assert requests.post(f"{gateway}/api/agent/conversations/{conv_id}/takeover", headers=agent, timeout=30).status_code == 200
    yesterday = datetime.now(UTC) - timedelta(hours=25)
    firestore.Client().document(f"tenants/{TENANT}/conversations/{conv_id}").update({"last_guest_at": yesterday})
    before = len(sent_to(os.environ["TWILIO_BASE_URL"], f"whatsapp:{phone}"))
    reply = requests.post(
        f"{gateway}/api/agent/conversations/{conv_id}/reply", json={"text": "Hello?"}, headers=agent, timeout=30
    )
    assert reply.status_code == 409 and "24 hours" in reply.json()["message"]
    time.sleep(1)
    assert len(sent_to(os.environ["TWILIO_BASE_URL"], f"whatsapp:{phone}")) == before


def test_agents_of_the_tenant_see_the_photo_and_no_one_else_does(
    gateway: str, account: TwilioAccount, local_cloud: dict[str, str], tmp_path: Path
) -> None:
    from tests.functions.test_agent import sign_in

    phone = _phone()
    photo = tmp_path / "room.png"
    photo.write_bytes(PNG)
    send(gateway, TENANT, phone, "Here is my room", [photo], timeout=30)
    conv_id = conversation_id_for(TENANT, f"whatsapp:{phone}")
    agent = {"Authorization": sign_in(local_cloud, tenant=TENANT, name="Emma")["authorization"]}
    detail = requests.get(f"{gateway}/api/agent/conversations/{conv_id}/messages", headers=agent, timeout=30).json()
    [attachment] = next(m["attachments"] for m in detail["messages"] if m.get("attachments"))
    assert attachment["content_type"] == "image/png" and "path" not in attachment
    url = f"{gateway}/api/agent/conversations/{conv_id}/media/{attachment['name']}"
    got = requests.get(url, headers=agent, timeout=30)
    assert got.status_code == 200 and got.content == PNG and got.headers["Content-Type"] == "image/png"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    other = {"Authorization": sign_in(local_cloud, tenant="novahouse")["authorization"]}
    assert requests.get(url, headers=other, timeout=30).status_code == 403
    assert requests.get(url, timeout=30).status_code == 401
    traversal = f"{gateway}/api/agent/conversations/{conv_id}/media/..%2F..%2Fsecret.png"
    assert requests.get(traversal, headers=agent, timeout=30).status_code in (400, 404)
