"""Canned responses in headless Chromium against the local stack (gateway + local cloud).

An admin adds a canned response on /admin (and edits and deletes another); an agent who took a
waiting conversation over types "/" in the reply box, picks it from the list with the keyboard,
edits the inserted text and sends it; the guest's conversation holds the sent text. Desktop and
360 px phone screenshots of the admin panel and the picker go to artifacts/screenshots/.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, expect

from shared.bootstrap import container, reset_container
from tests.conftest import random_id
from tests.e2e.browser import ROOT, SHOTS, WAIT_MS
from tests.helpers import demo_copy

PASSWORD = "e2e-canned-password-123"
PHONE = {"width": 360, "height": 740}
PRICE_TEXT = "Pakiet Standard kosztuje od 1200 zł/m², pomiar jest bezpłatny."


@pytest.fixture(scope="module")
def site(gateway: str, local_cloud: dict[str, str]) -> Iterator[dict[str, Any]]:
    """A fresh tenant (a copy of NovaHouse) with an admin, an agent and two seeded canned responses."""
    from tools.agents import create_agent

    subprocess.run(["bash", str(ROOT / "scripts" / "build-web.sh")], check=True, timeout=120)
    reset_container()
    tenant = random_id("can")
    container().tenants.import_pack(demo_copy("novahouse", tenant))
    seeded = [
        {"code": "powitanie", "title": "Powitanie", "text": "Dzień dobry, tu konsultant NovaHouse.", "language": "pl"},
        {"code": "stary-cennik", "title": "Stary cennik", "text": "Nieaktualne ceny.", "language": "pl"},
    ]
    container().canned.replace_all(tenant, seeded, actor="e2e")
    admin = create_agent(f"{random_id('admin')}@novahouse.test", PASSWORD, tenant, "admin", "Piotr Admin")
    agent = create_agent(f"{random_id('agent')}@novahouse.test", PASSWORD, tenant, "agent", "Anna Nowak")
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield {"url": gateway, "tenant": tenant, "admin": admin, "agent": agent}
    finally:
        reset_container()


def open_page(
    chromium: Browser,
    site: dict[str, Any],
    path: str,
    who: str,
    **kwargs: Any,
) -> tuple[BrowserContext, Page, list[str]]:
    """A signed-in page (the admin page or the dashboard), in English unless a locale is given."""
    context = chromium.new_context(**{"viewport": {"width": 1280, "height": 860}, "locale": "en-GB", **kwargs})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(f"{site['url']}{path}")
    polish = str(kwargs.get("locale", "")).startswith("pl")
    page.get_by_label("E-mail").fill(site[who]["email"])
    page.get_by_label("Hasło" if polish else "Password").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się" if polish else "Sign in").click()
    return context, page, errors


def waiting_conversation(site: dict[str, Any]) -> str:
    """A guest of the tenant who asked for a person, through the public chat API."""
    turn = requests.post(
        f"{site['url']}/api/chat", json={"tenant": site["tenant"], "message": "Chcę porozmawiać z konsultantem"}, timeout=60
    )
    assert turn.status_code == 200, turn.text
    conversation_id: str = turn.json()["conversation_id"]
    return conversation_id


def stored_codes(site: dict[str, Any]) -> list[str]:
    return [r["code"] for r in container().canned.list(site["tenant"])["canned_responses"]]


def test_an_admin_adds_edits_and_deletes_canned_responses_on_the_admin_page(browser: Browser, site: dict[str, Any]) -> None:
    context, page, errors = open_page(browser, site, "/admin", "admin")
    panel = page.locator("#canned")
    expect(panel.locator(".canned-item")).to_have_count(2)
    expect(panel.locator(".canned-count")).to_have_text("2 of 200")

    # A malformed code is caught before anything is sent; nothing is stored.
    page.get_by_label("Short code").fill("Cennik M2")
    page.get_by_label("Title").fill("Cennik")
    page.get_by_label("Text").fill(PRICE_TEXT)
    page.get_by_role("button", name="Add response").click()
    expect(panel.get_by_role("alert")).to_contain_text("Lowercase letters, digits and hyphens")
    expect(page.get_by_label("Short code")).to_have_attribute("aria-invalid", "true")
    assert stored_codes(site) == ["powitanie", "stary-cennik"]

    page.get_by_label("Short code").fill("cennik")
    page.get_by_label("Language").select_option("pl")
    page.get_by_role("button", name="Add response").click()
    expect(panel.locator('.canned-item[data-code="cennik"]')).to_contain_text(PRICE_TEXT)
    expect(panel.locator(".canned-count")).to_have_text("3 of 200")

    # Edit: the code stays, the title changes.
    panel.get_by_role("button", name="Edit: /powitanie").click()
    expect(page.get_by_label("Short code")).to_have_js_property("readOnly", True)
    page.get_by_label("Title").fill("Powitanie konsultanta")
    page.get_by_role("button", name="Save changes").click()
    expect(panel.locator('.canned-item[data-code="powitanie"]')).to_contain_text("Powitanie konsultanta")

    page.once("dialog", lambda dialog: dialog.accept())
    panel.get_by_role("button", name="Delete: /stary-cennik").click()
    expect(panel.locator('.canned-item[data-code="stary-cennik"]')).to_have_count(0)
    assert stored_codes(site) == ["cennik", "powitanie"]
    panel.scroll_into_view_if_needed()
    panel.screenshot(path=str(SHOTS / "canned-01-admin-desktop.png"))
    assert errors == []
    context.close()

    # The same panel on a 360 px phone, in Polish: nothing wider than the screen.
    context, page, errors = open_page(browser, site, "/admin", "admin", viewport=PHONE, locale="pl-PL")
    panel = page.locator("#canned")
    expect(panel.get_by_role("heading", name="Szybkie odpowiedzi")).to_be_visible()
    expect(panel.locator(".canned-item")).to_have_count(2)
    panel.get_by_role("button", name="Edytuj: /cennik").click()
    expect(page.get_by_label("Skrót")).to_have_value("cennik")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    panel.scroll_into_view_if_needed()
    panel.screenshot(path=str(SHOTS / "canned-02-admin-phone.png"))
    assert errors == []
    context.close()


def test_an_agent_inserts_a_canned_response_with_a_slash_edits_it_and_sends_it(browser: Browser, site: dict[str, Any]) -> None:
    canned = [
        {"code": "cennik", "title": "Cennik", "text": PRICE_TEXT, "language": "pl"},
        {"code": "powitanie", "title": "Powitanie", "text": "Dzień dobry, tu konsultant NovaHouse.", "language": "pl"},
    ]
    container().canned.replace_all(site["tenant"], canned, actor="e2e")  # what the admin left, whatever ran before
    conversation_id = waiting_conversation(site)
    context, page, errors = open_page(browser, site, "/dashboard", "agent")
    page.locator(f'.queue-list button[data-id="{conversation_id}"]').click()
    page.get_by_role("button", name="Take over").click()
    box = page.get_by_label("Reply to the guest")
    expect(box).to_be_focused()

    # "/" opens the list; what follows filters it; the first match is active.
    box.press_sequentially("/")
    listbox = page.get_by_role("listbox", name="Canned responses")
    expect(listbox).to_be_visible()
    expect(listbox.get_by_role("option")).to_have_count(2)
    box.press_sequentially("cen")
    expect(listbox.get_by_role("option")).to_have_count(1)
    option = listbox.get_by_role("option", name="/cennik")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", option.get_attribute("id") or "?")
    page.screenshot(path=str(SHOTS / "canned-03-dashboard-picker-desktop.png"))

    # Esc closes without inserting; nothing matching says so, and Enter would then send as typed.
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_value("/cen")
    box.fill("")
    box.press_sequentially("Dzień dobry! /zzz")
    expect(listbox).to_contain_text("No canned response matches /zzz")
    box.fill("")

    # Keyboard choice: arrows move (and wrap), Enter inserts the text in place of "/query" for editing.
    box.press_sequentially("/")
    expect(listbox.get_by_role("option")).to_have_count(2)
    box.press("ArrowDown")
    expect(listbox.get_by_role("option").nth(1)).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    expect(listbox.get_by_role("option", name="/cennik")).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(listbox).to_be_hidden()
    expect(box).to_have_value(PRICE_TEXT)
    expect(page.locator(".messages .msg-agent")).to_have_count(0)  # inserted, not sent
    box.press("End")
    box.press_sequentially(" Zapraszam!")
    box.press("Enter")
    sent = f"{PRICE_TEXT} Zapraszam!"
    expect(page.locator(".messages .msg-agent").last).to_contain_text(sent)
    stored = container().conversations.messages_after(site["tenant"], conversation_id, None, 50)
    assert [m.text for m in stored if m.role == "agent"] == [sent]
    assert errors == []
    context.close()


def test_the_picker_fits_a_360_px_phone_in_polish(browser: Browser, site: dict[str, Any]) -> None:
    conversation_id = waiting_conversation(site)
    context, page, errors = open_page(browser, site, "/dashboard", "agent", viewport=PHONE, locale="pl-PL")
    page.locator(f'.queue-list button[data-id="{conversation_id}"]').click()
    page.get_by_role("button", name="Przejmij").click()
    box = page.locator("#reply-input")
    page.screenshot(path=str(SHOTS / "canned-05-dashboard-reply-box-phone.png"))
    page.get_by_role("button", name="Szybkie odpowiedzi").click()  # the list by touch: the button types the "/"
    expect(box).to_be_focused()
    expect(box).to_have_value("/")
    listbox = page.get_by_role("listbox", name="Szybkie odpowiedzi")
    expect(listbox.get_by_role("option").first).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="szybkie odpowiedzi")).to_have_count(1)
    box_left = listbox.bounding_box()
    assert box_left is not None and box_left["x"] >= 0 and box_left["x"] + box_left["width"] <= PHONE["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(SHOTS / "canned-04-dashboard-picker-phone.png"))
    box.press("Enter")
    expect(box).not_to_have_value("/")
    assert errors == []
    context.close()
