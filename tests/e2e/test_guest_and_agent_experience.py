"""Issue 9 in headless Chromium against the local stack: the widget's weight before first open,
waiting off-hours (the bot still answers, a contact is left, the wait is cancelled), and an agent who
takes over, replies, closes (after confirming), sees the guest's rating comment, and a guest who
starts a new conversation. Desktop and phone, Polish and English. Screenshots in artifacts/screenshots/.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from shared.bootstrap import container
from shared.domain.knowledge import KnowledgePack, load_pack_file
from tests.conftest import random_id
from tests.e2e.browser import (
    DESKTOP,
    PHONE,
    ROOT,
    guest_session,
    new_context,
    send_as_guest,
    shot,
    sign_in,
    watch_errors,
    widget,
)

WIDGET_BUDGET_BYTES = 25 * 1024
# What the widget itself loads (the host page and its own assets are the tenant's, not ours).
WIDGET_PATHS = ("/widget", "/lib/", "/vendor/", "/__/firebase", "/api/")


def closed_now_pack() -> KnowledgePack:
    """The NovaHouse knowledge under a fresh tenant whose team is away right now (opens in two hours)."""
    pack = load_pack_file(ROOT / "data" / "tenants" / "novahouse.yaml")
    now = datetime.now(ZoneInfo(pack.tenant.timezone))
    start = (now + timedelta(hours=2)).replace(minute=0)
    window = f"{start:%H:%M}-{min(start.hour + 1, 23):02d}:59"
    tenant = pack.tenant.model_copy(update={"id": random_id("away"), "business_hours": {"mon-sun": window}})
    return pack.model_copy(update={"tenant": tenant})


def host_page(page: Page, base: str, tenant: str, lang: str) -> str:
    """A tenant's website with the one-line embed (served by the browser, same origin as the gateway)."""
    url = f"{base}/e2e-host-{tenant}.html"
    html = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Host</title></head>'
        f'<body><h1>Host page</h1><script src="/widget.js" data-tenant="{tenant}" data-lang="{lang}" async></script>'
        "</body></html>"
    )
    page.route(url, lambda route: route.fulfill(status=200, content_type="text/html", body=html))
    return url


def test_the_widget_weighs_at_most_25_kb_compressed_before_first_open(browser: Browser, site: dict[str, str]) -> None:
    context = new_context(browser)
    page = context.new_page()
    loaded: list[Request] = []
    page.on("requestfinished", lambda request: loaded.append(request))
    page.goto(f"{site['url']}/")
    widget(page, ".cd-launcher").wait_for(state="visible")
    page.wait_for_timeout(1500)  # anything eager would have started by now
    ours = [r for r in loaded if r.url.startswith(site["url"]) and r.url[len(site["url"]) :].startswith(WIDGET_PATHS)]
    weight = sum(r.sizes()["responseBodySize"] for r in ours)
    print(f"widget weight before first open: {weight} bytes compressed over {len(ours)} request(s)")
    assert [r.url for r in ours if "/widget/app.js" in r.url or "firebase" in r.url] == []
    assert 0 < weight <= WIDGET_BUDGET_BYTES
    loader = next(r for r in ours if r.url.endswith("/widget.js"))
    assert loader.response() is not None and loader.response().header_value("content-encoding") in ("br", "gzip")  # type: ignore[union-attr]
    # First open: now the chat loads and greets.
    widget(page, ".cd-launcher").click()
    expect(widget(page, ".cd-panel")).to_be_visible()
    expect(widget(page, ".cd-msg--bot").first).to_contain_text("Dzień dobry")
    context.close()


TEXTS: dict[str, dict[str, str]] = {
    "pl": {
        "away": "Konsultanci wracają",
        "faq": "Jaka jest gwarancja?",
        "faq_answer": "gwarancj",
        "waiting": "Czekasz na konsultanta",
        "other": "Czy zrobicie taras z drewna egzotycznego?",
        "ack": "zostaw e-mail lub numer telefonu",
        "contact": "Mój mail: anna.e2e@example.com",
        "thanks": "Dziękujemy za dane kontaktowe",
        "bot": "Asystent odpowiada od razu",
        "human": "Porozmawiaj z konsultantem",
    },
    "en": {
        "away": "Our team is back",
        "faq": "What warranty do you give?",
        "faq_answer": "warrant",
        "waiting": "Waiting for a person to join",
        "other": "Can you build a garden terrace from exotic wood?",
        "ack": "leave your e-mail or phone number",
        "contact": "my email is anna.e2e@example.com",
        "thanks": "Thanks for your contact details",
        "bot": "Our assistant replies right away",
        "human": "Talk to a person",
    },
}


@pytest.mark.parametrize(("lang", "viewport"), [("pl", DESKTOP), ("en", PHONE)], ids=["pl-desktop", "en-phone"])
def test_waiting_off_hours_the_bot_still_answers_takes_a_contact_and_the_wait_can_be_cancelled(
    browser: Browser,
    site: dict[str, str],
    lang: str,
    viewport: dict[str, int],
) -> None:
    pack = closed_now_pack()
    container().tenants.import_pack(pack)
    text = TEXTS[lang]
    context = new_context(browser, viewport=viewport, locale="pl-PL" if lang == "pl" else "en-GB", is_mobile=viewport is PHONE)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(host_page(page, site["url"], pack.tenant.id, lang))
    widget(page, ".cd-launcher").click()
    # Before the guest asks: the team is away and says when it is back, in the tenant's named time zone.
    expect(widget(page, ".cd-away")).to_contain_text(text["away"])
    expect(widget(page, ".cd-away")).to_contain_text("(czasu polskiego)" if lang == "pl" else "(Polish time)")
    expect(widget(page, ".cd-chip").first).to_be_visible()  # starter questions with the greeting
    # GDPR: before the first message, what happens to what the guest writes, with the business's policy.
    expect(widget(page, ".cd-privacy")).to_contain_text("przetwarzamy" if lang == "pl" else "We process")
    expect(widget(page, ".cd-privacy a")).to_have_attribute("href", str(pack.tenant.privacy_policy_url))
    greeting = "Dzień dobry" if lang == "pl" else "Hello"
    expect(widget(page, ".cd-msg--bot").first).to_contain_text(greeting)  # one language: the greeting too
    expect(widget(page, ".cd-status")).to_be_hidden()  # nothing is wrong, so no connection talk
    if viewport is PHONE:
        expect(widget(page, ".cd-panel")).to_have_attribute("aria-modal", "true")
    shot(page, f"20-{lang}-away-before-asking")

    widget(page, ".cd-human").click()
    expect(widget(page, ".cd-subtitle")).to_have_text(text["waiting"])
    expect(widget(page, ".cd-cancel")).to_be_visible()
    send_as_guest(page, text["faq"])
    expect(widget(page, ".cd-msg--bot").last).to_contain_text(text["faq_answer"])
    expect(widget(page, ".cd-privacy")).to_be_hidden()  # the notice was for before the first message
    send_as_guest(page, text["other"])
    expect(widget(page, ".cd-msg--bot").last).to_contain_text(text["ack"])
    send_as_guest(page, text["contact"])
    expect(widget(page, ".cd-msg--bot").last).to_contain_text(text["thanks"])
    expect(widget(page, ".cd-subtitle")).to_have_text(text["waiting"])  # never "talking to" before anyone joined
    shot(page, f"21-{lang}-waiting-off-hours")

    widget(page, ".cd-cancel").click()
    expect(widget(page, ".cd-subtitle")).to_have_text(text["bot"])
    expect(widget(page, ".cd-human")).to_have_text(text["human"])
    expect(widget(page, ".cd-cancel")).to_be_hidden()
    shot(page, f"22-{lang}-wait-cancelled")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]
    assert errors == []
    context.close()


def test_an_agent_takes_over_replies_closes_sees_the_rating_comment_and_the_guest_starts_anew(
    browser: Browser,
    site: dict[str, str],
) -> None:
    guest_context = new_context(browser, locale="pl-PL")
    guest = guest_context.new_page()
    guest.goto(f"{site['url']}/")
    widget(guest, ".cd-launcher").click()
    first_words = f"Remont kuchni {random_id('k')[-6:]}, ile to kosztuje?"
    send_as_guest(guest, first_words)
    expect(widget(guest, ".cd-msg--bot")).to_have_count(2)
    widget(guest, ".cd-human").click()
    expect(widget(guest, ".cd-subtitle")).to_have_text("Czekasz na konsultanta")
    conversation_id = guest_session(guest)["conversation_id"]

    agent_context = new_context(browser, locale="en-US")
    agent = agent_context.new_page()
    sign_in(agent, site)
    queued = agent.locator(f'.queue-list button[data-id="{conversation_id}"]')
    expect(queued).to_contain_text(first_words[:40])  # a readable label, not a hash
    queued.click()
    expect(agent.locator(".msg-confidence").first).to_be_visible()  # bot messages show their confidence
    agent.get_by_role("button", name="Take over").click()
    expect(agent.locator(".detail-meta .badge")).to_have_text("Agent")
    agent.get_by_label("Reply to the guest").fill("Dzień dobry, zaraz policzymy kuchnię.")
    agent.get_by_label("Reply to the guest").press("Enter")
    expect(widget(guest, ".cd-msg--agent").last).to_contain_text("zaraz policzymy")
    expect(widget(guest, ".cd-subtitle")).to_contain_text("Rozmawiasz z")

    # Closing asks first; dismissing keeps it open, accepting closes.
    agent.once("dialog", lambda dialog: dialog.dismiss())
    agent.get_by_role("button", name="Close", exact=True).click()
    expect(agent.locator(".detail-meta .badge")).to_have_text("Agent")
    agent.once("dialog", lambda dialog: dialog.accept())
    agent.get_by_role("button", name="Close", exact=True).click()
    expect(agent.locator(".detail-meta .badge")).to_have_text("Closed")

    # The closed conversation is final for the guest: rating and "new conversation", no message box.
    expect(widget(guest, ".cd-rating legend")).to_have_text("Jak oceniasz tę rozmowę?")
    expect(widget(guest, ".cd-input")).to_be_hidden()
    widget(guest, '.cd-star[data-score="4"]').click()
    widget(guest, "#cd-rating-comment").fill("Szybko i konkretnie")
    shot(guest, "23-pl-closed-rating")
    widget(guest, ".cd-rating button[type=submit]").click()
    expect(widget(guest, ".cd-thanks")).to_have_text("Dziękujemy za ocenę!")

    expect(agent.locator(".detail-meta .tag-rating")).to_have_text("Rated 4/5")
    expect(agent.locator(".contact-card")).to_contain_text("Szybko i konkretnie")
    shot(agent, "24-en-dashboard-rating-comment")

    widget(guest, ".cd-secondary").filter(has_text="Nowa rozmowa").click()
    expect(widget(guest, ".cd-input")).to_be_visible()
    expect(widget(guest, ".cd-msg--bot").first).to_contain_text("Dzień dobry")
    assert guest_session(guest)["conversation_id"] != conversation_id
    shot(guest, "25-pl-new-conversation")

    # The same conversation on a phone: the thread keeps most of the screen.
    phone = new_context(browser, viewport=PHONE, locale="en-US").new_page()
    sign_in(phone, site)
    phone.locator(f'.conv-list button[data-id="{conversation_id}"]').click()
    thread = phone.locator(".thread").bounding_box()
    assert thread is not None and thread["height"] >= PHONE["height"] * 0.5, thread
    shot(phone, "26-en-dashboard-phone-thread")
    agent_context.close()
    guest_context.close()
