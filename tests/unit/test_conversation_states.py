"""The conversation's own transitions: what each allows, and the notices and events it returns."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.domain.conversation import AgentRef, Conversation, Message, new_message_id
from shared.domain.errors import ConflictError, RateLimitedError

NOW = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
ANNA = AgentRef(uid="u-anna", name="Anna")
PIOTR = AgentRef(uid="u-piotr", name="Piotr")


def conversation(mode: str = "bot", language: str = "en") -> Conversation:
    return Conversation(id="hotel." + "b" * 24, tenant="hotel", mode=mode, language=language, created_at=NOW, updated_at=NOW)


def message(role: str = "guest", text: str = "hello") -> Message:
    return Message(id=new_message_id(NOW, role), role=role, text=text, created_at=NOW)


def test_a_handoff_request_waits_for_a_person_tells_staff_and_raises_an_alert() -> None:
    c = conversation()
    t = c.request_handoff(NOW)
    assert c.mode == "pending"
    assert [(m.audience, m.text) for m in t.messages] == [("staff", "The guest asked to talk to a person.")]
    assert [e.type for e in t.events] == ["handoff.requested"]
    assert c.last_message is None  # a staff-only notice is never the guest-readable last message


def test_asking_again_while_waiting_or_with_a_person_changes_nothing() -> None:
    for mode in ("pending", "human"):
        c = conversation(mode)
        assert not c.request_handoff(NOW).changed and c.mode == mode


def test_a_take_over_gives_each_reader_their_own_notice() -> None:
    c = conversation("pending", language="pl")
    t = c.take_over(ANNA, NOW)
    assert (c.mode, c.assigned_agent, c.takeover_count) == ("human", ANNA, 1)
    assert [(m.audience, m.text) for m in t.messages] == [
        ("staff", "Anna przejął(-ęła) rozmowę."),
        ("guest", "Konsultant Anna dołączył(a) do rozmowy."),
    ]


def test_a_second_agent_is_refused_and_the_holder_taking_again_changes_nothing() -> None:
    c = conversation()
    c.take_over(ANNA, NOW)
    with pytest.raises(ConflictError, match="Anna has already taken over"):
        c.take_over(PIOTR, NOW)
    assert not c.take_over(ANNA, NOW).changed and c.takeover_count == 1


def test_only_the_holder_or_an_admin_releases_or_closes() -> None:
    c = conversation()
    c.take_over(ANNA, NOW)
    with pytest.raises(ConflictError):
        c.release(PIOTR, NOW)
    c.close(PIOTR, NOW, admin=True)
    assert (c.mode, c.assigned_agent) == ("closed", None)


def test_the_bot_never_speaks_while_a_person_holds_the_conversation() -> None:
    c = conversation()
    c.take_over(ANNA, NOW)
    count = c.message_count
    assert not c.bot_reply(message("bot", "an answer")).changed
    assert c.message_count == count


def test_a_guest_writing_to_a_closed_conversation_reopens_it_with_the_bot() -> None:
    c = conversation("closed")
    t = c.receive(message(), NOW, turns_per_minute=20)
    assert c.mode == "bot"
    assert [m.role for m in t.messages] == ["guest", "system"]
    assert c.message_count == 2 and c.guest_message_count == 1


def test_closing_a_closed_conversation_is_refused() -> None:
    with pytest.raises(ConflictError):
        conversation("closed").close(ANNA, NOW, admin=True)


def test_the_session_limit_is_counted_by_the_conversation() -> None:
    c = conversation()
    c.receive(message(), NOW, turns_per_minute=1)
    with pytest.raises(RateLimitedError):
        c.receive(message(), NOW, turns_per_minute=1)
