"""The eight widgets through functions-framework, computed from turns this test makes through the chat and
agent functions against the local Firestore; reads counted at the Firestore client."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shared.bootstrap import container
from shared.domain.widget_paths import WIDGETS
from tests.conftest import function_app, random_id
from tests.helpers import demo_pack, sign_in_with_password
from tools.agents import create_agent
from tools.firestore_meter import metered

READ_BUDGET_30_DAYS = 40
LATENCY_BUDGET_S = 0.3


@pytest.fixture(scope="module")
def world(demo_tenants: None, local_cloud: dict[str, str]) -> dict[str, Any]:
    """A fresh tenant (the NovaHouse pack under a random id) with turns made through the real functions."""
    tenant = random_id("shop")
    novahouse = demo_pack("novahouse")
    pack = novahouse.model_copy(update={"tenant": novahouse.tenant.model_copy(update={"id": tenant, "allowed_origins": []})})
    container().tenants.import_pack(pack)
    chat = function_app("chat").test_client()
    agent = function_app("agent").test_client()

    def say(message: str, session_id: str | None = None) -> dict[str, Any]:
        body = {"tenant": tenant, "message": message, **({"session_id": session_id} if session_id else {})}
        response = chat.post("/api/chat", json=body)
        assert response.status_code == 200, response.get_json()
        reply: dict[str, Any] = response.get_json()
        return reply

    first = chat.post("/api/chat/session", json={"tenant": tenant}).get_json()
    quote = say("Ile kosztuje pakiet Standard za 60 m2?", first["session_id"])
    assert quote["source"] == "tool"
    faq = say("Jaka jest gwarancja?", first["session_id"])
    assert faq["source"] == "faq", faq
    rated = chat.post(
        "/api/chat/rating",
        json={"conversation_id": first["conversation_id"], "session_id": first["session_id"], "score": 5, "comment": "Super"},
    )
    assert rated.status_code == 200
    second = say("Chcę rozmawiać z konsultantem, mój telefon to 600 700 800")
    assert second["mode"] == "pending"

    email = f"{random_id('admin')}@{tenant}.test"
    create_agent(email, "correct-horse-42", tenant, "agent", "Ola")
    token = sign_in_with_password(local_cloud["FIREBASE_AUTH_EMULATOR_HOST"], email, "correct-horse-42")
    auth = {"Authorization": f"Bearer {token}"}
    conv = second["conversation_id"]
    assert agent.post(f"/api/agent/conversations/{conv}/takeover", headers=auth).status_code == 200
    assert agent.post(f"/api/agent/conversations/{conv}/reply", headers=auth, json={"text": "Dzień dobry!"}).status_code == 200

    _, key = container().api_keys.create(tenant, "widgets test")
    stored = [container().conversations.get(tenant, c) for c in (first["conversation_id"], second["conversation_id"])]
    return {
        "tenant": tenant,
        "admin": function_app("admin").test_client(),
        "headers": {"X-API-Key": key},
        "messages": sum(c.message_count for c in stored if c is not None),
        "faq_intent": faq["intent"],
    }


def get(world: dict[str, Any], path: str) -> dict[str, Any]:
    response = world["admin"].get(path, headers=world["headers"])
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def today(world: dict[str, Any]) -> str:
    return datetime.now(ZoneInfo("Europe/Warsaw")).strftime("%Y-%m-%d")


def test_the_summary_counts_the_turns_made_in_the_tenants_time_zone(world) -> None:  # type: ignore[no-untyped-def]
    body = get(world, "/api/widgets/metrics/summary?days=30")
    assert body["period"] == {"from": body["period"]["from"], "to": today(world), "days": 30, "timezone": "Europe/Warsaw"}
    assert body["total_conversations"] == 2
    assert body["total_messages"] == world["messages"]
    assert body["avg_messages_per_conversation"] == round(world["messages"] / 2, 2)
    assert (body["handoff_rate"], body["bot_resolution_rate"]) == (0.5, 0.5)
    assert body["leads"] == 1
    assert (body["csat_avg"], body["csat_count"]) == (5.0, 1)
    assert body["model_tokens"] == 0  # no model configured in tests: answers came from knowledge
    assert body["estimated_cost_usd"] > 0  # Firestore operations cost something even without the model


def test_the_timeline_has_every_day_of_the_period_and_todays_figures(world) -> None:  # type: ignore[no-untyped-def]
    body = get(world, "/api/widgets/metrics/timeline?days=30")
    assert len(body["days"]) == 30 and body["days"][-1]["date"] == today(world)
    assert body["days"][-1]["total_conversations"] == 2 and body["days"][-1]["leads"] == 1
    assert all(d["total_conversations"] == 0 for d in body["days"][:-1])


def test_top_intents_and_packages_count_what_the_bot_answered(world) -> None:  # type: ignore[no-untyped-def]
    intents = {i["intent"]: i["count"] for i in get(world, "/api/widgets/top/intents?days=30")["intents"]}
    assert intents.get("pricing") == 1 and intents.get(world["faq_intent"]) == 1 and intents.get("handoff") == 1
    packages = {p["package"]: p for p in get(world, "/api/widgets/top/packages?days=30")["packages"]}
    assert packages["standard"]["quotes"] == 1 and packages["standard"]["mentions"] >= 1
    assert packages["standard"]["name"] == "Standard"


def test_active_sessions_are_counted_by_mode(world) -> None:  # type: ignore[no-untyped-def]
    body = get(world, "/api/widgets/active/sessions?minutes=30")
    assert body["by_mode"] == {"bot": 1, "pending": 0, "human": 1} and body["total"] == 2 and body["minutes"] == 30


def test_response_times_give_bot_and_agent_percentiles(world) -> None:  # type: ignore[no-untyped-def]
    body = get(world, "/api/widgets/response/times?days=30")
    assert body["bot"]["count"] == 3 and body["bot"]["p50_ms"] is not None
    assert body["bot"]["p50_ms"] <= body["bot"]["p95_ms"]
    assert body["agent_first_response"]["count"] == 1 and body["agent_first_response"]["p95_ms"] is not None


def test_satisfaction_scores_give_the_distribution_and_comments(world) -> None:  # type: ignore[no-untyped-def]
    body = get(world, "/api/widgets/satisfaction/scores?days=30")
    assert body["distribution"] == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1}
    assert (body["count"], body["average"], body["comments"]) == (1, 5.0, 1)


def test_the_custom_widget_groups_allow_listed_metrics_and_names_the_bad_field(world) -> None:  # type: ignore[no-untyped-def]
    admin, headers = world["admin"], world["headers"]
    ok = admin.post(
        "/api/widgets/custom", headers=headers, json={"days": 3, "metrics": ["conversations", "leads"], "group_by": "day"}
    )
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["rows"][-1] == {"day": today(world), "conversations": 2, "leads": 1}
    by_intent = admin.post(
        "/api/widgets/custom",
        headers=headers,
        json={"metrics": ["replies"], "group_by": "intent", "filters": {"intent": ["pricing"]}},
    )
    assert by_intent.get_json()["rows"] == [{"intent": "pricing", "replies": 1}]
    bad = admin.post(
        "/api/widgets/custom", headers=headers, json={"metrics": ["conversations", "passwords"], "filters": {"country": ["pl"]}}
    )
    assert bad.status_code == 400
    fields = {d["field"] for d in bad.get_json()["details"]}
    assert fields == {"metrics[1]", "filters.country"}


@pytest.mark.parametrize("days", ["0", "366", "abc", "-1", "7.5"])
def test_days_outside_1_to_365_is_a_400_naming_days(world, days: str) -> None:  # type: ignore[no-untyped-def]
    for widget in WIDGETS:
        response = world["admin"].get(f"/api/widgets/{widget}?days={days}", headers=world["headers"])
        if widget == "active/sessions":
            continue  # counts the last N minutes, not days
        assert response.status_code == 400, widget
        assert response.get_json()["details"][0]["field"] == "days"


def test_each_widget_costs_at_most_40_billed_reads_for_30_days_and_answers_within_300_ms(world) -> None:  # type: ignore[no-untyped-def]
    db = container().clients.firestore
    for widget in [*WIDGETS, "custom"]:
        path = f"/api/widgets/{widget}?days=30"
        call = (
            (
                lambda: world["admin"].post(
                    "/api/widgets/custom", headers=world["headers"], json={"days": 30, "metrics": ["messages"], "group_by": "day"}
                )
            )
            if widget == "custom"
            else (lambda path=path: world["admin"].get(path, headers=world["headers"]))
        )
        call()  # warm: the key and tenant config are cached per instance, as in production
        with metered(db) as reads:
            started = time.perf_counter()
            response = call()
            elapsed = time.perf_counter() - started
        assert response.status_code == 200
        print(f"{widget}: {reads.reads} billed reads ({', '.join(reads.calls)}), {elapsed * 1000:.0f} ms")
        assert reads.reads <= READ_BUDGET_30_DAYS, (widget, reads.calls)
        assert elapsed <= LATENCY_BUDGET_S, (widget, elapsed)


def test_a_cold_30_day_summary_stays_within_the_read_budget(world) -> None:  # type: ignore[no-untyped-def]
    from shared.bootstrap import reset_container

    reset_container()  # a new instance: the key, the tenant config and knowledge are read too
    admin = function_app("admin").test_client()
    with metered(container().clients.firestore) as reads:
        response = admin.get("/api/widgets/metrics/summary?days=30", headers=world["headers"])
    assert response.status_code == 200
    print(f"cold summary: {reads.reads} billed reads ({', '.join(reads.calls)})")
    assert reads.reads <= READ_BUDGET_30_DAYS
