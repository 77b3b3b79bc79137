"""Experiment statistics: Wilson intervals, the always-valid difference, and the simulation."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable

import pytest

from shared.domain.experiment_stats import ArmCounts, analyze, wilson_interval

Z95 = 1.959963984540054
Decide = Callable[[ArmCounts, ArmCounts], str]


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(rng.random() < p for _ in range(n))


def _first_winner(
    rng: random.Random,
    rate_control: float,
    rate_variant: float,
    *,
    per_arm: int,
    days: int,
    decide: Decide,
) -> str | None:
    """Run one experiment with a look every day; the first winner anyone declares, if any."""
    trials = wins_c = wins_v = 0
    for day in range(days):
        today = per_arm * (day + 1) // days - per_arm * day // days
        trials += today
        wins_c += _binomial(rng, today, rate_control)
        wins_v += _binomial(rng, today, rate_variant)
        decision = decide(ArmCounts("control", trials, wins_c), ArmCounts("b", trials, wins_v))
        if decision.startswith("winner:"):
            return decision
    return None


def _always_valid(control: ArmCounts, variant: ArmCounts) -> str:
    return str(analyze([control, variant], "control")["decision"])


def _naive_z_test(control: ArmCounts, variant: ArmCounts) -> str:
    """The fixed-horizon test read every day: what the always-valid method replaces."""
    if control.trials < 100:
        return "insufficient_data"
    p_c, p_v = control.successes / control.trials, variant.successes / variant.trials
    se = math.sqrt(p_c * (1 - p_c) / control.trials + p_v * (1 - p_v) / variant.trials)
    z = (p_v - p_c) / se if se else 0.0
    if abs(z) > Z95:
        return "winner:b" if z > 0 else "winner:control"
    return "continue"


def _simulate(
    seed: int, rate_variant: float, *, per_arm: int = 2000, days: int = 30, decide: Decide = _always_valid
) -> list[str | None]:
    """200 experiments (control at 30 %), each looked at every day; their first winners."""
    rng = random.Random(seed)
    return [_first_winner(rng, 0.30, rate_variant, per_arm=per_arm, days=days, decide=decide) for _ in range(200)]


def _false_winner_rate(label: str, outcomes: list[str | None]) -> float:
    rate = sum(1 for o in outcomes if o is not None) / len(outcomes)
    print(f"\n{label}, 200 experiments: false winner in {rate:.1%}")
    return rate


def test_a_real_six_point_lift_is_declared_the_winner_in_at_least_90_percent_of_experiments() -> None:
    outcomes = _simulate(20261123, 0.36)
    power = outcomes.count("winner:b") / len(outcomes)
    wrong = outcomes.count("winner:control") / len(outcomes)
    print(
        f"\n30% vs 36%, 2000/arm, daily looks for 30 days, 200 experiments: "
        f"winner declared in {power:.1%}, wrong winner in {wrong:.1%}"
    )
    assert power >= 0.90
    assert wrong == 0.0


def test_an_a_a_experiment_peeked_at_daily_for_30_days_declares_a_false_winner_at_most_5_percent() -> None:
    outcomes = _simulate(7, 0.30)
    assert _false_winner_rate("A/A at 30%, 2000/arm, daily looks for 30 days", outcomes) <= 0.05


def test_an_a_a_experiment_running_three_times_past_its_plan_stays_under_5_percent() -> None:
    outcomes = _simulate(11, 0.30, per_arm=6000, days=90)
    assert _false_winner_rate("A/A at 30%, 6000/arm (3x the plan), daily looks for 90 days", outcomes) <= 0.05


def test_a_fixed_horizon_z_test_read_every_day_declares_far_more_false_winners() -> None:
    outcomes = _simulate(7, 0.30, decide=_naive_z_test)
    assert _false_winner_rate("A/A with a naive daily z-test (what we do NOT do)", outcomes) > 0.10


def test_wilson_interval_matches_the_textbook_values() -> None:
    lo, hi = wilson_interval(5, 10)
    assert (round(lo, 4), round(hi, 4)) == (0.2366, 0.7634)
    lo, hi = wilson_interval(0, 10)
    assert (lo, round(hi, 4)) == (0.0, 0.2775)
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_the_result_has_every_contract_field_and_is_json_ready() -> None:
    result = analyze([ArmCounts("control", 500, 150), ArmCounts("warm", 500, 200)], "control")
    json.dumps(result)
    assert set(result) >= {"method", "alpha", "control", "decision", "variants"}
    control, warm = result["variants"]
    fields = {"name", "trials", "successes", "rate", "ci95", "diff_vs_control", "diff_ci", "always_valid_p", "decision"}
    assert set(control) >= fields and set(warm) >= fields
    assert control["decision"] == "control" and control["diff_vs_control"] == 0.0
    assert warm["rate"] == 0.4 and warm["diff_vs_control"] == pytest.approx(0.1)
    lo, hi = warm["ci95"]
    assert lo < 0.4 < hi
    d_lo, d_hi = warm["diff_ci"]
    assert d_lo < 0.1 < d_hi


def test_a_clear_lift_is_a_winner_and_the_p_value_agrees_with_the_interval() -> None:
    result = analyze([ArmCounts("control", 3000, 900), ArmCounts("b", 3000, 1200)], "control")
    assert result["decision"] == "winner:b"
    b = result["variants"][1]
    assert b["decision"] == "better" and b["diff_ci"][0] > 0 and b["always_valid_p"] < 0.05


def test_the_always_valid_interval_is_wider_than_the_fixed_horizon_one() -> None:
    b = analyze([ArmCounts("control", 1000, 300), ArmCounts("b", 1000, 330)], "control")["variants"][1]
    fixed_half = Z95 * math.sqrt(0.3 * 0.7 / 1000 + 0.33 * 0.67 / 1000)
    assert b["diff_ci"][1] - b["diff_ci"][0] > 2 * fixed_half
    assert b["decision"] == "continue" and b["always_valid_p"] > 0.05


def test_p_below_alpha_exactly_when_the_interval_excludes_zero() -> None:
    for n, wins_b in [(200, 60), (200, 95), (1500, 500), (1500, 520), (4000, 1300), (9000, 2800)]:
        b = analyze([ArmCounts("c", n, int(n * 0.3)), ArmCounts("b", n, wins_b)], "c")["variants"][1]
        excludes_zero = b["diff_ci"][0] > 0 or b["diff_ci"][1] < 0
        assert (b["always_valid_p"] < 0.05) == excludes_zero, (n, wins_b, b)


def test_nothing_is_decided_below_the_minimum_sample() -> None:
    result = analyze([ArmCounts("control", 99, 0), ArmCounts("b", 99, 99)], "control")
    assert result["decision"] == "insufficient_data"
    assert result["variants"][1]["decision"] == "insufficient_data"


def test_an_arm_without_trials_has_no_rate_and_no_difference() -> None:
    result = analyze([ArmCounts("control", 0, 0), ArmCounts("b", 0, 0)], "control")
    json.dumps(result)
    assert result["decision"] == "insufficient_data"
    assert result["variants"][1]["rate"] is None and result["variants"][1]["diff_ci"] is None


def test_when_lower_is_better_a_drop_wins() -> None:
    arms = [ArmCounts("control", 3000, 900), ArmCounts("b", 3000, 600)]
    assert analyze(arms, "control", higher_is_better=False)["decision"] == "winner:b"
    assert analyze(arms, "control", higher_is_better=True)["decision"] == "winner:control"


def test_a_tight_interval_around_zero_means_no_difference() -> None:
    result = analyze([ArmCounts("control", 40000, 12000), ArmCounts("b", 40000, 12040)], "control")
    assert result["decision"] == "no_difference"
    assert result["variants"][1]["decision"] == "continue"


def test_with_several_variants_the_best_significant_one_wins() -> None:
    result = analyze(
        [ArmCounts("control", 3000, 900), ArmCounts("b", 3000, 1100), ArmCounts("c", 3000, 1250)],
        "control",
    )
    assert result["decision"] == "winner:c"
    assert [v["decision"] for v in result["variants"]] == ["control", "better", "better"]


@pytest.mark.parametrize(
    ("arms", "control"),
    [
        ([ArmCounts("control", 10, 5)], "control"),
        ([ArmCounts("a", 10, 5), ArmCounts("a", 10, 5)], "a"),
        ([ArmCounts("a", 10, 5), ArmCounts("b", 10, 5)], "missing"),
        ([ArmCounts("a", 10, 11), ArmCounts("b", 10, 5)], "a"),
        ([ArmCounts("a", -1, 0), ArmCounts("b", 10, 5)], "a"),
    ],
)
def test_impossible_counts_are_refused(arms: list[ArmCounts], control: str) -> None:
    with pytest.raises(ValueError):
        analyze(arms, control)
