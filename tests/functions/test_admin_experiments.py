"""Experiments and knowledge over the admin function, with turns through the chat function, on the local Firestore."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from shared.bootstrap import container
from tests.conftest import function_app, random_id
from tests.helpers import demo_pack

GREETINGS = {
    "name": "Greeting",
    "parameter": "greeting",
    "variants": [
        {"name": "A", "weight": 50, "overrides": {"greeting": "Dzień dobry, tu NovaHouse."}},
        {"name": "B", "weight": 50, "overrides": {"greeting": "Cześć! W czym pomóc?"}},
    ],
}


@pytest.fixture()
def world(demo_tenants: None) -> dict[str, Any]:
    tenant = random_id("shop")
    novahouse = demo_pack("novahouse")
    pack = novahouse.model_copy(update={"tenant": novahouse.tenant.model_copy(update={"id": tenant, "allowed_origins": []})})
    container().tenants.import_pack(pack)
    _, key = container().api_keys.create(tenant, "experiments test")
    return {
        "tenant": tenant,
        "pack": pack,
        "admin": function_app("admin").test_client(),
        "chat": function_app("chat").test_client(),
        "headers": {"X-API-Key": key},
    }


def call(world: dict[str, Any], method: str, path: str, body: Any = None, status: int = 200) -> dict[str, Any]:
    response = world["admin"].open(path, method=method, headers=world["headers"], json=body)
    assert response.status_code == status, response.get_json()
    data: dict[str, Any] = response.get_json()
    return data


def start_sessions(world: dict[str, Any], n: int) -> list[dict[str, Any]]:
    sessions = []
    for _ in range(n):
        started = world["chat"].post("/api/chat/session", json={"tenant": world["tenant"]}).get_json()
        stored = container().conversations.get(world["tenant"], started["conversation_id"])
        assert stored is not None
        sessions.append({**started, "variant": stored.variant, "experiment_id": stored.experiment_id})
    return sessions


def test_an_experiment_runs_end_to_end_through_the_chat_function(world) -> None:  # type: ignore[no-untyped-def]
    created = call(world, "POST", "/api/ab/experiments", GREETINGS, status=201)
    exp = created["id"]
    assert created["state"] == "draft" and created["control"] == "A" and created["parameters"] == ["greeting"]
    assert [e["id"] for e in call(world, "GET", "/api/ab/experiments")["experiments"]] == [exp]
    assert call(world, "PATCH", f"/api/ab/experiments/{exp}", {"state": "running"})["state"] == "running"

    sessions = start_sessions(world, 12)
    greetings = {v["overrides"]["greeting"]: v["name"] for v in GREETINGS["variants"]}  # type: ignore[index]
    for s in sessions:
        assert s["experiment_id"] == exp and greetings[s["greeting"]] == s["variant"]
    handed = sessions[0]
    turn = world["chat"].post(
        "/api/chat",
        json={"tenant": world["tenant"], "message": "Chcę rozmawiać z konsultantem", "session_id": handed["session_id"]},
    )
    assert turn.status_code == 200

    results = call(world, "GET", f"/api/ab/experiments/{exp}/results")
    outcomes = {o["variant"]: o for o in results["outcomes"]}
    for name in ("A", "B"):
        assert outcomes[name]["conversations"] == sum(1 for s in sessions if s["variant"] == name)
    assert outcomes[handed["variant"]]["handoffs"] == 1
    analysis = results["metrics"]["bot_resolution"]
    assert analysis["decision"] == "insufficient_data" and {v["name"] for v in analysis["variants"]} == {"A", "B"}

    changed = {"variants": [{"name": "A", "overrides": {"greeting": "Hej"}}, {"name": "B"}]}
    assert call(world, "PATCH", f"/api/ab/experiments/{exp}", changed, status=409)["error"] == "Conflict"
    second = call(world, "POST", "/api/ab/experiments", {**GREETINGS, "name": "Greeting 2"}, status=201)
    assert "greeting" in call(world, "PATCH", f"/api/ab/experiments/{second['id']}", {"state": "running"}, status=409)["message"]
    call(world, "DELETE", f"/api/ab/experiments/{exp}", status=409)

    assert call(world, "PATCH", f"/api/ab/experiments/{exp}", {"state": "stopped"})["state"] == "stopped"
    after = start_sessions(world, 2)
    assert all(s["variant"] is None for s in after)
    assert call(world, "DELETE", f"/api/ab/experiments/{exp}") == {"deleted": exp}
    call(world, "GET", f"/api/ab/experiments/{exp}", status=404)


def test_a_bad_experiment_is_a_400_naming_the_fields_and_nothing_is_stored(world) -> None:  # type: ignore[no-untyped-def]
    bad = call(world, "POST", "/api/ab/experiments", {"name": "x", "variants": [{"name": "A", "weight": -1}]}, status=400)
    assert "variants.0.weight" in {d["field"] for d in bad["details"]}
    assert call(world, "GET", "/api/ab/experiments")["experiments"] == []


def test_knowledge_is_replaced_over_http_as_yaml_and_running_experiments_survive_it(world) -> None:  # type: ignore[no-untyped-def]
    exp = call(world, "POST", "/api/ab/experiments", GREETINGS, status=201)["id"]
    call(world, "PATCH", f"/api/ab/experiments/{exp}", {"state": "running"})
    before = call(world, "GET", "/api/admin/knowledge")
    assert before["pack"]["tenant"]["id"] == world["tenant"]
    data = world["pack"].model_dump(mode="json")
    data["faq"][0]["answer"] = "Nowa odpowiedź z importu przez API."
    response = world["admin"].put(
        "/api/admin/knowledge",
        headers={**world["headers"], "Content-Type": "application/yaml"},
        data=yaml.safe_dump(data, allow_unicode=True),
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["version"] > before["version"]
    after = call(world, "GET", "/api/admin/knowledge")
    assert after["version"] == response.get_json()["version"]
    assert after["pack"]["faq"][0]["answer"] == "Nowa odpowiedź z importu przez API."
    assert all(s["experiment_id"] == exp for s in start_sessions(world, 3))


def test_a_bad_pack_lists_every_bad_field_and_changes_nothing(world) -> None:  # type: ignore[no-untyped-def]
    before = call(world, "GET", "/api/admin/knowledge")
    data = world["pack"].model_dump(mode="json")
    data["packages"][0]["price_per_m2"] = -5
    data["faq"][0]["questions"] = []
    data["tenant"]["timezone"] = "Mars/Olympus"
    response = world["admin"].put("/api/admin/knowledge", headers=world["headers"], data=json.dumps(data))
    assert response.status_code == 400
    fields = {d["field"] for d in response.get_json()["details"]}
    assert len(fields) >= 3 and any(f.startswith("packages.0") for f in fields) and any(f.startswith("faq.0") for f in fields)
    assert call(world, "GET", "/api/admin/knowledge")["version"] == before["version"]


def test_a_pack_of_another_tenant_is_403_and_an_oversized_one_413(world) -> None:  # type: ignore[no-untyped-def]
    other = demo_pack("hotel").model_dump(mode="json")
    response = world["admin"].put("/api/admin/knowledge", headers=world["headers"], data=json.dumps(other))
    assert response.status_code == 403
    huge = world["admin"].put("/api/admin/knowledge", headers=world["headers"], data=b"x" * (1024 * 1024 + 1))
    assert huge.status_code == 413 and huge.get_json()["error"] == "Payload Too Large"
    data = world["pack"].model_dump(mode="json")
    data["documents"].append({"id": "long", "kind": "policy", "title": "Regulamin", "text": "Zasady współpracy. " * 6000})
    big = world["admin"].put("/api/admin/knowledge", headers=world["headers"], data=json.dumps(data, ensure_ascii=False))
    assert len(json.dumps(data, ensure_ascii=False).encode()) > 64 * 1024  # over the chat's limit, within the admin's
    assert big.status_code == 200, big.get_json()
    assert call(world, "GET", "/api/admin/knowledge")["pack"]["documents"][-1]["id"] == "long"
