"""Issue 10, defects 4–6 on fakes: conditional turns, exact counts, take-over races, the outbox, idempotent retries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from shared.adapters.firebase_tokens import StaticTokenIssuer
from shared.adapters.in_memory_store import InMemoryConversationRepository, InMemoryTenantRepository
from shared.adapters.pubsub_events import InMemoryEventPublisher
from shared.domain.assistant import ModelReply, ModelRequest
from shared.domain.errors import RateLimitedError, ValidationFailed
from shared.domain.events import ChatEvent
from shared.services.agent import AgentService, Principal
from shared.services.chat import ChatService, ChatSettings, TurnResult
from shared.services.outbox import OutboxRelay, RelaySettings
from shared.services.ports import LanguageModel
from tests.helpers import demo_pack

NOVAHOUSE = demo_pack("novahouse")
OPEN = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
ANNA = Principal(uid="u-anna", email="anna@novahouse.test", name="Anna", tenant="novahouse", role="agent")
UNKNOWN = "What colour is the sky over your office on Tuesdays?"  # nothing in the knowledge: the model is asked


class HookedModel(LanguageModel):
    """Answers every request, first running ``during`` — what happens elsewhere while the model thinks."""

    def __init__(self) -> None:
        self.during: Callable[[], None] | None = None
        self.calls = 0

    def generate(self, request: ModelRequest) -> ModelReply:
        self.calls += 1
        hook, self.during = self.during, None
        if hook is not None:
            hook()
        return ModelReply(reply="The bot's answer.", intent="other")

    def check(self) -> str:
        return "ok"


class FlakyPublisher(InMemoryEventPublisher):
    """Fails while ``down`` is set, as Pub/Sub does in an outage."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False

    def publish(self, event: ChatEvent) -> None:
        if self.down:
            raise TimeoutError("pubsub is down")
        super().publish(event)


class World:
    def __init__(self, limit: int = 20) -> None:
        self.now = OPEN
        self.repo = InMemoryConversationRepository()
        self.model = HookedModel()
        self.events = FlakyPublisher()
        tenants = InMemoryTenantRepository(NOVAHOUSE)
        self.relay = OutboxRelay(self.events, self.repo, RelaySettings(sweep_after_seconds=0))
        self.chat = ChatService(
            tenants,
            self.repo,
            self.model,
            self.events,
            StaticTokenIssuer(),
            ChatSettings(session_turns_per_minute=limit),
            ai_enabled=True,
            clock=self.clock,
            relay=self.relay,
        )
        self.agent = AgentService(tenants, self.repo, self.events, clock=self.clock, relay=self.relay)

    def clock(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now

    def say(self, message: str, session_id: str | None = None, **extra: object) -> TurnResult:
        body: dict[str, object] = {"tenant": "novahouse", "message": message, **extra}
        if session_id:
            body["session_id"] = session_id
        return self.chat.turn(body)

    def stored(self, conv_id: str) -> list[tuple[str, str]]:
        return [(m.role, m.text) for m in self.repo.messages[("novahouse", conv_id)]]

    def count(self, conv_id: str) -> int:
        return self.repo.conversations[("novahouse", conv_id)].message_count


def test_a_made_up_session_id_is_refused_with_400_and_nothing_is_stored() -> None:
    world = World()
    with pytest.raises(ValidationFailed) as caught:
        world.say("Jaka jest gwarancja?", session_id="s_" + "a" * 40)
    assert caught.value.status == 400
    assert world.repo.conversations == {}


def test_a_session_id_issued_by_another_server_secret_is_refused() -> None:
    other = World()
    issued = other.say("Jaka jest gwarancja?").session_id
    with pytest.raises(ValidationFailed):
        World().say("A ile trwa remont?", session_id=issued)


def test_a_turn_racing_another_turn_keeps_every_message_and_exact_counts() -> None:
    world = World()
    first = world.say("Jaka jest gwarancja?")
    # While the model answers the second turn, a third turn on the same session is stored.
    world.model.during = lambda: world.say("Jaka jest gwarancja?", first.session_id)
    world.say(UNKNOWN, first.session_id)
    stored = world.stored(first.conversation_id)
    assert [role for role, _ in stored].count("guest") == 3
    assert world.count(first.conversation_id) == len(stored)
    assert world.repo.conversations[("novahouse", first.conversation_id)].guest_message_count == 3


def test_the_session_limit_holds_when_a_turn_races_another() -> None:
    world = World(limit=2)
    first = world.say("Jaka jest gwarancja?")
    world.model.during = lambda: world.say("Jaka jest gwarancja?", first.session_id)
    with pytest.raises(RateLimitedError):
        world.say(UNKNOWN, first.session_id)  # the racing turn used the last slot: this one is refused
    stored = world.stored(first.conversation_id)
    assert [role for role, _ in stored].count("guest") == 2
    assert world.count(first.conversation_id) == len(stored)


def test_a_bot_reply_racing_a_take_over_is_not_spoken_and_the_response_says_a_human_has_it() -> None:
    world = World()
    first = world.say("Jaka jest gwarancja?")
    world.model.during = lambda: world.agent.take_over(ANNA, first.conversation_id)
    result = world.say(UNKNOWN, first.session_id)
    assert (result.mode, result.source, result.response) == ("human", "agent", "")
    stored = world.stored(first.conversation_id)
    joined = next(i for i, (role, _) in enumerate(stored) if role == "system")
    assert all(role != "bot" for role, _ in stored[joined:])
    conversation = world.repo.conversations[("novahouse", first.conversation_id)]
    assert conversation.mode == "human"
    assert conversation.message_count == len(stored)
    assert conversation.last_message is not None and conversation.last_message.role == "guest"


def test_a_retried_client_message_id_returns_the_first_result_and_stores_nothing_twice() -> None:
    world = World()
    first = world.say("Jaka jest gwarancja?")
    again = {"client_message_id": "m-0001-abcdef"}
    one = world.say(UNKNOWN, first.session_id, **again)
    before = list(world.stored(first.conversation_id))
    two = world.say(UNKNOWN, first.session_id, **again)
    assert two.body() == one.body()
    assert world.stored(first.conversation_id) == before
    assert world.model.calls == 1


def test_a_malformed_client_message_id_is_a_400() -> None:
    with pytest.raises(ValidationFailed):
        World().say("Jaka jest gwarancja?", client_message_id="<script>")


def test_events_are_stored_with_the_turn_and_a_pubsub_outage_never_fails_it() -> None:
    world = World()
    world.events.down = True
    result = world.say("Chcę porozmawiać z konsultantem, mój telefon 600 100 200")
    assert result.mode == "pending"
    pending = world.repo.pending(0, 10)
    assert {e.type for e in pending} == {"handoff.requested", "lead.captured"}
    assert world.events.events == []
    world.events.down = False
    assert world.relay.sweep() == 2
    assert {e.id for e in world.events.events} == {e.id for e in pending}
    assert world.repo.pending(0, 10) == []
    assert world.relay.sweep() == 0  # delivered once; a later sweep publishes nothing again


def test_events_are_delivered_right_after_the_commit_when_pubsub_is_up() -> None:
    world = World()
    world.say("Chcę porozmawiać z konsultantem")
    assert [e.type for e in world.events.events] == ["handoff.requested"]
    assert world.repo.pending(0, 10) == []


def test_a_chat_event_keeps_its_id_through_serialisation() -> None:
    event = ChatEvent(type="lead.captured", tenant="novahouse")
    assert ChatEvent.model_validate(event.model_dump(mode="json")).id == event.id
    assert ChatEvent(type="x", tenant="y").id != event.id


def test_a_reply_stored_after_an_agent_came_and_went_is_ordered_after_them() -> None:
    world = World()
    first = world.say("Jaka jest gwarancja?")

    def agent_comes_and_goes() -> None:
        world.agent.take_over(ANNA, first.conversation_id)
        world.agent.release(ANNA, first.conversation_id)
        world.now -= timedelta(milliseconds=50)  # the turn's reply time was taken before the agent acted

    world.model.during = agent_comes_and_goes
    result = world.say(UNKNOWN, first.session_id)
    assert (result.mode, result.source) == ("bot", "llm")
    stored = sorted(world.repo.messages[("novahouse", first.conversation_id)], key=lambda m: m.created_at)
    assert [m.role for m in stored][-2:] == ["system", "bot"]  # released, then the bot speaks
