"""The dead-letter list of the agent API: a tenant's admins see their own tenant's failed events, nobody else."""

from __future__ import annotations

from typing import Any

import pytest

from shared.bootstrap import container
from shared.domain.events import ChatEvent
from tests.conftest import function_app, random_id
from tests.functions.test_agent import as_agent, sign_in


@pytest.fixture()
def client(demo_tenants: None):  # type: ignore[no-untyped-def]
    return function_app("agent").test_client()


def _dead_lettered(tenant: str, **data: Any) -> str:
    event_id = random_id("event")
    event = ChatEvent(type="lead.captured", tenant=tenant, data=data)
    container().dead_letters.note_failure(event_id, event, "outside_service")
    container().dead_letters.record(event_id, event, 5)
    return event_id


def test_an_admin_sees_the_tenants_dead_letters_without_the_events_personal_data(client, local_cloud) -> None:  # type: ignore[no-untyped-def]
    event_id = _dead_lettered("hotel", phone="+48600100200", email="guest@example.com", conversation_id="hotel." + "b" * 24)
    admin = sign_in(local_cloud, tenant="hotel", role="admin")
    response = client.get("/api/agent/dead-letters", headers=as_agent(admin))
    assert response.status_code == 200
    [letter] = [d for d in response.get_json()["dead_letters"] if d["id"] == event_id]
    assert letter["type"] == "lead.captured" and letter["attempts"] == 5 and letter["reason"] == "outside_service"
    assert letter["conversation_id"] == "hotel." + "b" * 24 and letter["at"].endswith("Z")
    assert "+48600100200" not in response.get_data(as_text=True) and "guest@example.com" not in response.get_data(as_text=True)


def test_another_tenants_dead_letters_are_not_listed_and_asking_for_them_is_403(client, local_cloud) -> None:  # type: ignore[no-untyped-def]
    theirs = _dead_lettered("novahouse")
    admin = sign_in(local_cloud, tenant="hotel", role="admin")
    mine = client.get("/api/agent/dead-letters", headers=as_agent(admin)).get_json()["dead_letters"]
    assert theirs not in [d["id"] for d in mine]
    response = client.get("/api/agent/dead-letters", query_string={"tenant": "novahouse"}, headers=as_agent(admin))
    assert response.status_code == 403 and response.get_json()["error"] == "Forbidden"


def test_an_agent_who_is_not_an_admin_gets_403(client, local_cloud) -> None:  # type: ignore[no-untyped-def]
    agent = sign_in(local_cloud, tenant="hotel", role="agent")
    response = client.get("/api/agent/dead-letters", headers=as_agent(agent))
    assert response.status_code == 403 and set(response.get_json()) >= {"error", "message"}


def test_without_a_token_the_list_is_401_and_a_bad_limit_is_400(client, local_cloud) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/agent/dead-letters").status_code == 401
    admin = sign_in(local_cloud, tenant="hotel", role="admin")
    response = client.get("/api/agent/dead-letters", query_string={"limit": "500"}, headers=as_agent(admin))
    assert response.status_code == 400 and response.get_json()["details"][0]["field"] == "limit"
