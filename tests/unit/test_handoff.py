"""When a guest wants a person, and what we honestly tell them about when someone will answer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.domain.handoff import handoff_notice, is_open, next_opening, wants_human
from tests.helpers import demo_pack

NOVAHOUSE = demo_pack("novahouse").tenant  # mon-fri 8-18, sat 9-14, sun closed


@pytest.mark.parametrize(
    "message",
    [
        "Chcę rozmawiać z konsultantem… z człowiekiem!",
        "czy moge porozmawiac z kims?",
        "can I talk to a real person",
        "I'd like to speak to someone please",
        "Poproszę doradcę",
    ],
)
def test_asking_for_a_person_is_recognised_in_polish_and_english(message: str) -> None:
    assert wants_human(message, NOVAHOUSE.handoff_keywords)


@pytest.mark.parametrize("message", ["ile kosztuje pakiet premium", "What time is check-in?", "Jaka jest gwarancja?"])
def test_ordinary_questions_are_not_a_handoff(message: str) -> None:
    assert not wants_human(message, NOVAHOUSE.handoff_keywords)


def test_a_tenant_keyword_alone_asks_for_a_person() -> None:
    assert wants_human("recepcja proszę", ["recepcja"])


def test_business_hours_follow_the_tenant_time_zone() -> None:
    assert is_open(NOVAHOUSE, datetime(2026, 11, 18, 7, 30, tzinfo=UTC))  # 08:30 Wednesday in Warsaw
    assert not is_open(NOVAHOUSE, datetime(2026, 11, 18, 17, 30, tzinfo=UTC))  # 18:30
    assert not is_open(NOVAHOUSE, datetime(2026, 11, 22, 10, 0, tzinfo=UTC))  # Sunday


def test_the_next_opening_skips_a_closed_sunday() -> None:
    opening = next_opening(NOVAHOUSE, datetime(2026, 11, 21, 19, 0, tzinfo=UTC))  # Saturday 20:00
    assert opening is not None and (opening.weekday(), opening.hour) == (0, 8)


def test_outside_hours_the_notice_says_when_we_reply() -> None:
    friday_night = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)  # 21:00 Friday → Saturday 09:00
    assert "jutro o 09:00" in handoff_notice(NOVAHOUSE, friday_night, "pl")
    assert "tomorrow at 09:00" in handoff_notice(NOVAHOUSE, friday_night, "en")


def test_inside_hours_the_notice_says_someone_is_coming() -> None:
    assert "zaraz" in handoff_notice(NOVAHOUSE, datetime(2026, 11, 18, 9, 0, tzinfo=UTC), "pl")
