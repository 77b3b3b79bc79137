"""Canned responses over HTTP: admins edit them with an API key, agents read only their own tenant's."""

from __future__ import annotations

from typing import Any

import pytest

from shared.bootstrap import container
from tests.conftest import function_app, random_id
from tests.functions.test_agent import as_agent, sign_in
from tests.helpers import demo_copy

CANNED = "/api/admin/canned-responses"
PRICES = {"title": "Cennik", "text": "Pakiet Standard kosztuje od 1200 zł/m².", "language": "pl"}


@pytest.fixture()
def world(demo_tenants: None) -> dict[str, Any]:
    tenant = random_id("shop")
    container().tenants.import_pack(demo_copy("novahouse", tenant))
    _, key = container().api_keys.create(tenant, "canned test", ["canned"])
    return {"tenant": tenant, "admin": function_app("admin").test_client(), "headers": {"X-API-Key": key}}


def call(world: dict[str, Any], method: str, path: str, body: Any = None, status: int = 200, **kw: Any) -> dict[str, Any]:
    response = world["admin"].open(path, method=method, headers=world["headers"], json=body, **kw)
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/json"
    data: dict[str, Any] = response.get_json()
    return data


def test_an_admin_key_creates_replaces_lists_and_deletes_canned_responses(world) -> None:  # type: ignore[no-untyped-def]
    created = call(world, "PUT", f"{CANNED}/price-list", PRICES, status=201)
    assert created["code"] == "price-list" and created["updated_by"].startswith("key:")
    call(world, "PUT", f"{CANNED}/warranty", {"title": "Gwarancja", "text": "Dajemy 3 lata gwarancji."}, status=201)
    replaced = call(world, "PUT", f"{CANNED}/price-list", {**PRICES, "title": "Cennik 2026"}, status=200)
    assert replaced["title"] == "Cennik 2026"
    listed = call(world, "GET", CANNED)
    assert listed["tenant"] == world["tenant"] and listed["count"] == 2 and listed["limit"] == 200
    assert listed["languages"] == ["pl", "en"]
    assert [(r["code"], r["title"]) for r in listed["canned_responses"]] == [
        ("price-list", "Cennik 2026"),
        ("warranty", "Gwarancja"),
    ]
    assert call(world, "DELETE", f"{CANNED}/warranty") == {"success": True, "deleted": "warranty"}
    assert [r["code"] for r in call(world, "GET", CANNED)["canned_responses"]] == ["price-list"]
    assert call(world, "DELETE", f"{CANNED}/warranty", status=404)["error"] == "Not Found"


@pytest.mark.parametrize(
    ("path", "body", "raw"),
    [
        (f"{CANNED}/price-list", {"title": "", "text": "x"}, None),
        (f"{CANNED}/price-list", {"title": "Cennik", "text": "x" * 2001}, None),
        (f"{CANNED}/price-list", {**PRICES, "language": "de"}, None),
        (f"{CANNED}/price-list", {**PRICES, "extra": 1}, None),
        (f"{CANNED}/Price_List", PRICES, None),
        (f"{CANNED}/price-list", None, b"not json"),
        (f"{CANNED}/price-list", None, b"[1, 2]"),
    ],
)
def test_bad_input_is_a_json_400_and_changes_nothing(world, path, body, raw) -> None:  # type: ignore[no-untyped-def]
    call(world, "PUT", f"{CANNED}/price-list", PRICES, status=201)
    before = call(world, "GET", CANNED)
    if raw is None:
        refused = call(world, "PUT", path, body, status=400)
    else:
        response = world["admin"].put(path, headers={**world["headers"], "Content-Type": "application/json"}, data=raw)
        assert response.status_code == 400
        refused = response.get_json()
    assert set(refused) >= {"error", "message"} and "Traceback" not in refused["message"]
    assert call(world, "GET", CANNED) == before


def test_a_key_without_the_canned_scope_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    _, metrics_only = container().api_keys.create(world["tenant"], "metrics only", ["metrics"])
    for method, path in [("GET", CANNED), ("PUT", f"{CANNED}/price-list"), ("DELETE", f"{CANNED}/price-list")]:
        response = world["admin"].open(path, method=method, headers={"X-API-Key": metrics_only}, json=PRICES)
        assert response.status_code == 403, (method, path)
    assert call(world, "GET", CANNED)["count"] == 0


def test_agents_read_only_their_own_tenants_canned_responses(local_cloud, demo_tenants) -> None:  # type: ignore[no-untyped-def]
    code = random_id("price").lower()
    container().canned.put("novahouse", code, PRICES, "test")
    agent = function_app("agent").test_client()
    novahouse_agent = sign_in(local_cloud, "novahouse", "agent", "Anna")
    hotel_agent = sign_in(local_cloud, "hotel", "agent", "Henry")
    own = agent.get("/api/agent/canned-responses", headers=as_agent(novahouse_agent)).get_json()
    assert {"code": code, "title": "Cennik", "text": PRICES["text"], "language": "pl"} in own["canned_responses"]
    other = agent.get("/api/agent/canned-responses?tenant=novahouse", headers=as_agent(hotel_agent))
    assert other.status_code == 200 and code not in {r["code"] for r in other.get_json()["canned_responses"]}
    assert agent.get("/api/agent/canned-responses").status_code == 401
    english = agent.get("/api/agent/canned-responses?language=en", headers=as_agent(novahouse_agent)).get_json()
    assert code not in {r["code"] for r in english["canned_responses"]}
    container().canned.delete("novahouse", code)


def test_an_admin_signed_in_with_a_token_edits_them_and_an_agent_cannot(local_cloud, world) -> None:  # type: ignore[no-untyped-def]
    admin = sign_in(local_cloud, world["tenant"], "admin", "Ada")
    agent = sign_in(local_cloud, world["tenant"], "agent", "Olek")
    client = world["admin"]
    ok = client.put(f"{CANNED}/hello", headers=as_agent(admin), json={"title": "Hello", "text": "Dzień dobry!"})
    assert ok.status_code == 201 and ok.get_json()["updated_by"].startswith("user:")
    assert client.put(f"{CANNED}/hello", headers=as_agent(agent), json={"title": "x", "text": "y"}).status_code == 403
    assert call(world, "GET", CANNED)["canned_responses"][0]["text"] == "Dzień dobry!"


def test_the_demo_tenants_are_seeded_with_their_own_languages_canned_responses(demo_tenants, capsys) -> None:  # type: ignore[no-untyped-def]
    from tools.canned import main as canned_cli

    assert canned_cli(["import", "data/canned/novahouse.yaml", "data/canned/hotel.yaml"]) == 0
    assert "novahouse: imported" in capsys.readouterr().out
    for tenant, language in (("novahouse", "pl"), ("hotel", "en")):
        listed = container().canned.list(tenant)["canned_responses"]
        assert 3 <= len(listed) <= 5 and {r["language"] for r in listed} == {language}
    assert canned_cli(["import", "data/canned/novahouse.yaml"]) == 0  # seeding again replaces, never duplicates
    assert len(container().canned.list("novahouse")["canned_responses"]) == 5


def test_a_bad_file_is_refused_in_one_line_and_changes_nothing(demo_tenants, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from tools.canned import main as canned_cli

    before = container().canned.list("hotel")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "tenant: hotel\ncanned_responses:\n  - {code: ok, title: Ok, text: Fine}\n  - {code: Not OK, title: x, text: y}\n"
    )
    assert canned_cli(["import", str(bad)]) == 2
    assert "entry 2" in capsys.readouterr().err
    assert container().canned.list("hotel") == before
