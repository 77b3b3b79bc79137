"""A small soak through the gateway (issue 10): races with agents, then Pub/Sub and Firestore paused mid-run.

The full run is ``python -m tools.soak`` (50 guests x 20 turns, 10 s outages); this one keeps the suite quick.
"""

from __future__ import annotations

import pytest

from tools.soak import Soak, run_phase


@pytest.fixture(scope="module")
def soak(local_cloud: dict[str, str]):  # type: ignore[no-untyped-def]
    with Soak().running() as running:
        yield running


def test_guests_racing_agents_lose_and_double_nothing(soak: Soak) -> None:
    figures = run_phase(soak, "normal", guests=5, turns=5, outage=None, outage_seconds=0, think=0.2)
    assert figures.turns_ok == figures.turns_sent == 25
    assert set(figures.statuses) == {200}
    assert figures.takeovers > 0
    assert (figures.lost, figures.doubled, figures.count_mismatches, figures.bot_after_takeover) == (0, 0, 0, 0)
    assert figures.events_undelivered == 0


def test_a_pubsub_outage_fails_no_turn_and_every_event_is_delivered_after_it(soak: Soak) -> None:
    figures = run_phase(soak, "pubsub", guests=5, turns=5, outage="pubsub", outage_seconds=3, think=0.3)
    assert figures.turns_ok == figures.turns_sent == 25
    assert set(figures.statuses) == {200}
    assert (figures.lost, figures.doubled, figures.count_mismatches) == (0, 0, 0)
    assert figures.events > 0 and figures.events_undelivered == 0


def test_a_firestore_outage_is_a_clear_503_and_the_retried_turns_are_stored_once(soak: Soak) -> None:
    figures = run_phase(soak, "firestore", guests=5, turns=5, outage="firestore", outage_seconds=4, think=0.5)
    assert figures.turns_ok == figures.turns_sent == 25
    assert set(figures.statuses) <= {200, 503} and figures.statuses[503] > 0
    assert figures.unclear_failures == 0
    assert (figures.lost, figures.doubled, figures.count_mismatches, figures.bot_after_takeover) == (0, 0, 0, 0)
