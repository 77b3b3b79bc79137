"""`health` function: GET /api/health (liveness), GET /api/health/deep (every dependency), GET /api/openapi.json."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Request, Response

from shared.bootstrap import container
from shared.http.app import HttpApp
from shared.services import health as service

app = HttpApp("health", project_id=lambda: container().settings.project_id)


@app.route("/api/health")
def liveness(request: Request) -> dict[str, object]:
    return service.liveness("chatdesk", container().settings.revision)


@app.route("/api/health/deep")
def deep(request: Request) -> tuple[dict[str, object], int]:
    settings = container().settings
    report = service.deep_check(container().health_checks(), settings.health_check_timeout_seconds)
    body = report.body()
    try:
        # Informational: dead-lettered events need a person, but do not make the service unhealthy.
        body["dead_letters"] = container().dead_letters.count()
    except Exception:  # noqa: BLE001 - the database check above already reports an unreachable Firestore
        body["dead_letters"] = None
    return body, 200 if report.healthy else 503


@app.route("/api/openapi.json")
def openapi(request: Request) -> dict[str, object]:
    from shared.http.openapi import openapi_document

    return openapi_document(container().settings.revision)


def health(request: Request) -> Response:
    """Entry point."""
    return app(request)
