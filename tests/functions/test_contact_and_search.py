"""Issue 9 through the gateway: the page a guest wrote from and the lead on the contact card, and search
over the tenant's conversations — real functions, local Firestore and Auth emulator."""

from __future__ import annotations

import random
import string
from typing import Any

import pytest
import requests

from shared.bootstrap import container
from tests.conftest import random_id
from tests.functions.test_agent import sign_in

ORIGIN = "https://novahouse.pl"


def letters(n: int = 10) -> str:
    """A unique word of letters only (so the search folds and trims it like any other word)."""
    return "".join(random.choices(string.ascii_lowercase, k=n))


@pytest.fixture(scope="module")
def agents(gateway: str, demo_tenants: None, local_cloud: dict[str, str]) -> dict[str, dict[str, str]]:
    return {"novahouse": sign_in(local_cloud), "hotel": sign_in(local_cloud, tenant="hotel", name="Emma")}


def guest(gateway: str, path: str, body: dict[str, Any], origin: str = ORIGIN) -> dict[str, Any]:
    response = requests.post(f"{gateway}{path}", json=body, headers={"Origin": origin}, timeout=30)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def agent_get(gateway: str, agent: dict[str, str], path: str, **params: str) -> requests.Response:
    return requests.get(f"{gateway}{path}", params=params, headers={"Authorization": agent["authorization"]}, timeout=30)


def stored(conversation_id: str) -> dict[str, Any]:
    tenant = conversation_id.rsplit(".", 1)[0]
    doc = container().clients.firestore.document(f"tenants/{tenant}/conversations/{conversation_id}").get()
    data: dict[str, Any] = doc.to_dict() or {}
    return data


def test_the_page_url_is_stored_without_query_and_a_foreign_one_is_dropped(gateway: str, agents: dict[str, Any]) -> None:
    session = guest(gateway, "/api/chat/session", {"tenant": "novahouse", "page_url": f"{ORIGIN}/oferta/lazienki?token=abc#x"})
    turn = guest(
        gateway,
        "/api/chat",
        {
            "tenant": "novahouse",
            "session_id": session["session_id"],
            "message": "Dzień dobry",
            "page_url": "https://evil.example/x",
        },
    )
    data = stored(turn["conversation_id"])
    assert data["page_url"] == data["last_page_url"] == f"{ORIGIN}/oferta/lazienki"
    card = agent_get(gateway, agents["novahouse"], f"/api/agent/conversations/{turn['conversation_id']}/contact").json()
    assert card["page_url"] == f"{ORIGIN}/oferta/lazienki"

    foreign = guest(gateway, "/api/chat", {"tenant": "novahouse", "message": "Hej", "page_url": "https://evil.example/novahouse"})
    assert stored(foreign["conversation_id"]).get("page_url") is None


def test_lead_details_are_on_the_contact_card_for_the_tenants_agents_only(gateway: str, agents: dict[str, Any]) -> None:
    email = f"{random_id('jan')}@example.com"
    first = guest(gateway, "/api/chat", {"tenant": "novahouse", "message": "Chcę wycenić remont", "page_url": f"{ORIGIN}/"})
    more = {"tenant": "novahouse", "session_id": first["session_id"]}
    guest(gateway, "/api/chat", {**more, "message": f"Nazywam się Jan, mail {email}, tel. +48 600 700 800"})
    path = f"/api/agent/conversations/{first['conversation_id']}/contact"
    card = agent_get(gateway, agents["novahouse"], path)
    assert card.status_code == 200
    body = card.json()
    assert (body["name"], body["email"], body["phone"]) == ("Jan", email, "+48600700800")
    assert (body["channel"], body["language"], body["page_url"]) == ("web", "pl", f"{ORIGIN}/")
    assert agent_get(gateway, agents["hotel"], path).status_code == 403
    missing = "/api/agent/conversations/novahouse.000000000000000000000000/contact"
    assert agent_get(gateway, agents["novahouse"], missing).status_code == 404


def test_search_finds_a_conversation_by_a_folded_word_and_by_the_lead_email_never_another_tenants(
    gateway: str, agents: dict[str, Any]
) -> None:
    word = letters()
    email = f"{random_id('ola')}@example.com"
    first = guest(gateway, "/api/chat", {"tenant": "novahouse", "message": f"Remont: łazienka{word} na piętrze"})
    guest(gateway, "/api/chat", {"tenant": "novahouse", "session_id": first["session_id"], "message": f"Mój e-mail: {email}"})
    hotel = guest(
        gateway, "/api/chat", {"tenant": "hotel", "message": f"Lazienka{word} please"}, origin="https://vistulariverside.pl"
    )
    found = agent_get(gateway, agents["novahouse"], "/api/agent/conversations", q=f"lazienka{word}")
    assert found.status_code == 200
    assert [c["id"] for c in found.json()["conversations"]] == [first["conversation_id"]]
    by_email = agent_get(gateway, agents["novahouse"], "/api/agent/conversations", q=email).json()["conversations"]
    assert [c["id"] for c in by_email] == [first["conversation_id"]]
    assert "search_terms" not in by_email[0]
    theirs = agent_get(gateway, agents["hotel"], "/api/agent/conversations", q=f"łazienka{word}").json()["conversations"]
    assert [c["id"] for c in theirs] == [hotel["conversation_id"]]


@pytest.mark.parametrize("q", ["", "?", "x" * 101])
def test_a_bad_search_is_400_with_a_json_error(gateway: str, agents: dict[str, Any], q: str) -> None:
    response = agent_get(gateway, agents["novahouse"], "/api/agent/conversations", q=q)
    assert response.status_code == 400
    assert set(response.json()) >= {"error", "message"}
