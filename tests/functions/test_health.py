"""The health contract through functions-framework, healthy and degraded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.local.cloud import LocalCloud, ensure_resources, load_resources, patched_environ
from shared.bootstrap import reset_container
from tests.conftest import function_app


@pytest.fixture()
def health_client(local_cloud: dict[str, str]):  # type: ignore[no-untyped-def]
    reset_container()
    yield function_app("health").test_client()
    reset_container()


def test_liveness_answers_healthy_without_touching_anything(health_client) -> None:  # type: ignore[no-untyped-def]
    response = health_client.get("/api/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "healthy"
    assert body["timestamp"]


def test_deep_check_touches_every_service_and_answers_healthy(health_client) -> None:  # type: ignore[no-untyped-def]
    response = health_client.get("/api/health/deep")
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["status"] == "healthy"
    assert body["checks"] == {"database": "ok", "storage": "ok", "pubsub": "ok", "search": "ok", "ai": "disabled"}
    assert body["timestamp"]


@pytest.fixture()
def own_storage_server(local_cloud: dict[str, str]) -> Iterator[LocalCloud]:
    """A private storage server this test may stop without disturbing the others."""
    cloud = LocalCloud()
    cloud.start_storage()
    with patched_environ({"STORAGE_EMULATOR_HOST": cloud.env["STORAGE_EMULATOR_HOST"]}):
        ensure_resources(local_cloud["GOOGLE_CLOUD_PROJECT"], {"buckets": load_resources()["buckets"]})
        yield cloud
    cloud.stop()


def test_deep_check_is_degraded_with_503_when_a_server_stops(own_storage_server: LocalCloud) -> None:
    with patched_environ({"STORAGE_EMULATOR_HOST": own_storage_server.env["STORAGE_EMULATOR_HOST"]}):
        reset_container()
        client = function_app("health").test_client()
        assert client.get("/api/health/deep").get_json()["checks"]["storage"] == "ok"

        own_storage_server.stop_server("storage")
        response = client.get("/api/health/deep")
        body = response.get_json()
        assert response.status_code == 503
        assert body["status"] == "degraded"
        assert body["checks"]["storage"] in {"error", "timeout"}
        assert body["checks"]["database"] == "ok"
        assert "Traceback" not in response.get_data(as_text=True)
    reset_container()


def test_deep_check_says_ai_disabled_without_gemini_configuration(health_client) -> None:  # type: ignore[no-untyped-def]
    assert health_client.get("/api/health/deep").get_json()["checks"]["ai"] == "disabled"
