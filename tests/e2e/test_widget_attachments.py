"""Web attachments in headless Chromium against the local stack: a guest attaches a photo in the widget
(desktop and phone; the attach button is reachable by keyboard and at least 44 px), sees it in the thread,
files the server refuses are explained politely, and the agent sees the thumbnail in the dashboard.
Screenshots in artifacts/screenshots/.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import (
    DESKTOP,
    PHONE,
    guest_session,
    new_context,
    send_as_guest,
    shot,
    sign_in,
    watch_errors,
    widget,
)


def png(width: int = 96, height: int = 64) -> bytes:
    """A small real PNG (a warm gradient, like a photo of a wall), made without an imaging library."""
    rows = b"".join(
        b"\x00" + b"".join(bytes((200 + x // 2 % 55, 120 + y, 60 + (x + y) % 90)) for x in range(width)) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def open_widget(page: Page, url: str) -> None:
    page.goto(f"{url}/")
    widget(page, ".cd-launcher").click()
    expect(widget(page, ".cd-msg--bot").first).to_contain_text("Dzień dobry")


def attach(page: Page, path: Path, *, keyboard: bool = False) -> None:
    """Choose a file through the attach button: by keyboard (focus it, press Enter) or by pointer."""
    button = widget(page, ".cd-attach")
    expect(button).to_be_enabled()
    with page.expect_file_chooser() as chooser:
        if keyboard:
            button.focus()
            active = page.evaluate("() => document.querySelector('#chatdesk-widget').shadowRoot.activeElement?.className")
            assert active == "cd-attach", active
            page.keyboard.press("Enter")
        else:
            button.click()
    chooser.value.set_files(str(path))


def test_a_guest_attaches_a_photo_and_the_agent_sees_its_thumbnail(
    browser: Browser,
    site: dict[str, str],
    tmp_path: Path,
) -> None:
    photo = tmp_path / "salon.png"
    photo.write_bytes(png())
    guest_context = new_context(browser, locale="pl-PL", viewport=DESKTOP)
    guest = guest_context.new_page()
    errors = watch_errors(guest)
    open_widget(guest, site["url"])
    expect(widget(guest, ".cd-attach")).to_have_attribute("aria-label", "Dołącz zdjęcie lub PDF")
    widget(guest, ".cd-human").click()  # the agent finds the conversation in the waiting queue
    expect(widget(guest, ".cd-subtitle")).to_have_text("Czekasz na konsultanta")
    shot(guest, "attach-01-widget-desktop-attach-button")

    attach(guest, photo, keyboard=True)
    sent = widget(guest, ".cd-msg--guest").last
    expect(sent.locator(".cd-bubble")).to_have_text("salon.png")  # the paperclip is an icon in the widget
    expect(sent.locator("img.cd-thumb")).to_have_attribute("alt", "Załącznik: salon.png")
    guest.wait_for_function("(img) => img.complete && img.naturalWidth === 96", arg=sent.locator("img.cd-thumb").element_handle())
    expect(widget(guest, ".cd-upload")).to_be_hidden()
    expect(widget(guest, ".cd-attach")).to_be_focused()
    shot(guest, "attach-02-widget-desktop-photo-sent")
    conversation_id = guest_session(guest)["conversation_id"]

    agent_context = new_context(browser, locale="en-US", viewport=DESKTOP)
    agent = agent_context.new_page()
    sign_in(agent, site)
    agent.locator(f'.queue-list button[data-id="{conversation_id}"]').click()
    thumb = agent.locator(".messages .msg-guest img.msg-thumb")
    expect(thumb).to_be_visible()
    # The real photo, fetched with the agent's token and decoded.
    agent.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
    assert agent.evaluate("(img) => img.naturalWidth", thumb.element_handle()) == 96
    expect(agent.locator(".messages .msg-guest").last).to_contain_text("📎 salon.png")
    shot(agent, "attach-03-dashboard-thumbnail")
    assert errors == []
    guest_context.close()
    agent_context.close()


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_on_a_phone_the_attach_button_is_a_big_target_and_refused_files_are_explained(
    browser: Browser,
    site: dict[str, str],
    tmp_path: Path,
    viewport: dict[str, int],
) -> None:
    context = new_context(browser, locale="en-US", viewport=viewport, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(f"{site['url']}/")
    widget(page, ".cd-launcher").click()
    send_as_guest(page, "Hello, I will send a photo of my flat")
    expect(widget(page, ".cd-msg--guest")).to_have_count(1)
    box = widget(page, ".cd-attach").bounding_box()
    assert box is not None and box["width"] >= 44 and box["height"] >= 44
    expect(widget(page, ".cd-attach")).to_have_attribute("aria-label", "Attach a photo or PDF")

    # Not a photo or PDF: the widget says so before uploading anything.
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes")
    attach(page, notes, keyboard=True)
    expect(widget(page, ".cd-alert")).to_have_text("You can send photos (JPEG, PNG, WebP) or PDF files only.")

    # Named like a photo, but the bytes are text: the server refuses it and nothing appears in the thread.
    fake = tmp_path / "kitchen.png"
    fake.write_bytes(b"this is not really a picture of a kitchen" * 3)
    attach(page, fake)
    expect(widget(page, ".cd-alert")).to_have_text("You can send photos (JPEG, PNG, WebP) or PDF files only.")
    expect(widget(page, ".cd-msg--guest")).to_have_count(1)

    photo = tmp_path / "bathroom.png"
    photo.write_bytes(png(120, 80))
    attach(page, photo)
    expect(widget(page, ".cd-msg--guest").last.locator("img.cd-thumb")).to_be_visible()
    expect(widget(page, ".cd-alert")).to_be_empty()
    shot(page, "attach-04-widget-phone-photo-sent")
    context.close()
