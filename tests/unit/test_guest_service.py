"""What the widget shows before the guest asks, and cancelling a wait for a person."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.domain.errors import ConflictError, ForbiddenError
from shared.services.guest import cancel_handoff, welcome
from tests.unit.test_chat_service import World

# Saturday 21 Nov 2026, 20:00 in Warsaw: closed until Monday 08:00 (Sunday is closed).
SATURDAY_EVENING = datetime(2026, 11, 21, 19, 0, tzinfo=UTC)


def test_off_hours_the_widget_learns_the_next_opening_in_the_tenants_named_time_zone() -> None:
    world = World(now=SATURDAY_EVENING)
    info = welcome(world.service, {"tenant": "novahouse", "language": "pl"})
    assert info["availability"]["open"] is False
    assert info["availability"]["next_opening"].startswith("2026-11-23T08:00")
    assert info["availability"]["text"] == (
        "Poza godzinami pracy. Konsultanci wracają w poniedziałek o 08:00 (czasu polskiego); asystent odpowie od razu."
    )
    english = welcome(world.service, {"tenant": "novahouse", "language": "en"})
    assert "Monday at 08:00 (Polish time)" in english["availability"]["text"]


def test_the_welcome_offers_starter_questions_in_the_guests_language() -> None:
    info = welcome(World().service, {"tenant": "novahouse", "language": "en"})
    assert info["availability"]["open"] is True and info["availability"]["text"] == ""
    assert len(info["suggestions"]) == 3
    assert info["suggestions"][0] == "How much does finishing an apartment cost?"


def test_cancelling_the_wait_returns_the_conversation_to_the_bot_which_answers_again() -> None:
    world = World(now=SATURDAY_EVENING)
    first = world.say("Chcę porozmawiać z konsultantem")
    assert first.mode == "pending"
    result = cancel_handoff(world.service, {"conversation_id": first.conversation_id, "session_id": first.session_id})
    assert result["mode"] == "bot"
    assert world.stored(first)[-1].role == "system"
    again = world.say("Jaka jest gwarancja?", session_id=first.session_id)
    assert again.source == "faq" and again.mode == "bot"


def test_only_a_waiting_conversation_can_stop_waiting_and_only_by_its_own_session() -> None:
    world = World()
    first = world.say("Jaka jest gwarancja?")
    with pytest.raises(ConflictError):
        cancel_handoff(world.service, {"conversation_id": first.conversation_id, "session_id": first.session_id})
    other = world.say("Hej")
    with pytest.raises(ForbiddenError):
        cancel_handoff(world.service, {"conversation_id": first.conversation_id, "session_id": other.session_id})


def test_while_waiting_off_hours_the_bot_answers_what_it_knows_and_offers_to_take_a_contact() -> None:
    world = World(now=SATURDAY_EVENING)
    first = world.say("Chcę porozmawiać z konsultantem")
    known = world.say("Jaka jest gwarancja?", session_id=first.session_id)
    assert known.source == "faq" and known.mode == "pending"
    other = world.say("Czy zrobicie taras z drewna egzotycznego?", session_id=first.session_id)
    assert "przekazana konsultantowi" in other.response and "zostaw e-mail lub numer telefonu" in other.response
    contact = world.say("anna@example.com", session_id=first.session_id)
    assert "Dziękujemy za dane kontaktowe" in contact.response and contact.mode == "pending"
    assert next(iter(world.repo.leads.values())).email == "anna@example.com"
