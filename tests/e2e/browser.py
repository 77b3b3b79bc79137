"""What the browser tests share: where Chromium and the screenshots are, the two page sizes, how long to
wait, and small helpers for the widget and the dashboard. The fixtures are in ``tests/e2e/conftest.py``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, expect

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHATDESK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 25_000  # listener timeout (5 s) + a few polling rounds (2 s) + a bot turn, with room to spare
expect.set_options(timeout=WAIT_MS)

# The two sizes every page is looked at in.
DESKTOP = {"width": 1280, "height": 820}
PHONE = {"width": 390, "height": 800}


def new_context(browser: Browser, **kwargs: Any) -> BrowserContext:
    context = browser.new_context(**{"viewport": DESKTOP, **kwargs})
    context.set_default_timeout(WAIT_MS)
    return context


def watch_errors(page: Page) -> list[str]:
    """Uncaught page errors (a failed Firestore channel is expected and logged, not thrown)."""
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    return errors


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def widget(page: Page, selector: str) -> Any:
    """A locator inside the widget's (open) shadow root; Playwright's CSS pierces it."""
    return page.locator(f"#chatdesk-widget {selector}")


def guest_session(page: Page) -> dict[str, Any]:
    raw = page.evaluate("() => localStorage.getItem('chatdesk:novahouse:session')")
    assert raw, "the widget keeps its session in localStorage"
    session: dict[str, Any] = json.loads(raw)
    return session


def send_as_guest(page: Page, text: str) -> None:
    widget(page, ".cd-input").fill(text)
    widget(page, ".cd-input").press("Enter")


def sign_in(page: Page, site: dict[str, str]) -> None:
    page.goto(f"{site['url']}/dashboard")
    page.get_by_label("E-mail").fill(site["email"])
    page.get_by_label("Password").fill(site["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".topbar .identity")).to_contain_text("Anna Nowak")
