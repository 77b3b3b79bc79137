from __future__ import annotations

import pytest
import yaml

from tools.evaluate import ACCURACY_GOAL, FALSE_ACCEPT_GOAL, TENANTS, eval_path, evaluate_tenant


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
def test_held_out_questions_are_separate_from_the_tuning_ones_and_get_evaluated(tenant: str) -> None:
    tune = yaml.safe_load(eval_path(tenant, "tune").read_text(encoding="utf-8"))
    held = yaml.safe_load(eval_path(tenant, "heldout").read_text(encoding="utf-8"))

    def questions(spec: dict[str, list]) -> set[str]:  # type: ignore[type-arg]
        return {c["q"].lower() for c in spec["in_scope"]} | {q.lower() for q in spec["out_of_scope"]}

    assert not questions(tune) & questions(held)
    result = evaluate_tenant(tenant, split="heldout")
    assert result.in_scope >= 25 and result.out_of_scope >= 20
    assert result.language_errors == 0
