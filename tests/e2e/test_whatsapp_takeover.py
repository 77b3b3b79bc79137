"""A WhatsApp guest asks for a person and an agent answers from the dashboard, in headless Chromium.

The guest's messages are signed and posted exactly as Twilio would (tools.whatsapp); the agent's
reply must reach the local Twilio addressed to the guest's number, and Twilio's delivery callback
must show on the reply in the dashboard without a reload. Past WhatsApp's 24-hour window the
dashboard says a free-form reply cannot be sent. The hotel's admin also sees the tenant's failed
deliveries. Desktop and phone screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from shared.bootstrap import container
from shared.domain.conversation import conversation_id_for
from shared.domain.events import ChatEvent
from shared.domain.integrations import TwilioAccount
from tests.conftest import random_id
from tests.e2e.browser import (
    PHONE,
    new_context,
    shot,
    watch_errors,
)
from tools.whatsapp import send, sent_to, signed_post

TENANT = "hotel"
HOTEL_NUMBER = "whatsapp:+48500100100"
PASSWORD = "e2e-password-123"


@pytest.fixture(scope="module")
def hotel(site: dict[str, str]) -> Iterator[dict[str, Any]]:
    """The hotel with a Twilio account and an admin who signs in to the dashboard."""
    from firebase_admin import auth

    sid, token = "AC" + secrets.token_hex(16), secrets.token_urlsafe(24)
    container().integrations.set_twilio(TENANT, account_sid=sid, auth_token=token, whatsapp_from=HOTEL_NUMBER)
    account = container().integrations.twilio(TENANT)
    assert account is not None
    email = f"{random_id('admin')}@hotel.test"
    user = auth.create_user(email=email, password=PASSWORD, display_name="Emma Wilson", app=container().clients.firebase_app)
    auth.set_custom_user_claims(user.uid, {"tenant": TENANT, "role": "admin"}, app=container().clients.firebase_app)
    yield {"url": site["url"], "email": email, "account": account}


def _guest_number() -> str:
    return "+4869" + "".join(secrets.choice("0123456789") for _ in range(7))


def _wait(check: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


def _sign_in(page: Page, hotel: dict[str, Any]) -> None:
    page.goto(f"{hotel['url']}/dashboard?lang=en")
    page.get_by_label("E-mail").fill(hotel["email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".topbar .identity")).to_contain_text("Emma Wilson")


def _status_callback(hotel: dict[str, Any], sid: str, status: str) -> None:
    account: TwilioAccount = hotel["account"]
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": account.account_sid}
    response = signed_post(f"{hotel['url']}/api/whatsapp/{TENANT}/status", account.auth_token.get_secret_value(), params)
    assert response.status_code == 200


def _dead_letter(conversation_id: str) -> None:
    """A lead that never reached the CRM, as the deadletters function records it."""
    event = ChatEvent(type="lead.captured", tenant=TENANT, data={"conversation_id": conversation_id, "phone": "+48600999888"})
    event_id = random_id("event")
    container().dead_letters.note_failure(event_id, event, "outside_service")
    container().dead_letters.record(event_id, event, 5)


def test_a_whatsapp_guest_is_taken_over_in_the_dashboard_and_sees_the_reply_delivered(
    browser: Browser,
    hotel: dict[str, Any],
) -> None:
    twilio = os.environ["TWILIO_BASE_URL"]
    number = _guest_number()
    guest = f"whatsapp:{number}"
    assert send(hotel["url"], TENANT, number, "I want to talk to a human", [], timeout=30) is not None
    conversation_id = conversation_id_for(TENANT, guest)
    _dead_letter(conversation_id)

    context = new_context(browser, locale="en-GB")
    page = context.new_page()
    errors = watch_errors(page)
    _sign_in(page, hotel)

    # The waiting WhatsApp conversation is in the queue.
    queued = page.locator(f'.queue-list button[data-id="{conversation_id}"]')
    expect(queued).to_be_visible()
    expect(queued).to_contain_text("WhatsApp")
    queued.click()
    expect(page.locator(".messages")).to_contain_text("I want to talk to a human")

    # Take over and reply; the reply goes to the local Twilio, addressed to the guest's number.
    before = len(sent_to(twilio, guest))
    page.get_by_role("button", name="Take over").click()
    expect(page.locator(".detail-meta .badge")).to_have_text("Agent")
    reply = "Good evening, Emma from reception here. How can I help?"
    page.get_by_label("Reply to the guest").fill(reply)
    page.get_by_label("Reply to the guest").press("Enter")
    [sent] = _wait(lambda: sent_to(twilio, guest)[before:])
    assert (sent["to"], sent["from"], sent["body"]) == (guest, HOTEL_NUMBER, reply)

    # Twilio reports the message sent, then delivered (and a late "sent" changes nothing): the dashboard shows it.
    agent_reply = page.locator(".messages .msg-agent", has_text=reply)
    _status_callback(hotel, sent["sid"], "sent")
    expect(agent_reply.locator(".msg-delivery")).to_have_attribute("data-delivery", "sent")
    _status_callback(hotel, sent["sid"], "delivered")
    _status_callback(hotel, sent["sid"], "sent")
    mark = agent_reply.locator('.msg-delivery[data-delivery="delivered"]')
    expect(mark).to_be_visible()
    expect(mark.locator(".sr-only")).to_have_text("Delivered")
    shot(page, "whatsapp-01-dashboard-reply-delivered")

    # The admin sees the tenant's failed deliveries: what and why, never the guest's details.
    panel = page.locator(".dead-letter-panel")
    expect(panel.locator("summary .count")).to_be_visible()
    panel.locator("summary").click()
    letter = panel.locator(".dead-letter", has_text="Lead to the CRM").first
    expect(letter).to_contain_text("5 attempts")
    expect(letter).to_contain_text("the outside service refused or did not answer")
    expect(panel).not_to_contain_text("+48600999888")
    shot(page, "whatsapp-02-dashboard-failed-deliveries")

    # On a phone, the same conversation with its delivered reply.
    phone = new_context(browser, viewport=PHONE, locale="en-GB", is_mobile=True).new_page()
    _sign_in(phone, hotel)
    phone.locator(f'.conv-list button[data-id="{conversation_id}"]').first.click()
    phone_reply = phone.locator(".messages .msg-agent", has_text=reply)
    expect(phone_reply.locator(".msg-delivery")).to_have_attribute("data-delivery", "delivered")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "whatsapp-03-phone-reply-delivered")

    # A day after the guest's last message, the dashboard says a free-form reply cannot be sent.
    yesterday = datetime.now(UTC) - timedelta(hours=25)
    conversation = container().clients.firestore.document(f"tenants/{TENANT}/conversations/{conversation_id}")
    conversation.update({"last_guest_at": yesterday})
    expect(page.locator(".detail")).to_contain_text("only within 24 hours")
    shot(page, "whatsapp-04-dashboard-24-hour-window")
    assert errors == []
