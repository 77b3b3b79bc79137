"""Test tiers and the shared local cloud.

Unit tests need nothing. Integration, functions and e2e tests share one local cloud for the
session: the servers named by the emulator variables when they are all set (an outer runner
started them), otherwise a LocalCloud this session starts and stops itself.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EMULATOR_VARS = (
    "FIRESTORE_EMULATOR_HOST",
    "PUBSUB_EMULATOR_HOST",
    "STORAGE_EMULATOR_HOST",
    "FIREBASE_AUTH_EMULATOR_HOST",
    "CLOUD_SCHEDULER_EMULATOR_HOST",
)
TIERS = ("unit", "integration", "functions", "e2e")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        tier = Path(str(item.fspath)).relative_to(ROOT / "tests").parts[0]
        if tier in TIERS:
            item.add_marker(getattr(pytest.mark, tier))


def random_id(prefix: str = "t") -> str:
    """A unique id so tests never collide in the shared servers."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def local_cloud() -> Iterator[dict[str, str]]:
    """The local servers' environment, applied to os.environ for the whole session."""
    from infra.local.cloud import LocalCloud, ensure_resources, load_resources

    cloud: LocalCloud | None = None
    stand_ins: dict[str, object] = {}
    if all(os.environ.get(v) for v in EMULATOR_VARS):
        env = {v: os.environ[v] for v in EMULATOR_VARS}
        env["GOOGLE_CLOUD_PROJECT"] = os.environ.get("GOOGLE_CLOUD_PROJECT", "demo-chatdesk")
        if not os.environ.get("SECRET_MANAGER_EMULATOR_HOST"):
            from infra.local.cloud import start_stand_ins

            stand_ins, stand_in_env = start_stand_ins()
            env.update(stand_in_env)
    else:
        cloud = LocalCloud()
        env = cloud.start()
    env = {**env, "CHATDESK_ENV": "test"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    if cloud is None:  # servers an outer runner started: make sure our topics and buckets exist there
        ensure_resources(env["GOOGLE_CLOUD_PROJECT"], load_resources())
    from shared.bootstrap import reset_container

    reset_container()
    try:
        yield env
    finally:
        reset_container()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        if cloud is not None:
            cloud.stop()
        for stand_in in stand_ins.values():
            stand_in.stop()  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def gateway(local_cloud: dict[str, str]) -> Iterator[str]:
    """The local gateway (Hosting + functions + Eventarc push) on a free port; yields its URL."""
    from infra.local.gateway import Gateway

    gw = Gateway(port=0).start()
    try:
        yield gw.url
    finally:
        gw.stop()


def function_app(name: str):  # type: ignore[no-untyped-def]
    """A function's app built by functions-framework from its infra/resources.yaml definition.

    The signature type is always passed: functions-framework remembers the last one in the
    process environment, and the gateway loads CloudEvent functions too.
    """
    from infra.local.gateway import load_function_app, load_functions

    return load_function_app(name, load_functions()[name])


@pytest.fixture(scope="module")
def demo_tenants(local_cloud: dict[str, str]) -> Iterator[None]:
    """The demo tenants imported into the local Firestore, with a fresh composition root around them."""
    from shared.bootstrap import container, reset_container
    from tests.helpers import DEMO_TENANTS, demo_pack

    reset_container()
    for name in DEMO_TENANTS:
        container().tenants.import_pack(demo_pack(name))
    yield
    reset_container()
