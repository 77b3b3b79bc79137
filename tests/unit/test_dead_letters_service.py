from __future__ import annotations

import pytest

from shared.adapters.delivery_records import InMemoryDeadLetters
from shared.domain.errors import ForbiddenError, ServiceUnavailableError, ValidationFailed
from shared.domain.events import ChatEvent
from shared.services.agent import Principal
from shared.services.channel_ports import DeliveryFailed
from shared.services.dead_letters import failure_class, recent_dead_letters

ADMIN = Principal(uid="u-eva", email="eva@hotel.test", name="Eva", tenant="hotel", role="admin")
AGENT = Principal(uid="u-emma", email="emma@hotel.test", name="Emma", tenant="hotel", role="agent")


def test_an_admin_sees_only_their_tenants_dead_letters_newest_first() -> None:
    letters = InMemoryDeadLetters()
    letters.record("e1", ChatEvent(type="lead.captured", tenant="hotel"), 5)
    letters.record("e2", ChatEvent(type="agent.replied", tenant="hotel"), 5)
    letters.record("e3", ChatEvent(type="lead.captured", tenant="novahouse"), 5)
    assert [d.id for d in recent_dead_letters(letters, ADMIN)] == ["e2", "e1"]


def test_an_agent_or_another_tenants_admin_is_refused() -> None:
    with pytest.raises(ForbiddenError):
        recent_dead_letters(InMemoryDeadLetters(), AGENT)
    with pytest.raises(ForbiddenError):
        recent_dead_letters(InMemoryDeadLetters(), ADMIN, tenant="novahouse")


@pytest.mark.parametrize("limit", ["²", "0", "51", "-1", "x"])
def test_a_limit_that_is_not_a_small_whole_number_is_refused(limit: str) -> None:
    with pytest.raises(ValidationFailed):
        recent_dead_letters(InMemoryDeadLetters(), ADMIN, None, limit)


def test_a_failure_is_kept_as_its_class_never_its_text() -> None:
    assert failure_class(DeliveryFailed("Monday answered 502 token=abc")) == "outside_service"
    assert failure_class(ServiceUnavailableError("down")) == "database_unavailable"
    assert failure_class(TimeoutError()) == "timeout"
    assert failure_class(KeyError("x")) == "internal_error"
