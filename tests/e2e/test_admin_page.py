"""The admin page (/admin) in headless Chromium against the local stack (gateway + local cloud).

Guests chat with a fresh copy of the NovaHouse tenant first (real turns, so the widgets have real
roll-ups to show); then its admin signs in on the Auth emulator and the page must show exactly
the numbers the admin API computed from those turns. The admin creates an API key (shown once,
working at once), revokes it (refused at once), runs an experiment and uploads knowledge.
Screenshots at desktop and phone size go to artifacts/screenshots/.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import yaml
from playwright.sync_api import Browser, BrowserContext, Page, expect

from shared.bootstrap import container, reset_container
from shared.domain.knowledge import load_pack_file
from tests.conftest import random_id
from tests.e2e.browser import ROOT, SHOTS
from tests.helpers import sign_in_with_password

WAIT_MS = 20_000  # the admin page's own actions; expect() waits as long as every browser test (tests/e2e/browser.py)
PASSWORD = "e2e-admin-password-123"
# Three conversations: a computed quote then an FAQ question, a hand-off request, an English question.
CONVERSATIONS = [
    ["Ile kosztuje pakiet Standard za 60 m2?", "Jaka jest gwarancja?"],
    ["Chcę porozmawiać z konsultantem"],
    ["How much is the Premium package for 80 m2?"],
]


@pytest.fixture(scope="module")
def admin_site(gateway: str, local_cloud: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A fresh tenant (a copy of NovaHouse) with real chat turns, an admin and an agent account."""
    from tools.agents import create_agent

    subprocess.run(["bash", str(ROOT / "scripts" / "build-web.sh")], check=True, timeout=120)
    reset_container()
    tenant = random_id("adm")
    raw = yaml.safe_load((ROOT / "data" / "tenants" / "novahouse.yaml").read_text(encoding="utf-8"))
    raw["tenant"]["id"] = tenant
    pack_file = tmp_path_factory.mktemp("pack") / f"{tenant}.yaml"
    pack_file.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    container().tenants.import_pack(load_pack_file(pack_file))
    admin = create_agent(f"{random_id('admin')}@novahouse.test", PASSWORD, tenant, "admin", "Piotr Admin")
    agent = create_agent(f"{random_id('agent')}@novahouse.test", PASSWORD, tenant, "agent", "Anna")
    conversations = [chat(gateway, tenant, turns) for turns in CONVERSATIONS]
    first = conversations[0]
    rated = requests.post(
        f"{gateway}/api/chat/rating",
        json={
            "conversation_id": first["conversation_id"],
            "session_id": first["session_id"],
            "score": 5,
            "comment": "Szybko i konkretnie",
        },
        timeout=30,
    )
    assert rated.status_code == 200, rated.text
    SHOTS.mkdir(parents=True, exist_ok=True)
    token = sign_in_with_password(local_cloud["FIREBASE_AUTH_EMULATOR_HOST"], admin["email"], PASSWORD)
    try:
        yield {"url": gateway, "tenant": tenant, "admin": admin, "agent": agent, "token": token, "pack_file": pack_file}
    finally:
        reset_container()


def chat(url: str, tenant: str, turns: list[str]) -> dict[str, Any]:
    """One guest conversation through the public chat API; its last answer."""
    answer: dict[str, Any] = {}
    for text in turns:
        body = {"tenant": tenant, "message": text, **({"session_id": answer["session_id"]} if answer else {})}
        response = requests.post(f"{url}/api/chat", json=body, timeout=60)
        assert response.status_code == 200, response.text
        answer = response.json()
    return answer


def admin_api(site: dict[str, Any], path: str) -> dict[str, Any]:
    """What the admin API says, asked the way the page asks (the admin's ID token)."""
    response = requests.get(f"{site['url']}{path}", headers={"Authorization": f"Bearer {site['token']}"}, timeout=30)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def open_admin(
    browser: Browser, site: dict[str, Any], who: str = "admin", **kwargs: Any
) -> tuple[BrowserContext, Page, list[str]]:
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, "locale": "en-GB", **kwargs})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(f"{site['url']}/admin")
    page.get_by_label("E-mail").fill(site[who]["email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return context, page, errors


def charts_drawn(page: Page) -> None:
    """Chart.js loads on first use and sizes every canvas it draws on."""
    page.wait_for_function("() => [...document.querySelectorAll('canvas')].every((c) => c.style.width)")


def kpi(page: Page, name: str) -> Any:
    return page.locator(f'[data-kpi="{name}"] dd')


def test_the_admin_page_shows_the_widgets_computed_from_real_turns(browser: Browser, admin_site: dict[str, Any]) -> None:
    summary = admin_api(admin_site, "/api/widgets/metrics/summary?days=7")
    assert summary["total_conversations"] == len(CONVERSATIONS)
    context, page, errors = open_admin(browser, admin_site)
    expect(page.locator(".tenant-pill")).to_have_text(admin_site["tenant"])
    expect(kpi(page, "total_conversations")).to_have_text(str(len(CONVERSATIONS)))
    expect(kpi(page, "total_messages")).to_have_text(str(summary["total_messages"]))
    expect(kpi(page, "leads")).to_have_text(str(summary["leads"]))
    expect(kpi(page, "csat_avg")).to_have_text("5")
    # The quote question shows up under packages, its intent among the top intents.
    expect(page.locator("#w-packages table")).to_contain_text("Standard")
    expect(page.locator("#w-intents table tbody tr").first).to_be_visible()
    expect(page.locator("#w-timeline canvas")).to_be_visible()
    expect(page.locator("#w-satisfaction canvas")).to_be_visible()
    expect(page.locator("#w-times table")).to_contain_text("Bot")
    charts_drawn(page)
    page.screenshot(path=str(SHOTS / "admin-01-desktop.png"), full_page=True)

    # The period switch reloads the widgets for the new window.
    page.get_by_label("Period").select_option("30")
    expect(kpi(page, "total_conversations")).to_have_text(str(len(CONVERSATIONS)))
    assert "days=30" in page.url
    assert errors == []
    context.close()


def test_an_admin_creates_a_key_that_works_once_shown_and_revokes_it(browser: Browser, admin_site: dict[str, Any]) -> None:
    context, page, errors = open_admin(browser, admin_site)
    name = random_id("key")
    page.get_by_label("Key name").fill(name)
    page.get_by_role("button", name="Create key").click()
    secret = page.locator("#new-key")
    expect(secret).to_be_visible()
    key = secret.input_value()
    assert len(key) > 20
    me = requests.get(f"{admin_site['url']}/api/admin/me", headers={"X-API-Key": key}, timeout=30)
    assert me.status_code == 200 and me.json()["tenant"] == admin_site["tenant"]
    row = page.locator(".keys-table tbody tr", has_text=name)
    expect(row).to_contain_text("Active")
    page.locator("#keys").screenshot(path=str(SHOTS / "admin-02-key-created.png"))

    # Shown once: closing the box forgets it, and the list never has the secret.
    page.get_by_role("button", name="Done").click()
    expect(secret).to_have_count(0)
    assert key not in page.content()

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name=f"Revoke: {name}").click()
    expect(row).to_contain_text("Revoked")
    refused = requests.get(f"{admin_site['url']}/api/admin/me", headers={"X-API-Key": key}, timeout=30)
    assert refused.status_code == 401
    assert refused.json() == {"error": "Unauthorized", "message": "Valid API key required"}
    assert errors == []
    context.close()


def test_an_admin_starts_and_stops_an_experiment_and_reads_its_results(browser: Browser, admin_site: dict[str, Any]) -> None:
    context, page, errors = open_admin(browser, admin_site)
    name = random_id("greeting-test")
    page.get_by_text("New experiment").click()
    page.get_by_label("Experiment name").fill(name)
    page.get_by_label("Parameter").select_option("greeting")
    page.get_by_label("Control (A) value").fill("Dzień dobry! W czym pomóc?")
    page.get_by_label("Variant (B) value").fill("Cześć! Policzę wycenę od ręki.")
    page.get_by_role("button", name="Create", exact=True).click()
    item = page.locator(".exp", has_text=name)
    expect(item).to_have_attribute("data-state", "draft")
    item.get_by_role("button", name="Start").click()
    expect(item).to_have_attribute("data-state", "running")

    # A guest in the running experiment; the results name both variants with the method's verdict.
    chat(admin_site["url"], admin_site["tenant"], ["Jaka jest gwarancja?"])
    item.get_by_role("button", name="Results").click()
    expect(item.locator(".results-table").first).to_contain_text("A")
    expect(item.locator(".decision").first).to_have_attribute("data-decision", "insufficient_data")
    page.locator("#experiments").screenshot(path=str(SHOTS / "admin-03-experiment.png"))
    item.get_by_role("button", name="Stop").click()
    expect(item).to_have_attribute("data-state", "stopped")
    assert errors == []
    context.close()


def test_an_admin_uploads_knowledge_and_a_bad_pack_changes_nothing(browser: Browser, admin_site: dict[str, Any]) -> None:
    before = admin_api(admin_site, "/api/admin/knowledge")["version"]
    context, page, errors = open_admin(browser, admin_site)
    version = page.locator('#knowledge [data-fact="version"] dd')
    expect(version).to_have_text(str(before))
    page.get_by_label("Knowledge pack (YAML or JSON)").set_input_files(str(admin_site["pack_file"]))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".toast")).to_contain_text(f"Knowledge imported: version {before + 1}")
    expect(version).to_have_text(str(before + 1))

    bad = admin_site["pack_file"].with_name("bad.yaml")
    bad.write_text("tenant: {id: x}\npackages: [{id: 1}]\n", encoding="utf-8")
    page.get_by_label("Knowledge pack (YAML or JSON)").set_input_files(str(bad))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#knowledge .problems [role=alert]")).to_contain_text("nothing changed")
    page.locator("#knowledge").screenshot(path=str(SHOTS / "admin-06-knowledge-refused.png"))
    assert admin_api(admin_site, "/api/admin/knowledge")["version"] == before + 1
    assert errors == []
    context.close()


def test_the_admin_page_fits_a_phone(browser: Browser, admin_site: dict[str, Any]) -> None:
    summary = admin_api(admin_site, "/api/widgets/metrics/summary?days=7")
    context, page, errors = open_admin(
        browser, admin_site, viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    expect(kpi(page, "total_conversations")).to_have_text(str(summary["total_conversations"]))
    charts_drawn(page)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways on a phone ({width}px)"
    page.screenshot(path=str(SHOTS / "admin-04-phone-top.png"), full_page=False)
    page.screenshot(path=str(SHOTS / "admin-05-phone-full.png"), full_page=True)
    assert errors == []
    context.close()


def test_an_agent_account_is_refused_with_a_clear_message(browser: Browser, admin_site: dict[str, Any]) -> None:
    context, page, _ = open_admin(browser, admin_site, who="agent")
    expect(page.get_by_role("alert")).to_have_text("This account has no admin access. Ask the owner of your business.")
    context.close()
