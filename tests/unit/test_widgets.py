"""Widget figures from roll-up counters: percentiles, summaries, the custom query's allow-lists."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from shared.domain import widgets as w
from shared.domain.errors import ValidationFailed
from shared.domain.metrics import LATENCY_BUCKETS_MS, first_reply_increments, turn_increments
from shared.domain.widgets_custom import parse_custom, run_custom

PRICES = w.Prices(0.30, 2.50, 0.06, 0.18)


def test_percentiles_interpolate_inside_the_bucket_the_quantile_falls_in() -> None:
    histogram = {"le_100": 50, "le_250": 40, "le_500": 10}
    p = w.histogram_percentiles(histogram, LATENCY_BUCKETS_MS, total_ms=100 * 150)
    assert p.count == 100 and p.p50_ms == 100 and p.p95_ms == 375 and p.avg_ms == 150


def test_an_empty_histogram_has_no_percentiles() -> None:
    assert w.histogram_percentiles({}, LATENCY_BUCKETS_MS, 0) == w.Percentiles(0, None, None, None)


def test_the_open_ended_bucket_reports_its_bound() -> None:
    assert w.histogram_percentiles({"gt_8000": 3}, LATENCY_BUCKETS_MS, 30000).p95_ms == 8000


def test_the_summary_rates_and_cost_come_from_counters() -> None:
    counts = {
        "conversations": 4,
        "messages": 20,
        "handoffs": 1,
        "ratings": 2,
        "rating_sum": 9,
        "tokens_in": 1_000_000,
        "guest_messages": 8,
    }
    s = w.summarize(counts, PRICES)
    assert (s.bot_resolution_rate, s.handoff_rate, s.csat_avg, s.avg_messages_per_conversation) == (0.75, 0.25, 4.5, 5.0)
    assert s.model_tokens == 1_000_000 and s.estimated_cost_usd == pytest.approx(
        0.30 + 8 * 0.06e-5 + (20 + 16) * 0.18e-5, abs=1e-6
    )


def test_an_empty_period_has_zeros_and_no_rates() -> None:
    s = w.summarize({}, PRICES)
    assert s.total_conversations == 0 and s.bot_resolution_rate is None and s.csat_avg is None


@pytest.mark.parametrize("raw", ["0", "366", "x", "1.5", "-3", " 7"])
def test_days_must_be_1_to_365(raw: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        w.parse_days(raw)
    assert err.value.details[0]["field"] == "days"


def test_the_period_ends_today_in_the_tenants_time_zone() -> None:
    # 23:30 UTC on 1 March is already 2 March in Warsaw.
    period = w.period_ending_today(7, "Europe/Warsaw", datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    assert (period.first, period.last) == (date(2026, 2, 24), date(2026, 3, 2)) and len(period.days) == 7


def test_a_quoted_package_counts_as_quote_and_mention() -> None:
    counts = turn_increments(
        new_conversation=False,
        messages=2,
        source="tool",
        intent="pricing",
        packages=["standard"],
        latency_ms=40,
        lead_captured=False,
        handoff=False,
    )
    assert w.packages(counts, 10) == [w.PackageFigures("standard", 1, 1)]


def test_an_agents_first_reply_is_measured_from_the_hand_off_once() -> None:
    from shared.domain.conversation import Conversation

    at = datetime(2026, 1, 1, tzinfo=UTC)
    conversation = Conversation(id="x.0", tenant="x", language="pl", created_at=at, updated_at=at, handoff_at=at)
    counts = first_reply_increments(conversation, datetime(2026, 1, 1, 0, 0, 20, tzinfo=UTC))
    assert counts == {"agent_first_ms.le_30000": 1, "agent_first_ms_sum": 20000, "agent_first_replies": 1}
    assert first_reply_increments(conversation, datetime(2026, 1, 1, 0, 1, tzinfo=UTC)) == {}


def test_a_custom_query_outside_the_allow_lists_names_every_bad_field() -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_custom(
            {"metrics": ["messages", "secrets"], "group_by": "week", "filters": {"intent": ["x"], "os": ["y"]}, "sql": "1"}
        )
    fields = {d["field"] for d in err.value.details}
    assert fields == {"sql", "group_by", "metrics[1]", "filters.os", "filters.intent"}


def test_a_custom_query_groups_variant_outcomes() -> None:
    days = {"2026-01-01": {"ab.e1.control.conversations": 10, "ab.e1.control.handoffs": 5, "ab.e1.b.conversations": 10}}
    query = parse_custom(
        {"metrics": ["conversations", "bot_resolution_rate"], "group_by": "variant", "filters": {"experiment": "e1"}}
    )
    period = w.Period(date(2026, 1, 1), date(2026, 1, 1), "UTC")
    assert run_custom(query, days, period) == [
        {"experiment": "e1", "variant": "b", "conversations": 10, "bot_resolution_rate": 1.0},
        {"experiment": "e1", "variant": "control", "conversations": 10, "bot_resolution_rate": 0.5},
    ]


@pytest.mark.parametrize("group_by", [["day"], {"x": 1}, 3])
def test_a_custom_grouping_that_is_not_a_name_is_a_400_naming_it_not_a_crash(group_by: object) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_custom({"metrics": ["conversations"], "group_by": group_by})
    assert "group_by" in [d["field"] for d in refused.value.details]
