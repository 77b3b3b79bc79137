"""Chat events are handled once, old ones are dropped, failures propagate for a retry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.adapters.event_ledger import InMemoryEventLedger
from shared.domain.events import ChatEvent
from shared.services.events import handle_event

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
EVENT = ChatEvent(type="lead.captured", tenant="novahouse", data={"lead_id": "l1"})


def test_an_event_is_handled_once_even_when_redelivered() -> None:
    seen: list[ChatEvent] = []
    ledger = InMemoryEventLedger()
    handlers = {"lead.captured": seen.append}
    args = {"ledger": ledger, "handlers": handlers, "max_age": timedelta(hours=1), "now": NOW}
    assert handle_event("m1", NOW, EVENT, **args) == "handled"  # type: ignore[arg-type]
    assert handle_event("m1", NOW, EVENT, **args) == "duplicate"  # type: ignore[arg-type]
    assert seen == [EVENT]


def test_an_event_older_than_the_maximum_age_is_dropped() -> None:
    ledger = InMemoryEventLedger()
    outcome = handle_event("m2", NOW - timedelta(hours=2), EVENT, ledger=ledger, handlers={}, max_age=timedelta(hours=1), now=NOW)
    assert outcome == "dropped_too_old"
    assert not ledger.done


def test_a_failing_handler_raises_and_leaves_the_event_unmarked_for_retry() -> None:
    def fail(event: ChatEvent) -> None:
        raise ConnectionError("CRM down")

    ledger = InMemoryEventLedger()
    with pytest.raises(ConnectionError):
        handle_event("m3", NOW, EVENT, ledger=ledger, handlers={"lead.captured": fail}, max_age=timedelta(hours=1), now=NOW)
    assert not ledger.is_done("m3")


def test_an_event_without_a_handler_is_acknowledged() -> None:
    ledger = InMemoryEventLedger()
    assert handle_event("m4", NOW, EVENT, ledger=ledger, handlers={}, max_age=timedelta(hours=1), now=NOW) == "ignored"
    assert ledger.is_done("m4")
