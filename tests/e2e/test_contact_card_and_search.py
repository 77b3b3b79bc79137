"""Issue 9's contact card and search in headless Chromium against the local stack: a guest on the demo
page leaves a name, phone and e-mail; an agent finds the conversation by searching words from it (folded,
on the server) and sees the lead and the page the guest wrote from on the contact card. Desktop (English)
and phone (Polish); screenshots in artifacts/screenshots/.
"""

from __future__ import annotations

import random
import string

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import (
    DESKTOP,
    PHONE,
    guest_session,
    new_context,
    send_as_guest,
    shot,
    watch_errors,
    widget,
)

LABELS = {
    "en": {"password": "Password", "sign_in": "Sign in", "name": "Name", "found": "1 conversation found"},
    "pl": {"password": "Hasło", "sign_in": "Zaloguj się", "name": "Imię", "found": "Znaleziono: 1 rozmowa"},
}


def sign_in_as(page: Page, site: dict[str, str], lang: str) -> None:
    page.goto(f"{site['url']}/dashboard?lang={lang}")
    page.get_by_label("E-mail").fill(site["email"])
    page.get_by_label(LABELS[lang]["password"]).fill(site["password"])
    page.get_by_role("button", name=LABELS[lang]["sign_in"]).click()
    expect(page.locator(".topbar .identity")).to_contain_text("Anna Nowak")


@pytest.mark.parametrize(("lang", "viewport"), [("en", DESKTOP), ("pl", PHONE)], ids=["en-desktop", "pl-phone"])
def test_the_agent_finds_the_guest_by_a_word_and_sees_name_phone_email_and_page_on_the_contact_card(
    browser: Browser,
    site: dict[str, str],
    lang: str,
    viewport: dict[str, int],
) -> None:
    surname = "Kowal" + "".join(random.choices(string.ascii_lowercase, k=8))
    email = f"jan.{surname.lower()}@example.com"
    phone = "+48 6" + "".join(random.choices(string.digits, k=2)) + " 700 " + "".join(random.choices(string.digits, k=3))

    guest_context = new_context(browser, locale="pl-PL")
    guest = guest_context.new_page()
    guest_errors = watch_errors(guest)
    # The query and fragment can carry tokens: only origin and path reach the agent.
    guest.goto(f"{site['url']}/?utm_source=e2e&token=secret#oferta")
    widget(guest, ".cd-launcher").click()
    expect(widget(guest, ".cd-msg--bot").first).to_contain_text("Dzień dobry")
    send_as_guest(guest, "Ile kosztuje remont łazienki 6 m2?")
    expect(widget(guest, ".cd-msg--bot")).to_have_count(2)
    send_as_guest(guest, f"Nazywam się Jan {surname}, e-mail {email}, telefon {phone}")
    expect(widget(guest, ".cd-msg--bot")).to_have_count(3)
    conversation_id = guest_session(guest)["conversation_id"]

    agent_context = new_context(browser, viewport=viewport, locale="en-US", is_mobile=viewport is PHONE)
    agent = agent_context.new_page()
    agent_errors = watch_errors(agent)
    sign_in_as(agent, site, lang)
    # Search on the server: without diacritics, two words that must both match.
    agent.locator("#conv-search").fill(f"lazienki {surname.lower()}")
    results = agent.locator(".all .conv-list button")
    expect(results).to_have_count(1)
    expect(results.first).to_have_attribute("data-id", conversation_id)
    expect(agent.locator("#conv-search-note")).to_contain_text(LABELS[lang]["found"])
    shot(agent, f"30-{lang}-dashboard-search")

    results.first.click()
    # The thread shows the guest's own words beside the card (the card never stands in for it).
    expect(agent.locator(".messages .msg-guest .msg-text", has_text=surname)).to_be_visible()
    card = agent.locator(".contact-card")
    labels = LABELS[lang]
    expect(card.locator("dt", has_text=labels["name"])).to_be_visible()
    expect(card.locator('[data-field="name"]')).to_have_text(f"Jan {surname}")
    expect(card.locator('[data-field="email"] a')).to_have_attribute("href", f"mailto:{email}")
    digits = "".join(c for c in phone if c.isdigit() or c == "+")
    expect(card.locator('[data-field="phone"] a')).to_have_attribute("href", f"tel:{digits}")
    page_link = card.locator('[data-field="page"] a')
    expect(page_link).to_have_attribute("href", f"{site['url']}/")
    expect(page_link).to_have_attribute("rel", "noopener noreferrer")
    expect(page_link).to_have_attribute("target", "_blank")
    expect(card.locator('[data-field="channel"]')).to_have_text("Web" if lang == "en" else "WWW")
    expect(card.locator('[data-field="language"]')).to_have_text("PL")
    card.scroll_into_view_if_needed()
    shot(agent, f"31-{lang}-dashboard-contact-card")
    assert agent.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]

    # A search nobody matches says so; clearing it brings the list back.
    if viewport is PHONE:
        agent.get_by_role("button", name="Wróć do listy").click()
    agent.locator("#conv-search").fill("zzqqxxnothing")
    expect(results).to_have_count(0)
    agent.locator("#conv-search").fill("")
    expect(agent.locator("#conv-search-note")).to_be_hidden()
    assert guest_errors == [] and agent_errors == []
    guest_context.close()
    agent_context.close()
