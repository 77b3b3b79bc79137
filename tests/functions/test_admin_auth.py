"""The admin function's auth through functions-framework, against the local Firestore and Auth emulator."""

from __future__ import annotations

import pytest

from shared.bootstrap import container
from tests.conftest import function_app, random_id
from tests.helpers import sign_in_with_password
from tools.agents import create_agent

EXACT_401 = b'{"error": "Unauthorized", "message": "Valid API key required"}'
ADMIN_ROUTES = [
    ("GET", "/api/admin/me"),
    ("GET", "/api/widgets/metrics/summary"),
    ("POST", "/api/widgets/custom"),
    ("GET", "/api/ab/experiments"),
    ("POST", "/api/ab/experiments"),
    ("PATCH", "/api/ab/experiments/exp-x"),
    ("DELETE", "/api/ab/experiments/exp-x"),
    ("GET", "/api/ab/experiments/exp-x/results"),
    ("GET", "/api/admin/knowledge"),
    ("PUT", "/api/admin/knowledge"),
    ("GET", "/api/admin/keys"),
    ("POST", "/api/admin/keys"),
    ("DELETE", "/api/admin/keys/0123456789abcdef"),
]


@pytest.fixture()
def client(demo_tenants: None):  # type: ignore[no-untyped-def]
    return function_app("admin").test_client()


def new_key(tenant: str = "novahouse", scopes: list[str] | None = None) -> str:
    _, plaintext = container().api_keys.create(tenant, random_id("key"), scopes)
    return plaintext


def all_routes() -> list[tuple[str, str]]:
    """Every admin route, with path arguments filled in (so new routes are checked automatically)."""
    from functions.admin.main import app

    routes = []
    for rule, methods in app.rules():
        path = rule.replace("<key_id>", "0123456789abcdef").replace("<experiment_id>", "exp-x")
        path = path.replace("<group>/<name>", "metrics/summary").replace("<code>", "price-list")
        routes += [(m, path) for m in methods if m not in ("HEAD", "OPTIONS")]
    return routes


def tampered(key: str) -> str:
    last = key[-1]
    return key[:-1] + ("0" if last != "0" else "1")


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "nope"}, {"X-API-Key": "cdk.novahouse.0123456789abcdef." + "0" * 64}])
def test_every_admin_route_refuses_a_missing_or_wrong_key_with_the_exact_body(client, headers) -> None:  # type: ignore[no-untyped-def]
    routes = all_routes()
    assert set(ADMIN_ROUTES) <= set(routes)
    for method, path in routes:
        response = client.open(path, method=method, headers=headers, json={"name": "x"} if method != "GET" else None)
        assert response.status_code == 401, (method, path)
        assert response.data == EXACT_401, (method, path)


def test_a_revoked_or_tampered_key_gets_the_exact_401_on_every_route(client) -> None:  # type: ignore[no-untyped-def]
    key = new_key()
    assert client.get("/api/admin/me", headers={"X-API-Key": key}).status_code == 200
    for method, path in all_routes():
        response = client.open(path, method=method, headers={"X-API-Key": tampered(key)})
        assert (response.status_code, response.data) == (401, EXACT_401), (method, path)
    key_id = key.split(".")[2]
    container().api_keys.revoke("novahouse", key_id)
    for method, path in all_routes():
        response = client.open(path, method=method, headers={"X-API-Key": key})
        assert (response.status_code, response.data) == (401, EXACT_401), (method, path)


def test_a_key_of_one_tenant_naming_another_gets_403(client) -> None:  # type: ignore[no-untyped-def]
    key = new_key("novahouse")
    response = client.get("/api/admin/me?tenant=hotel", headers={"X-API-Key": key})
    assert response.status_code == 403
    assert response.get_json()["error"] == "Forbidden"
    assert client.get("/api/admin/me?tenant=novahouse", headers={"X-API-Key": key}).get_json()["tenant"] == "novahouse"


def test_a_key_without_the_keys_scope_cannot_manage_keys(client) -> None:  # type: ignore[no-untyped-def]
    key = new_key(scopes=["metrics"])
    assert client.get("/api/admin/keys", headers={"X-API-Key": key}).status_code == 403


def test_an_admin_creates_lists_and_revokes_keys_over_http_and_the_key_is_shown_once(client) -> None:  # type: ignore[no-untyped-def]
    key = new_key()
    created = client.post("/api/admin/keys", headers={"X-API-Key": key}, json={"name": "reporting", "scopes": ["metrics"]})
    assert created.status_code == 201
    body = created.get_json()
    assert body["key"].startswith(f"cdk.novahouse.{body['id']}.") and body["scopes"] == ["metrics"]
    assert client.get("/api/admin/me", headers={"X-API-Key": body["key"]}).get_json()["scopes"] == ["metrics"]
    listed = client.get("/api/admin/keys", headers={"X-API-Key": key}).get_json()["keys"]
    mine = next(k for k in listed if k["id"] == body["id"])
    assert "key" not in mine and "secret_hash" not in mine
    assert client.delete(f"/api/admin/keys/{body['id']}", headers={"X-API-Key": key}).get_json()["active"] is False
    response = client.get("/api/admin/me", headers={"X-API-Key": body["key"]})
    assert (response.status_code, response.data) == (401, EXACT_401)
    bad = client.post("/api/admin/keys", headers={"X-API-Key": key}, json={"name": "x", "scopes": ["root"]})
    assert bad.status_code == 400 and bad.get_json()["details"][0]["field"] == "scopes"


def test_an_admin_id_token_is_accepted_and_an_agent_token_gets_403(client, local_cloud) -> None:  # type: ignore[no-untyped-def]
    tokens = {}
    for role in ("admin", "agent"):
        email = f"{random_id(role)}@novahouse.test"
        create_agent(email, "correct-horse-42", "novahouse", role, "Ala")
        tokens[role] = sign_in_with_password(local_cloud["FIREBASE_AUTH_EMULATOR_HOST"], email, "correct-horse-42")
    admin = client.get("/api/admin/me", headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert admin.status_code == 200 and admin.get_json()["tenant"] == "novahouse"
    assert client.get("/api/admin/me", headers={"Authorization": f"Bearer {tokens['agent']}"}).status_code == 403
    response = client.get("/api/admin/me", headers={"Authorization": "Bearer not-a-token"})
    assert (response.status_code, response.data) == (401, EXACT_401)


def test_the_keys_tool_prints_the_key_as_its_last_line_and_lists_and_revokes(demo_tenants, capsys) -> None:  # type: ignore[no-untyped-def]
    from tools import keys

    assert keys.main(["create", "--tenant", "novahouse", "--name", "cli", "--scopes", "metrics", "knowledge"]) == 0
    plaintext = capsys.readouterr().out.strip().splitlines()[-1]
    principal = container().api_keys.authenticate(plaintext)
    assert principal.tenant == "novahouse" and principal.scopes == frozenset({"metrics", "knowledge"})
    key_id = plaintext.split(".")[2]
    assert keys.main(["list", "--tenant", "novahouse"]) == 0
    listing = capsys.readouterr().out
    assert key_id in listing and plaintext.split(".")[3] not in listing
    assert keys.main(["revoke", "--tenant", "novahouse", "--id", key_id]) == 0
    with pytest.raises(Exception, match="Valid API key required"):
        container().api_keys.authenticate(plaintext)
