"""The agent function's HTTP contract through functions-framework, against the local Firestore and Auth emulator."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

from shared.bootstrap import container
from tests.conftest import function_app, random_id
from tests.helpers import sign_in_with_password
from tools.agents import create_agent

CONVERSATION_KEYS = {
    "rating_comment",  # issue 9: agents read the guest's comment, a readable label and the contact
    "label",
    "contact",
    "lead_id",
    "id",
    "tenant",
    "channel",
    "mode",
    "language",
    "updated_at",
    "message_count",
    "last_message",
    "assigned_agent",
    "rating",
    "reply_window_ends",  # WhatsApp only; null on the web
}


@pytest.fixture()
def client(demo_tenants: None):  # type: ignore[no-untyped-def]
    return function_app("agent").test_client()


def sign_in(local_cloud: dict[str, str], tenant: str = "novahouse", role: str = "agent", name: str = "Anna") -> dict[str, str]:
    """A fresh account made with the agents tool, signed in on the Auth emulator the way the dashboard does."""
    email = f"{random_id('agent')}@{tenant}.test"
    account = create_agent(email, "correct-horse-42", tenant, role, name)
    token = sign_in_with_password(local_cloud["FIREBASE_AUTH_EMULATOR_HOST"], email, "correct-horse-42")
    return {**account, "authorization": f"Bearer {token}"}


def as_agent(agent: dict[str, str]) -> dict[str, str]:
    return {"Authorization": agent["authorization"]}


def waiting_conversation(tenant: str = "novahouse", message: str = "Chcę porozmawiać z konsultantem") -> dict[str, Any]:
    """A guest who asked for a person, through the real chat service."""
    return container().chat.turn({"tenant": tenant, "message": message}).body()


def guest_says(turn: dict[str, Any], message: str) -> dict[str, Any]:
    return container().chat.turn({"tenant": "novahouse", "message": message, "session_id": turn["session_id"]}).body()


def conversation_doc(conversation_id: str):  # type: ignore[no-untyped-def]
    tenant = conversation_id.rsplit(".", 1)[0]
    tenant_doc = container().clients.firestore.collection("tenants").document(tenant)
    return tenant_doc.collection("conversations").document(conversation_id)


def stored_messages(conversation_id: str) -> list[dict[str, Any]]:
    return [m.to_dict() for m in conversation_doc(conversation_id).collection("messages").order_by("created_at").stream()]


GARBAGE = ["Bearer not-a-token", "Bearer eyJhbGciOiJub25lIn0.e30.", "Basic YWdlbnQ6cGFzcw=="]


@pytest.mark.parametrize("authorization", [None, *GARBAGE])
def test_without_a_valid_id_token_every_route_is_401(client, authorization) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": authorization} if authorization else {}
    conversation = f"/api/agent/conversations/novahouse.{'0' * 24}"
    routes = [("get", "/api/agent/me"), ("get", "/api/agent/conversations"), ("get", f"{conversation}/messages")]
    routes += [("post", f"{conversation}/{action}") for action in ("takeover", "reply", "release", "close", "notes")]
    routes += [("get", f"{conversation}/media/photo.jpg"), ("get", f"{conversation}/contact")]
    routes += [("get", "/api/agent/dead-letters"), ("get", "/api/agent/canned-responses")]
    from functions.agent.main import app as agent_app

    assert len(routes) == len(agent_app.rules()) == 12  # every route the function has
    for method, path in routes:
        response = getattr(client, method)(path, headers=headers)
        assert response.status_code == 401, (path, response.get_json())
        assert response.get_json()["error"] == "Unauthorized" and response.get_json()["message"]


def test_a_guest_token_is_not_an_agents(client, local_cloud) -> None:  # type: ignore[no-untyped-def]
    started = container().chat.start_session({"tenant": "novahouse"})
    host = local_cloud["FIREBASE_AUTH_EMULATOR_HOST"]
    signed_in = requests.post(
        f"http://{host}/identitytoolkit.googleapis.com/v1/accounts:signInWithCustomToken?key=local",
        json={"token": started["token"], "returnSecureToken": True},
        timeout=10,
    ).json()
    response = client.get("/api/agent/conversations", headers={"Authorization": f"Bearer {signed_in['idToken']}"})
    assert response.status_code == 403 and response.get_json()["error"] == "Forbidden"


def test_me_comes_from_the_verified_token_and_its_claims(client, local_cloud) -> None:  # type: ignore[no-untyped-def]
    agent = sign_in(local_cloud, tenant="hotel", role="admin", name="James")
    body = client.get("/api/agent/me", headers=as_agent(agent)).get_json()
    assert body == {"uid": agent["uid"], "email": agent["email"], "name": "James", "tenant": "hotel", "role": "admin"}


def test_another_tenants_conversation_is_403_and_untouched(client, local_cloud) -> None:  # type: ignore[no-untyped-def]
    agent = sign_in(local_cloud, tenant="novahouse")
    hotel = waiting_conversation("hotel", "I'd like to talk to a person")
    path = f"/api/agent/conversations/{hotel['conversation_id']}"
    for method, suffix in (("post", "/takeover"), ("get", "/messages"), ("post", "/release"), ("post", "/close")):
        response = getattr(client, method)(path + suffix, headers=as_agent(agent))
        assert response.status_code == 403, (suffix, response.get_json())
    assert client.post(path + "/reply", json={"text": "hej"}, headers=as_agent(agent)).status_code == 403
    assert conversation_doc(hotel["conversation_id"]).get().to_dict()["mode"] == "pending"


def test_take_over_reply_and_return_to_the_bot_are_visible_in_firestore(client, local_cloud) -> None:  # type: ignore[no-untyped-def]
    agent = sign_in(local_cloud, name="Anna")
    turn = waiting_conversation()
    conv_id = turn["conversation_id"]
    base = f"/api/agent/conversations/{conv_id}"

    queue = client.get("/api/agent/conversations?mode=pending&limit=100", headers=as_agent(agent)).get_json()["conversations"]
    assert conv_id in [c["id"] for c in queue]
    assert all(c["tenant"] == "novahouse" and c["mode"] == "pending" and "session_id" not in c for c in queue)

    taken = client.post(f"{base}/takeover", headers=as_agent(agent))
    assert taken.status_code == 200, taken.get_json()
    assert set(taken.get_json()["conversation"]) == CONVERSATION_KEYS
    stored = conversation_doc(conv_id).get().to_dict()
    assert stored["mode"] == "human" and stored["assigned_agent"] == {"uid": agent["uid"], "name": "Anna"}
    assert stored["last_message"]["text"] == "Konsultant Anna dołączył(a) do rozmowy."

    replied = client.post(f"{base}/reply", json={"text": "Dzień dobry, tu Anna. W czym pomóc?"}, headers=as_agent(agent))
    assert replied.status_code == 200, replied.get_json()
    last = stored_messages(conv_id)[-1]
    assert (last["role"], last["source"], last["author"]["name"]) == ("agent", "agent", "Anna")

    while_human = guest_says(turn, "Dziękuję!")
    assert (while_human["source"], while_human["response"]) == ("agent", "")

    released = client.post(f"{base}/release", headers=as_agent(agent))
    assert released.get_json()["conversation"]["mode"] == "bot"
    assert conversation_doc(conv_id).get().to_dict()["assigned_agent"] is None
    again = guest_says(turn, "Jaka jest gwarancja?")
    assert again["source"] == "faq" and again["response"]

    roles = [m["role"] for m in stored_messages(conv_id)]
    # the hand-off and the take-over each leave a notice for staff; the guest gets their own wording
    assert roles == ["guest", "bot", "system", "system", "system", "agent", "guest", "system", "guest", "bot"]
    system = [(m.get("audience", "all"), m["text"]) for m in stored_messages(conv_id) if m["role"] == "system"]
    assert system[1:] == [
        ("staff", "Anna przejął(-ęła) rozmowę."),
        ("guest", "Konsultant Anna dołączył(a) do rozmowy."),
        ("all", "Rozmowa wróciła do asystenta."),
    ]

    page = client.get(f"{base}/messages", headers=as_agent(agent)).get_json()
    assert [m["role"] for m in page["messages"]][:3] == ["guest", "bot", "system"] and page["cursor"]
    later = client.get(f"{base}/messages", query_string={"after": page["cursor"]}, headers=as_agent(agent)).get_json()
    assert later["messages"] == []


def test_reply_before_take_over_is_409_and_bad_text_is_400(client, local_cloud) -> None:  # type: ignore[no-untyped-def]
    agent = sign_in(local_cloud)
    conv_id = waiting_conversation()["conversation_id"]
    base = f"/api/agent/conversations/{conv_id}"
    assert client.post(f"{base}/reply", json={"text": "Halo"}, headers=as_agent(agent)).status_code == 409
    client.post(f"{base}/takeover", headers=as_agent(agent))
    for body in ({"text": ""}, {"text": "x" * 2001}, {"text": "bell\x07"}, {}):
        response = client.post(f"{base}/reply", json=body, headers=as_agent(agent))
        assert response.status_code == 400 and set(response.get_json()) >= {"error", "message"}


def test_a_note_goes_to_the_notes_collection_not_the_messages(client, local_cloud) -> None:  # type: ignore[no-untyped-def]
    agent = sign_in(local_cloud)
    conv_id = waiting_conversation()["conversation_id"]
    count = len(stored_messages(conv_id))
    response = client.post(f"/api/agent/conversations/{conv_id}/notes", json={"text": "Oddzwonić jutro"}, headers=as_agent(agent))
    assert response.status_code == 200, response.get_json()
    assert len(stored_messages(conv_id)) == count
    notes = [n.to_dict() for n in conversation_doc(conv_id).collection("notes").stream()]
    assert [n["text"] for n in notes] == ["Oddzwonić jutro"]
    detail = client.get(f"/api/agent/conversations/{conv_id}/messages", headers=as_agent(agent)).get_json()
    assert [n["text"] for n in detail["notes"]] == ["Oddzwonić jutro"]


def test_close_then_the_guest_reopens_with_the_bot(client, local_cloud) -> None:  # type: ignore[no-untyped-def]
    agent = sign_in(local_cloud)
    turn = waiting_conversation()
    closed = client.post(f"/api/agent/conversations/{turn['conversation_id']}/close", headers=as_agent(agent))
    assert closed.get_json()["conversation"]["mode"] == "closed"
    assert client.post(f"/api/agent/conversations/{turn['conversation_id']}/close", headers=as_agent(agent)).status_code == 409
    reopened = guest_says(turn, "Jaka jest gwarancja?")
    assert reopened["mode"] == "bot" and reopened["source"] == "faq"


# Five races per run, so a lucky interleaving cannot pass it by chance. The local Firestore server does
# not isolate transactions; the create-only assignment record each take-over writes is what picks one
# winner there (Google's Firestore also serialises the transactions themselves).
def test_when_two_agents_take_the_same_conversation_at_once_exactly_one_wins(client, local_cloud) -> None:  # type: ignore[no-untyped-def]
    anna, piotr = sign_in(local_cloud, name="Anna"), sign_in(local_cloud, name="Piotr")
    for _ in range(5):
        conv_id = waiting_conversation()["conversation_id"]
        results = race_to_take_over(conv_id, anna, piotr)
        statuses = sorted(status for status, _ in results.values())
        assert statuses == [200, 409], results
        winner = next(uid for uid, (status, _) in results.items() if status == 200)
        stored = conversation_doc(conv_id).get().to_dict()
        assert stored["mode"] == "human" and stored["assigned_agent"]["uid"] == winner
        joined = [m for m in stored_messages(conv_id) if m["role"] == "system" and "dołączył" in m["text"]]
        assert len(joined) == 1


def race_to_take_over(conv_id: str, *agents: dict[str, str]) -> dict[str, tuple[int, Any]]:
    """Every agent posts take-over at the same moment, each from its own thread and client."""
    start = threading.Barrier(len(agents))
    results: dict[str, tuple[int, Any]] = {}

    def take(agent: dict[str, str]) -> None:
        own_client = function_app("agent").test_client()
        start.wait()
        response = own_client.post(f"/api/agent/conversations/{conv_id}/takeover", headers=as_agent(agent))
        results[agent["uid"]] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=take, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results
