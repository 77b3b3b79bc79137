"""Fixtures of the browser tests: one Chromium per test module, and the demo site (gateway, demo tenants,
one agent account) that a module may replace with its own ``site``."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from shared.bootstrap import container, reset_container
from shared.domain.knowledge import load_pack_file
from tests.conftest import random_id
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, ROOT, SHOTS

PASSWORD = "e2e-password-123"


@pytest.fixture(scope="module")
def site(gateway: str, local_cloud: dict[str, str]) -> Iterator[dict[str, str]]:
    """The gateway with the demo tenants, the page origin allowed, and one agent account."""
    from firebase_admin import auth

    # The pages load the Firebase SDK bundle from web/vendor/ (built, not committed); idempotent.
    subprocess.run(["bash", str(ROOT / "scripts" / "build-web.sh")], check=True, timeout=120)
    origins = f"{gateway},{gateway.replace('127.0.0.1', 'localhost')}"
    saved = os.environ.get("CHATDESK_DEV_ORIGINS")
    os.environ["CHATDESK_DEV_ORIGINS"] = origins
    reset_container()
    for name in ("novahouse", "hotel"):
        container().tenants.import_pack(load_pack_file(ROOT / "data" / "tenants" / f"{name}.yaml"))
    app = container().clients.firebase_app
    email = f"{random_id('agent')}@novahouse.test"
    user = auth.create_user(email=email, password=PASSWORD, display_name="Anna Nowak", app=app)
    auth.set_custom_user_claims(user.uid, {"tenant": "novahouse", "role": "agent"}, app=app)
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield {"url": gateway, "email": email, "password": PASSWORD}
    finally:
        if saved is None:
            os.environ.pop("CHATDESK_DEV_ORIGINS", None)
        else:
            os.environ["CHATDESK_DEV_ORIGINS"] = saved
        reset_container()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
