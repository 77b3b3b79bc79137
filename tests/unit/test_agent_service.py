"""Agent use cases on fakes: hand-off transitions and their notices, conflicts, tenants, WhatsApp, notes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.adapters.firebase_auth import bearer_token, principal_from_claims
from shared.adapters.firebase_tokens import StaticTokenIssuer
from shared.adapters.in_memory_language_model import InMemoryLanguageModel
from shared.adapters.in_memory_store import InMemoryConversationRepository, InMemoryTenantRepository
from shared.adapters.pubsub_events import InMemoryEventPublisher
from shared.domain.conversation import Conversation
from shared.domain.errors import ConflictError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationFailed
from shared.domain.records import ConversationWrite
from shared.services.agent import AgentService, Principal
from shared.services.chat import ChatService, ChatSettings, TurnResult
from tests.helpers import demo_pack

NOVAHOUSE = demo_pack("novahouse")
HOTEL = demo_pack("hotel")
# A Wednesday, 10:00 in Warsaw: inside business hours.
OPEN = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)

ANNA = Principal(uid="u-anna", email="anna@novahouse.test", name="Anna", tenant="novahouse", role="agent")
PIOTR = Principal(uid="u-piotr", email="piotr@novahouse.test", name="Piotr", tenant="novahouse", role="agent")
BOSS = Principal(uid="u-boss", email="boss@novahouse.test", name="Ewa", tenant="novahouse", role="admin")
EMMA = Principal(uid="u-emma", email="emma@hotel.test", name="Emma", tenant="hotel", role="agent")


class World:
    """Both services on one in-memory store, with one clock that tests move."""

    def __init__(self, now: datetime = OPEN) -> None:
        self.now = now
        self.repo = InMemoryConversationRepository()
        self.events = InMemoryEventPublisher()
        tenants = InMemoryTenantRepository(NOVAHOUSE, HOTEL)
        self.chat = ChatService(
            tenants,
            self.repo,
            InMemoryLanguageModel(),
            self.events,
            StaticTokenIssuer(),
            ChatSettings(),
            ai_enabled=False,
            clock=self.clock,
        )
        self.agent = AgentService(tenants, self.repo, self.events, clock=self.clock)

    def clock(self) -> datetime:
        self.now += timedelta(milliseconds=1)  # every action happens a little later than the one before
        return self.now

    def say(self, message: str, session_id: str | None = None, tenant: str = "novahouse") -> TurnResult:
        body = {"tenant": tenant, "message": message, **({"session_id": session_id} if session_id else {})}
        return self.chat.turn(body)

    def conversation(self, conv_id: str) -> Conversation:
        return self.repo.conversations[(conv_id.rsplit(".", 1)[0], conv_id)]

    def messages(self, conv_id: str) -> list[tuple[str, str]]:
        """What the guest can see of the stored messages (staff-only notices left out)."""
        stored = self.repo.messages[(conv_id.rsplit(".", 1)[0], conv_id)]
        return [(m.role, m.text) for m in stored if m.guest_may_see]

    def staff_view(self, conv_id: str) -> list[tuple[str, str]]:
        """What agents see of the stored messages."""
        stored = self.repo.messages[(conv_id.rsplit(".", 1)[0], conv_id)]
        return [(m.role, m.text) for m in stored if m.staff_may_see]


def test_an_agent_takes_over_a_waiting_conversation_and_the_guest_is_told_who_joined() -> None:
    world = World()
    turn = world.say("Chcę porozmawiać z konsultantem")
    body = world.agent.take_over(ANNA, turn.conversation_id)
    assert body["conversation"]["mode"] == "human"
    assert body["conversation"]["assigned_agent"] == {"uid": "u-anna", "name": "Anna"}
    assert "session_id" not in body["conversation"]
    assert world.messages(turn.conversation_id)[-1] == ("system", "Konsultant Anna dołączył(a) do rozmowy.")
    stored = world.conversation(turn.conversation_id)
    assert (stored.mode, stored.assigned_agent and stored.assigned_agent.uid) == ("human", "u-anna")


def test_an_agent_can_take_over_straight_from_the_bot_in_english() -> None:
    world = World()
    turn = world.say("What time is check-in?", tenant="hotel")
    world.agent.take_over(EMMA, turn.conversation_id)
    assert world.messages(turn.conversation_id)[-1] == ("system", "Emma from our team joined the conversation.")


def test_each_action_is_one_commit() -> None:
    world = World()
    turn = world.say("Chcę porozmawiać z konsultantem")
    for action in (
        lambda: world.agent.take_over(ANNA, turn.conversation_id),
        lambda: world.agent.reply(ANNA, turn.conversation_id, "Dzień dobry!"),
        lambda: world.agent.add_note(ANNA, turn.conversation_id, "Klient pyta o taras"),
        lambda: world.agent.release(ANNA, turn.conversation_id),
        lambda: world.agent.close(ANNA, turn.conversation_id),
    ):
        commits = world.repo.commits
        action()
        assert world.repo.commits - commits == 1


def test_a_second_agent_cannot_take_a_conversation_someone_already_has() -> None:
    world = World()
    turn = world.say("Chcę porozmawiać z konsultantem")
    world.agent.take_over(ANNA, turn.conversation_id)
    with pytest.raises(ConflictError) as err:
        world.agent.take_over(PIOTR, turn.conversation_id)
    assert err.value.status == 409 and "Anna" in err.value.message
    assert world.conversation(turn.conversation_id).assigned_agent.uid == "u-anna"  # type: ignore[union-attr]


def test_taking_over_again_by_the_same_agent_changes_nothing() -> None:
    world = World()
    turn = world.say("Chcę porozmawiać z konsultantem")
    world.agent.take_over(ANNA, turn.conversation_id)
    commits, count = world.repo.commits, len(world.messages(turn.conversation_id))
    assert world.agent.take_over(ANNA, turn.conversation_id)["conversation"]["mode"] == "human"
    assert (world.repo.commits, len(world.messages(turn.conversation_id))) == (commits, count)


def test_an_agent_reply_is_stored_with_its_author_and_seen_by_the_guest() -> None:
    world = World()
    turn = world.say("Chcę porozmawiać z konsultantem")
    world.agent.take_over(ANNA, turn.conversation_id)
    body = world.agent.reply(ANNA, turn.conversation_id, "  Dzień dobry, w czym mogę pomóc?  ")
    assert body["conversation"]["last_message"]["text"] == "Dzień dobry, w czym mogę pomóc?"
    reply = world.repo.messages[("novahouse", turn.conversation_id)][-1]
    assert (reply.role, reply.source, reply.author.name if reply.author else None) == ("agent", "agent", "Anna")
    polled = world.chat.poll({"conversation_id": turn.conversation_id, "session_id": turn.session_id})
    assert polled["messages"][-1] == {
        "id": reply.id,
        "role": "agent",
        "text": "Dzień dobry, w czym mogę pomóc?",
        "created_at": polled["messages"][-1]["created_at"],
        "source": "agent",
        "author": {"uid": "u-anna", "name": "Anna"},
    }
    assert world.events.events[-1].type == "handoff.requested"  # a web conversation publishes nothing for delivery


def test_a_reply_needs_the_conversation_in_human_mode() -> None:
    world = World()
    turn = world.say("Jaka jest gwarancja?")
    with pytest.raises(ConflictError):
        world.agent.reply(ANNA, turn.conversation_id, "Halo?")
    assert world.messages(turn.conversation_id)[-1][0] == "bot"


def test_only_the_assigned_agent_or_an_admin_may_reply() -> None:
    world = World()
    turn = world.say("Chcę porozmawiać z konsultantem")
    world.agent.take_over(ANNA, turn.conversation_id)
    with pytest.raises(ConflictError):
        world.agent.reply(PIOTR, turn.conversation_id, "To ja odpowiem")
    world.agent.reply(BOSS, turn.conversation_id, "Tu kierowniczka zmiany")
    assert world.messages(turn.conversation_id)[-1] == ("agent", "Tu kierowniczka zmiany")


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001, "dzwonek\x07", None, 42])
def test_a_bad_reply_is_refused_and_stores_nothing(text: object) -> None:
    world = World()
    turn = world.say("Chcę porozmawiać z konsultantem")
    world.agent.take_over(ANNA, turn.conversation_id)
    count = len(world.messages(turn.conversation_id))
    with pytest.raises(ValidationFailed):
        world.agent.reply(ANNA, turn.conversation_id, text)
    assert len(world.messages(turn.conversation_id)) == count


def test_another_tenants_conversation_is_forbidden() -> None:
    world = World()
    turn = world.say("What time is check-in?", tenant="hotel")
    for action in (
        lambda: world.agent.take_over(ANNA, turn.conversation_id),
        lambda: world.agent.conversation_detail(ANNA, turn.conversation_id),
        lambda: world.agent.add_note(ANNA, turn.conversation_id, "zajrzę"),
    ):
        with pytest.raises(ForbiddenError):
            action()
    assert world.conversation(turn.conversation_id).mode == "bot"


def test_a_malformed_or_unknown_conversation_id_is_refused() -> None:
    world = World()
    with pytest.raises(ValidationFailed):
        world.agent.take_over(ANNA, "../../tenants/hotel")
    with pytest.raises(NotFoundError):
        world.agent.take_over(ANNA, "novahouse." + "0" * 24)


def test_a_whatsapp_reply_is_published_for_delivery_with_the_contact() -> None:
    world = World()
    now = world.clock()
    conv = Conversation(
        id="hotel." + "a" * 24,
        tenant="hotel",
        session_id="s_" + "w" * 22,
        channel="whatsapp",
        mode="pending",
        language="en",
        created_at=now,
        updated_at=now,
        contact="whatsapp:+48600100200",
    )
    world.repo.commit(ConversationWrite(conv))
    world.agent.take_over(EMMA, conv.id)
    world.agent.reply(EMMA, conv.id, "Your room is ready.")
    event = world.events.events[-1]
    assert (event.type, event.tenant) == ("agent.replied", "hotel")
    assert event.data["conversation_id"] == conv.id
    assert event.data["text"] == "Your room is ready."
    assert event.data["contact"] == "whatsapp:+48600100200"


def test_a_note_is_internal_the_guest_never_sees_it() -> None:
    world = World()
    turn = world.say("Chcę porozmawiać z konsultantem")
    count = len(world.messages(turn.conversation_id))
    body = world.agent.add_note(ANNA, turn.conversation_id, "Stały klient, dać rabat")
    assert body["note"]["text"] == "Stały klient, dać rabat" and body["note"]["author"]["name"] == "Anna"
    assert len(world.messages(turn.conversation_id)) == count
    polled = world.chat.poll({"conversation_id": turn.conversation_id, "session_id": turn.session_id})
    assert all("rabat" not in m["text"] for m in polled["messages"])
    detail = world.agent.conversation_detail(ANNA, turn.conversation_id)
    assert [n["text"] for n in detail["notes"]] == ["Stały klient, dać rabat"]


def test_release_returns_the_conversation_to_the_bot_which_answers_again() -> None:
    world = World()
    turn = world.say("Chcę porozmawiać z konsultantem")
    world.agent.take_over(ANNA, turn.conversation_id)
    silent = world.say("Halo?", session_id=turn.session_id)
    assert (silent.source, silent.response) == ("agent", "")
    body = world.agent.release(ANNA, turn.conversation_id)
    assert body["conversation"]["mode"] == "bot" and body["conversation"]["assigned_agent"] is None
    assert world.messages(turn.conversation_id)[-1] == ("system", "Rozmowa wróciła do asystenta.")
    again = world.say("Jaka jest gwarancja?", session_id=turn.session_id)
    assert again.source == "faq" and again.response


def test_a_waiting_conversation_can_go_back_to_the_bot_without_a_take_over() -> None:
    world = World()
    turn = world.say("Chcę porozmawiać z konsultantem")
    world.agent.release(PIOTR, turn.conversation_id)
    assert world.conversation(turn.conversation_id).mode == "bot"


def test_another_agent_cannot_release_or_close_a_conversation_they_do_not_have() -> None:
    world = World()
    turn = world.say("Chcę porozmawiać z konsultantem")
    world.agent.take_over(ANNA, turn.conversation_id)
    with pytest.raises(ConflictError):
        world.agent.release(PIOTR, turn.conversation_id)
    with pytest.raises(ConflictError):
        world.agent.close(PIOTR, turn.conversation_id)
    world.agent.close(BOSS, turn.conversation_id)
    assert world.conversation(turn.conversation_id).mode == "closed"


def test_closing_tells_the_guest_and_a_closed_conversation_cannot_be_taken_over() -> None:
    world = World()
    turn = world.say("Chcę porozmawiać z konsultantem")
    world.agent.take_over(ANNA, turn.conversation_id)
    world.agent.close(ANNA, turn.conversation_id)
    assert world.messages(turn.conversation_id)[-1] == ("system", "Rozmowa została zakończona. Dziękujemy!")
    with pytest.raises(ConflictError):
        world.agent.take_over(PIOTR, turn.conversation_id)
    with pytest.raises(ConflictError):
        world.agent.close(ANNA, turn.conversation_id)


def test_moving_to_the_same_mode_is_a_conflict() -> None:
    world = World()
    turn = world.say("Jaka jest gwarancja?")
    with pytest.raises(ConflictError):
        world.agent.release(ANNA, turn.conversation_id)


def test_every_transition_is_a_notice_written_for_its_reader_in_the_conversations_language() -> None:
    world = World()
    turn = world.say("I would like to talk to a person", tenant="hotel")
    world.agent.take_over(EMMA, turn.conversation_id)
    world.agent.release(EMMA, turn.conversation_id)
    world.agent.close(EMMA, turn.conversation_id)
    guest = [text for role, text in world.messages(turn.conversation_id) if role == "system"]
    staff = [text for role, text in world.staff_view(turn.conversation_id) if role == "system"]
    assert guest == [
        "Emma from our team joined the conversation.",
        "You're back with our assistant.",
        "The conversation has been closed. Thank you!",
    ]
    assert staff == [
        "The guest asked to talk to a person.",
        "Emma took over the conversation.",
        "You're back with our assistant.",
        "The conversation has been closed. Thank you!",
    ]


def test_a_staff_only_notice_never_reaches_the_guests_poll_and_agents_get_their_own_wording() -> None:
    world = World()
    turn = world.say("I would like to talk to a person", tenant="hotel")
    world.agent.take_over(EMMA, turn.conversation_id)
    polled = world.chat.poll({"conversation_id": turn.conversation_id, "session_id": turn.session_id})
    texts = [m["text"] for m in polled["messages"]]
    assert "The guest asked to talk to a person." not in texts
    assert "Emma took over the conversation." not in texts
    assert "Emma from our team joined the conversation." in texts
    detail = world.agent.conversation_detail(EMMA, turn.conversation_id)
    agent_texts = [m["text"] for m in detail["messages"]]
    assert "The guest asked to talk to a person." in agent_texts
    assert "Emma from our team joined the conversation." not in agent_texts


def test_take_overs_and_agent_replies_are_counted_in_the_daily_roll_up() -> None:
    world = World()
    turn = world.say("Chcę porozmawiać z konsultantem")
    world.agent.take_over(ANNA, turn.conversation_id)
    world.agent.reply(ANNA, turn.conversation_id, "Dzień dobry!")
    world.agent.reply(ANNA, turn.conversation_id, "Jak mogę pomóc?")
    day = world.repo.metrics[("novahouse", "2026-11-18")]
    assert (day["takeovers"], day["agent_replies"]) == (1, 2)
    # the turn's guest, bot and staff notice, then a notice for each side and two replies
    assert day["messages"] == 3 + 4


def test_outside_business_hours_a_handoff_stays_pending_with_an_honest_message_until_an_agent_takes_it() -> None:
    sunday_noon = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)  # novahouse is closed on Sundays
    world = World(now=sunday_noon)
    turn = world.say("Chcę porozmawiać z konsultantem")
    assert turn.mode == "pending"
    assert "poza godzinami pracy" in turn.response and "jutro o 08:00" in turn.response
    later = world.say("Czekam", session_id=turn.session_id)
    assert later.mode == "pending" and later.response == ""
    world.agent.take_over(ANNA, turn.conversation_id)
    assert world.conversation(turn.conversation_id).mode == "human"


def test_the_list_is_newest_first_filtered_by_mode_and_only_the_callers_tenant() -> None:
    world = World()
    first = world.say("Chcę porozmawiać z konsultantem")
    second = world.say("Jaka jest gwarancja?")
    world.say("What time is check-in?", tenant="hotel")
    everything = world.agent.list_conversations(ANNA)["conversations"]
    assert [c["id"] for c in everything] == [second.conversation_id, first.conversation_id]
    waiting = world.agent.list_conversations(ANNA, mode="pending")["conversations"]
    assert [c["id"] for c in waiting] == [first.conversation_id]
    assert world.agent.list_conversations(ANNA, limit="1")["conversations"][0]["id"] == second.conversation_id
    with pytest.raises(ValidationFailed):
        world.agent.list_conversations(ANNA, mode="everything")
    with pytest.raises(ValidationFailed):
        world.agent.list_conversations(ANNA, limit="1000")


def test_the_detail_pages_messages_after_a_cursor() -> None:
    world = World()
    turn = world.say("Chcę porozmawiać z konsultantem")
    page = world.agent.conversation_detail(ANNA, turn.conversation_id)
    assert [m["role"] for m in page["messages"]] == ["guest", "bot", "system"]
    world.agent.take_over(ANNA, turn.conversation_id)
    later = world.agent.conversation_detail(ANNA, turn.conversation_id, page["cursor"])
    assert [m["role"] for m in later["messages"]] == ["system"]
    assert later["conversation"]["mode"] == "human"


def test_me_describes_the_caller() -> None:
    assert World().agent.me(ANNA) == {
        "uid": "u-anna",
        "email": "anna@novahouse.test",
        "name": "Anna",
        "tenant": "novahouse",
        "role": "agent",
    }


def test_a_principal_comes_only_from_agent_or_admin_claims_with_a_tenant() -> None:
    principal = principal_from_claims({"uid": "u1", "email": "a@b.test", "tenant": "hotel", "role": "admin"})
    assert (principal.tenant, principal.role, principal.display_name) == ("hotel", "admin", "a")
    refused = ({"uid": "u1", "role": "agent"}, {"uid": "u1", "tenant": "hotel", "role": "guest"}, {"uid": "u", "tenant": "hotel"})
    for claims in refused:
        with pytest.raises(ForbiddenError):
            principal_from_claims(claims)


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer   ", "Basic abc", "token-without-scheme"])
def test_a_missing_or_malformed_authorization_header_is_unauthorized(header: str | None) -> None:
    with pytest.raises(UnauthorizedError):
        bearer_token(header)
