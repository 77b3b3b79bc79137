from __future__ import annotations

import pytest

from tools.evaluate import ACCURACY_GOAL, FALSE_ACCEPT_GOAL, TENANTS, evaluate_tenant


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
