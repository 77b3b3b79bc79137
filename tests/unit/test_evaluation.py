from __future__ import annotations

from typing import Any

import pytest
import yaml

from tools.evaluate import ACCURACY_GOAL, FALSE_ACCEPT_GOAL, SPLITS, TENANTS, eval_path, evaluate_tenant

# Held-out out-of-scope answers measured on 2026-11-23 with the guardrail of that day (novahouse 7/28,
# hotel 7/26): the held-out sets must not get worse while the 5 % goal below is still missed.
HELD_OUT_FALSE_ACCEPTS_CEILING = {"novahouse": 7, "hotel": 7}


def _questions(spec: dict[str, Any]) -> set[str]:
    return {c["q"].lower() for c in spec["in_scope"]} | {q.lower() for q in spec["out_of_scope"]}


@pytest.mark.parametrize("tenant", TENANTS)
def test_knowledge_answers_meet_the_evaluation_goals(tenant: str) -> None:
    result = evaluate_tenant(tenant)
    print(
        f"{tenant}: top-1 accuracy {result.accuracy:.1%} ({result.correct}/{result.in_scope}), "
        f"false-accept rate {result.false_accept_rate:.1%} ({result.false_accepts}/{result.out_of_scope})"
    )
    assert result.in_scope >= 60 and result.out_of_scope >= 20
    assert result.accuracy >= ACCURACY_GOAL, "\n".join(result.misses)
    assert result.false_accept_rate <= FALSE_ACCEPT_GOAL, "\n".join(result.misses)
    assert result.language_errors == 0


@pytest.mark.parametrize("tenant", TENANTS)
def test_no_question_is_in_two_evaluation_sets(tenant: str) -> None:
    sets = {split: _questions(yaml.safe_load(eval_path(tenant, split).read_text(encoding="utf-8"))) for split in SPLITS}
    for first in SPLITS:
        for second in SPLITS:
            if first < second:
                assert not sets[first] & sets[second], (first, second)


@pytest.mark.parametrize("tenant", TENANTS)
def test_the_held_out_set_is_large_enough_and_its_languages_are_detected(tenant: str) -> None:
    result = evaluate_tenant(tenant, split="heldout")
    print(f"{tenant} held-out: accuracy {result.accuracy:.1%}, out-of-scope answered {result.false_accept_rate:.1%}")
    assert result.in_scope >= 30 and result.out_of_scope >= 25
    assert result.language_errors == 0


@pytest.mark.parametrize("tenant", TENANTS)
def test_held_out_out_of_scope_answers_do_not_get_worse(tenant: str) -> None:
    result = evaluate_tenant(tenant, split="heldout")
    assert result.false_accepts <= HELD_OUT_FALSE_ACCEPTS_CEILING[tenant], "\n".join(result.misses)


@pytest.mark.xfail(
    strict=True,
    reason="issue 9's bar is not met yet: the lexical guardrail answers ~25 % of the held-out near-miss "
    "out-of-scope questions (same vocabulary as the business); strict, so this fails once the bar holds",
)
@pytest.mark.parametrize("tenant", TENANTS)
def test_held_out_out_of_scope_questions_are_declined_at_the_goal_rate(tenant: str) -> None:
    result = evaluate_tenant(tenant, split="heldout")
    assert result.false_accept_rate <= FALSE_ACCEPT_GOAL, "\n".join(result.misses)
