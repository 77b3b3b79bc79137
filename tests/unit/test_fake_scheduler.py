"""The local Cloud Scheduler plans each job on its cron in the job's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from infra.local.fake_scheduler import ApiError, SchedulerState

PARENT = "projects/p/locations/l"


def job(cron: str = "0 3 * * *", tz: str = "Europe/Warsaw") -> dict[str, object]:
    return {
        "name": f"{PARENT}/jobs/nightly",
        "schedule": cron,
        "timeZone": tz,
        "pubsubTarget": {"topicName": "projects/p/topics/t"},
    }


def test_a_nightly_job_at_three_in_warsaw_is_due_at_two_utc_in_winter_and_one_in_summer() -> None:
    state = SchedulerState()
    state.create(PARENT, job())
    name = f"{PARENT}/jobs/nightly"
    state._plan(name, datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    assert state.next_fire[name] == datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    state._plan(name, datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    assert state.next_fire[name] == datetime(2026, 7, 2, 1, 0, tzinfo=UTC)


def test_a_due_job_is_handed_out_once_and_planned_again() -> None:
    state = SchedulerState()
    state.create(PARENT, job())
    later = datetime.now(UTC).replace(year=datetime.now(UTC).year + 1)
    assert [j["name"] for j in state.due(later)] == [f"{PARENT}/jobs/nightly"]
    assert state.due(later) == []


def test_a_paused_job_is_never_due() -> None:
    state = SchedulerState()
    state.create(PARENT, job())
    state.set_state(f"{PARENT}/jobs/nightly", "PAUSED")
    assert state.due(datetime(2100, 1, 1, tzinfo=UTC)) == []


@pytest.mark.parametrize(("cron", "tz"), [("0 3 * *", "UTC"), ("0 3 * * *", "Mars/Base")])
def test_an_invalid_cron_or_time_zone_is_refused_like_the_api_does(cron: str, tz: str) -> None:
    with pytest.raises(ApiError) as caught:
        SchedulerState().create(PARENT, job(cron, tz))
    assert caught.value.code == 400


def test_a_second_job_of_the_same_name_conflicts() -> None:
    state = SchedulerState()
    state.create(PARENT, job())
    with pytest.raises(ApiError) as caught:
        state.create(PARENT, job())
    assert caught.value.code == 409
