"""`admin` function: API keys, metrics widgets, A/B experiments, knowledge import (X-API-Key or an admin's ID token)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.bootstrap import container
from shared.domain.widget_paths import WIDGETS
from shared.http.app import HttpApp, json_body

if TYPE_CHECKING:
    from flask import Request, Response

    from shared.domain.api_keys import AdminPrincipal
    from shared.services.backup_admin import BackupAdmin

# Knowledge packs are larger than a chat message: 1 MiB, and 413 above it.
app = HttpApp("admin", max_body_bytes=1024 * 1024, project_id=lambda: container().settings.project_id)


def _principal(request: Request) -> AdminPrincipal:
    """The caller, from ``X-API-Key`` or an admin's Firebase ID token; 403 when the request names another tenant."""
    from shared.domain.api_keys import SCOPES, AdminPrincipal
    from shared.domain.errors import ForbiddenError, UnauthorizedError
    from shared.services.admin_keys import unauthorized

    raw_key = request.headers.get("X-API-Key")
    authorization = request.headers.get("Authorization")
    if raw_key is None and authorization:
        try:
            user = container().verifier.verify(authorization)
        except UnauthorizedError:
            raise unauthorized() from None
        if user.role != "admin":
            raise ForbiddenError("Only an admin of this business may use the admin API")
        principal = AdminPrincipal(tenant=user.tenant, actor=f"user:{user.uid}", scopes=SCOPES)
    else:
        principal = container().api_keys.authenticate(raw_key)
    named = request.args.get("tenant")
    if named is not None and named != principal.tenant:
        raise ForbiddenError("This key cannot act for another business")
    return principal


def _require(principal: AdminPrincipal, scope: str) -> None:
    from shared.services.admin_keys import require

    require(principal, scope)


@app.route("/api/admin/me")
def me(request: Request) -> dict[str, Any]:
    principal = _principal(request)
    return {"tenant": principal.tenant, "actor": principal.actor, "scopes": sorted(principal.scopes)}


@app.route("/api/admin/keys")
def list_keys(request: Request) -> dict[str, Any]:
    principal = _principal(request)
    _require(principal, "keys")
    return {"keys": container().api_keys.list(principal.tenant)}


@app.route("/api/admin/keys", methods=["POST"])
def create_key(request: Request) -> tuple[dict[str, Any], int]:
    from shared.domain.api_keys import public_key

    principal = _principal(request)
    _require(principal, "keys")
    body = json_body(request)
    record, plaintext = container().api_keys.create(principal.tenant, body.get("name"), body.get("scopes"))
    # The only time the key is ever shown.
    return {**public_key(record), "key": plaintext}, 201


@app.route("/api/admin/keys/<key_id>", methods=["DELETE"])
def revoke_key(request: Request, key_id: str) -> dict[str, Any]:
    principal = _principal(request)
    _require(principal, "keys")
    return container().api_keys.revoke(principal.tenant, key_id)


# The widgets: GET with ?days=1..365 (custom takes a JSON body), all for the caller's tenant.


def _widget(method: str) -> Any:
    def handler(request: Request) -> dict[str, Any]:
        principal = _principal(request)
        _require(principal, "metrics")
        result: dict[str, Any] = getattr(container().widgets, method)(principal.tenant, request.args.to_dict())
        return result

    handler.__name__ = f"widget_{method}"
    return handler


# One route per widget, so the OpenAPI document names each of them.
for _path, _method in WIDGETS.items():  # shared/domain/widget_paths.py names them once
    app.route(f"/api/widgets/{_path}")(_widget(_method))


@app.route("/api/widgets/custom", methods=["POST"])
def custom_widget(request: Request) -> dict[str, Any]:
    principal = _principal(request)
    _require(principal, "metrics")
    return container().widgets.custom(principal.tenant, json_body(request))


EXPERIMENT = "/api/ab/experiments/<experiment_id>"


@app.route("/api/ab/experiments")
def experiments(request: Request) -> dict[str, Any]:
    principal = _principal(request)
    _require(principal, "experiments")
    return container().experiments.list(principal.tenant)


@app.route("/api/ab/experiments", methods=["POST"])
def create_experiment(request: Request) -> tuple[dict[str, Any], int]:
    principal = _principal(request)
    _require(principal, "experiments")
    return container().experiments.create(principal.tenant, json_body(request)), 201


@app.route(EXPERIMENT)
def experiment(request: Request, experiment_id: str) -> dict[str, Any]:
    principal = _principal(request)
    _require(principal, "experiments")
    return container().experiments.get(principal.tenant, experiment_id)


@app.route(EXPERIMENT, methods=["PATCH", "PUT"])
def update_experiment(request: Request, experiment_id: str) -> dict[str, Any]:
    principal = _principal(request)
    _require(principal, "experiments")
    return container().experiments.update(principal.tenant, experiment_id, json_body(request))


@app.route(EXPERIMENT, methods=["DELETE"])
def delete_experiment(request: Request, experiment_id: str) -> dict[str, Any]:
    principal = _principal(request)
    _require(principal, "experiments")
    return container().experiments.delete(principal.tenant, experiment_id)


@app.route(f"{EXPERIMENT}/results")
def experiment_results(request: Request, experiment_id: str) -> dict[str, Any]:
    principal = _principal(request)
    _require(principal, "experiments")
    return container().experiments.results(principal.tenant, experiment_id)


@app.route("/api/admin/knowledge")
def knowledge(request: Request) -> dict[str, Any]:
    principal = _principal(request)
    _require(principal, "knowledge")
    return container().knowledge.current(principal.tenant)


@app.route("/api/admin/knowledge", methods=["PUT"])
def import_knowledge(request: Request) -> dict[str, Any]:
    principal = _principal(request)
    _require(principal, "knowledge")
    return container().knowledge.replace(principal.tenant, request.get_data(cache=True))


# --- backups (scope "backups"; always the caller's own tenant) ----------------------------


def _backups(request: Request) -> tuple[str, BackupAdmin]:
    principal = _principal(request)
    _require(principal, "backups")
    return principal.tenant, container().backups


@app.route("/api/backup/list")
def list_backups(request: Request) -> dict[str, Any]:
    tenant, backups = _backups(request)
    return backups.list_backups(tenant)


@app.route("/api/backup/export", methods=["POST"])
def export_backup(request: Request) -> tuple[dict[str, Any], int]:
    tenant, backups = _backups(request)
    return backups.export(tenant), 202


@app.route("/api/backup/download")
def download_backup(request: Request) -> Response:
    from flask import Response, redirect

    tenant, backups = _backups(request)
    download = backups.download(tenant, request.args.get("id"), request.args.get("file"))
    if download.redirect is not None:
        return redirect(download.redirect, code=302)
    headers = {"Content-Disposition": f'attachment; filename="{download.filename}"', "Cache-Control": "no-store"}
    return Response(download.body, mimetype=download.content_type, headers=headers)


@app.route("/api/backup/schedule")
def get_backup_schedule(request: Request) -> dict[str, Any]:
    tenant, backups = _backups(request)
    return backups.get_schedule(tenant)


@app.route("/api/backup/schedule", methods=["POST"])
def set_backup_schedule(request: Request) -> dict[str, Any]:
    tenant, backups = _backups(request)
    return backups.set_schedule(tenant, json_body(request))


# --- guests' personal data (GDPR / RODO; scope "contacts") --------------------------------


@app.route("/api/admin/contacts/<contact>/export")
def export_contact(request: Request, contact: str) -> dict[str, Any]:
    principal = _principal(request)
    _require(principal, "contacts")
    return container().privacy.export(principal.tenant, contact)


@app.route("/api/admin/contacts/<contact>", methods=["DELETE"])
def erase_contact(request: Request, contact: str) -> dict[str, Any]:
    principal = _principal(request)
    _require(principal, "contacts")
    return container().privacy.erase(principal.tenant, contact, actor=principal.actor)


# --- canned responses (scope "canned"; agents insert them with "/") -----------------------

CANNED = "/api/admin/canned-responses"


@app.route(CANNED)
def canned_responses(request: Request) -> dict[str, Any]:
    principal = _principal(request)
    _require(principal, "canned")
    return container().canned.list(principal.tenant)


@app.route(f"{CANNED}/<code>", methods=["PUT"])
def put_canned_response(request: Request, code: str) -> tuple[dict[str, Any], int]:
    principal = _principal(request)
    _require(principal, "canned")
    body, created = container().canned.put(principal.tenant, code, json_body(request), principal.actor)
    return body, 201 if created else 200


@app.route(f"{CANNED}/<code>", methods=["DELETE"])
def delete_canned_response(request: Request, code: str) -> dict[str, Any]:
    principal = _principal(request)
    _require(principal, "canned")
    return container().canned.delete(principal.tenant, code)


def admin(request: Request) -> Response:
    """Entry point."""
    return app(request)
