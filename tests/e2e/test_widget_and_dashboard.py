"""The widget and the dashboard in headless Chromium against the local stack (gateway + local cloud).

A guest chats on the NovaHouse demo page and asks for a person; an agent signs in to the
dashboard on the Auth emulator, takes over and replies; the reply appears in the widget without
a reload; the agent returns the conversation to the bot, which answers again; closing asks the
guest for a rating. Browsers cannot reach the local gRPC-only Firestore, so the pages run on
their polling fallback here and must say so. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import requests
from playwright.sync_api import Browser, expect

from tests.e2e.browser import (
    PHONE,
    guest_session,
    new_context,
    send_as_guest,
    shot,
    sign_in,
    watch_errors,
    widget,
)

MARKUP = '<img src=x onerror="window.__xss=1"><b>pogrubione?</b>'


def test_guest_hands_off_to_an_agent_whose_reply_appears_live_then_the_bot_answers_again(
    browser: Browser, site: dict[str, str]
) -> None:
    guest_context = new_context(browser, locale="pl-PL")
    guest = guest_context.new_page()
    guest_errors = watch_errors(guest)

    # The widget loads on the host page from one script tag and greets the guest.
    guest.goto(f"{site['url']}/")
    launcher = widget(guest, ".cd-launcher")
    expect(launcher).to_have_attribute("aria-label", "Otwórz czat")
    launcher.click()
    expect(widget(guest, ".cd-panel")).to_be_visible()
    expect(widget(guest, ".cd-input")).to_be_focused()
    expect(widget(guest, ".cd-msg--bot").first).to_contain_text("Dzień dobry")
    # The local Firestore speaks gRPC only, so the widget falls back to polling; that works, so it says nothing.
    expect(widget(guest, ".cd-status")).to_be_hidden()
    shot(guest, "01-widget-greeting")

    # A question the bot answers with a computed quote.
    send_as_guest(guest, "Ile kosztuje pakiet Standard za 60 m2?")
    expect(widget(guest, ".cd-msg--bot").last).to_contain_text("72 000")
    shot(guest, "02-widget-bot-answer")

    # Message text is text, never markup.
    send_as_guest(guest, MARKUP)
    expect(widget(guest, ".cd-msg--guest").last.locator(".cd-bubble")).to_have_text(MARKUP)
    assert widget(guest, ".cd-log img").count() == 0
    assert guest.evaluate("() => window.__xss") is None

    # The guest asks for a person: the conversation waits for an agent.
    widget(guest, ".cd-human").click()
    expect(widget(guest, ".cd-subtitle")).to_have_text("Czekasz na konsultanta")
    expect(widget(guest, ".cd-human")).to_be_hidden()
    conversation_id = guest_session(guest)["conversation_id"]
    shot(guest, "03-widget-waiting-for-agent")

    # A second browser context: the agent signs in and sees the conversation in the queue, live.
    agent_context = new_context(browser, locale="en-US")
    agent = agent_context.new_page()
    agent_errors = watch_errors(agent)
    sign_in(agent, site)
    expect(agent.locator(".topbar .status")).to_have_text("Polling every 2 s")
    queued = agent.locator(f'.queue-list button[data-id="{conversation_id}"]')
    expect(queued).to_be_visible()
    expect(queued).to_contain_text("Waiting")
    shot(agent, "04-dashboard-queue")

    # Take over and reply.
    queued.click()
    expect(agent.locator(".detail-title")).to_contain_text("Conversation Ile kosztuje pakiet Standard")  # a readable label
    expect(agent.locator(".messages")).to_contain_text("Ile kosztuje pakiet Standard za 60 m2?")
    # The guest's markup is shown as text in the dashboard too.
    expect(agent.locator(".messages .msg-guest .msg-text", has_text="pogrubione?")).to_have_text(MARKUP)
    agent.get_by_role("button", name="Take over").click()
    expect(agent.locator(".detail-meta .badge")).to_have_text("Agent")
    expect(queued).to_have_count(0)  # taken: it left the waiting queue
    reply = "Dzień dobry, tu Anna z NovaHouse. Chętnie pomogę z wyceną."
    agent.get_by_label("Reply to the guest").fill(reply)
    agent.get_by_label("Reply to the guest").press("Enter")
    expect(agent.locator(".messages .msg-agent").last).to_contain_text(reply)
    expect(agent.locator(".messages .msg-agent").last).not_to_have_class("msg msg-agent is-local")
    shot(agent, "05-dashboard-agent-replied")

    # The reply (and the hand-off notice) reach the widget without a reload.
    expect(widget(guest, ".cd-msg--agent").last).to_contain_text(reply)
    expect(widget(guest, ".cd-msg--system").first).to_be_visible()
    expect(widget(guest, ".cd-subtitle")).to_contain_text("Rozmawiasz z")
    shot(guest, "06-widget-agent-reply-live")

    # While a human has it, the guest's messages reach the agent and the bot stays silent.
    send_as_guest(guest, "Super, mam mieszkanie 60 m2 na Woli.")
    expect(agent.locator(".messages .msg-guest").last).to_contain_text("mam mieszkanie 60 m2 na Woli")

    # Internal notes stay with the agents.
    agent.get_by_label("Add an internal note").fill("Klientka z Woli, 60 m², pakiet Standard — oddzwonić jutro.")
    agent.get_by_role("button", name="Add note").click()
    expect(agent.locator(".notes-list .note")).to_contain_text("oddzwonić jutro")
    expect(widget(guest, ".cd-log")).not_to_contain_text("oddzwonić")

    # Return to the bot: the guest is told, and the bot answers again.
    agent.get_by_role("button", name="Return to bot").click()
    expect(agent.locator(".detail-meta .badge")).to_have_text("Bot")
    expect(widget(guest, ".cd-subtitle")).to_have_text("Asystent odpowiada od razu")
    bot_messages_before = widget(guest, ".cd-msg--bot").count()
    send_as_guest(guest, "Jaka jest gwarancja?")
    expect(widget(guest, ".cd-msg--bot")).to_have_count(bot_messages_before + 1)
    expect(widget(guest, ".cd-msg--bot").last).to_contain_text("gwarancj")
    shot(guest, "07-widget-bot-again")

    # Closing (after the agent confirms) asks the guest for a 1-5 rating.
    agent.once("dialog", lambda dialog: dialog.accept())
    agent.get_by_role("button", name="Close", exact=True).click()
    expect(agent.locator(".detail-meta .badge")).to_have_text("Closed")
    expect(widget(guest, ".cd-rating legend")).to_have_text("Jak oceniasz tę rozmowę?")
    widget(guest, '.cd-star[data-score="5"]').click()
    widget(guest, ".cd-rating button[type=submit]").click()
    expect(widget(guest, ".cd-thanks")).to_have_text("Dziękujemy za ocenę!")
    shot(guest, "08-widget-rated")
    expect(agent.locator(".detail-meta .tag-rating")).to_have_text("Rated 5/5")
    shot(agent, "09-dashboard-closed-rated")

    # A reload keeps the session and the history.
    guest.reload()
    widget(guest, ".cd-launcher").wait_for(state="attached")
    expect(widget(guest, ".cd-panel")).to_be_visible()  # it was open before the reload
    expect(widget(guest, ".cd-log")).to_contain_text(reply)
    assert guest_session(guest)["conversation_id"] == conversation_id

    # The closed conversation is final: no message box. Esc closes the panel, focus back to the launcher.
    expect(widget(guest, ".cd-input")).to_be_hidden()
    widget(guest, ".cd-close").press("Escape")
    expect(widget(guest, ".cd-panel")).to_be_hidden()
    expect(widget(guest, ".cd-launcher")).to_be_focused()

    assert guest_errors == [] and agent_errors == []
    guest_context.close()
    agent_context.close()


def test_the_widget_fits_a_360_px_phone_and_speaks_english_on_the_hotel_page(browser: Browser, site: dict[str, str]) -> None:
    context = new_context(browser, viewport={"width": 360, "height": 740}, locale="en-GB", is_mobile=True, has_touch=True)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(f"{site['url']}/hotel")
    widget(page, ".cd-launcher").click()
    panel = widget(page, ".cd-panel")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert box is not None and box["x"] >= 0 and box["width"] <= 360, box
    expect(widget(page, ".cd-msg--bot").first).to_contain_text("Welcome to the Vistula Riverside Hotel")
    expect(widget(page, ".cd-input")).to_have_attribute("placeholder", "Type a message…")
    send_as_guest(page, "What time is check-in?")
    expect(widget(page, ".cd-msg--bot").last).to_contain_text("15:00")
    expect(widget(page, ".cd-status")).to_be_hidden()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    shot(page, "10-widget-phone-360")
    assert errors == []
    context.close()


def test_the_dashboard_refuses_a_wrong_password_and_fits_a_phone(browser: Browser, site: dict[str, str]) -> None:
    turn = {"tenant": "novahouse", "message": "Czy pomiar jest płatny?"}
    started = requests.post(f"{site['url']}/api/chat", json=turn, timeout=30)
    assert started.status_code == 200, started.text
    context = new_context(browser, viewport=PHONE, locale="pl-PL")
    page = context.new_page()
    page.goto(f"{site['url']}/dashboard")
    expect(page.get_by_role("heading", name="Zaloguj się do panelu konsultanta")).to_be_visible()
    page.get_by_label("E-mail").fill(site["email"])
    page.get_by_label("Hasło").fill("not-the-password")
    page.get_by_role("button", name="Zaloguj się").click()
    expect(page.get_by_role("alert")).to_have_text("Nieprawidłowy e-mail lub hasło.")
    shot(page, "11-dashboard-signin-error-phone")
    page.get_by_label("Hasło").fill(site["password"])
    page.get_by_role("button", name="Zaloguj się").click()
    expect(page.locator(".sidebar")).to_be_visible()
    expect(page.locator(".topbar .status")).to_have_text("Odświeżanie co 2 s")
    expect(page.locator(f'.conv-list button[data-id="{started.json()["conversation_id"]}"]')).to_contain_text("Bot")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    shot(page, "12-dashboard-phone")
    context.close()
