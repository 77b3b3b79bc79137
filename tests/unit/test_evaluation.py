from __future__ import annotations

from typing import Any

import pytest
import yaml

from shared.domain.answer_gate import GATE_PATH, AnswerGate, default_gate
from shared.domain.answering import answer_from_knowledge
from shared.domain.retrieval import DEFAULT_FAQ_THRESHOLD
from shared.domain.text import question_cues
from tests.helpers import demo_index, demo_pack
from tools.evaluate import ACCURACY_GOAL, FALSE_ACCEPT_GOAL, SPLITS, TENANTS, eval_path, evaluate_tenant
from tools.train_gate import FEATURES, TRAINING_SPLITS, train

# Held-out out-of-scope answers measured on 2026-11-23, run once after the demo packs got more natural ways of
# asking per FAQ and the gate was retrained (novahouse 2/28, hotel 2/26; 4/28 and 3/26 before the richer packs,
# 5/28 and 4/26 with the first gate, 7/28 and 7/26 without a gate): the held-out sets must not get worse while
# the 5 % goal below is still missed.
HELD_OUT_FALSE_ACCEPTS_CEILING = {"novahouse": 2, "hotel": 2}

# Near-miss figures are reported, not held to the 5 % goal: the second batch (2026-11-23, ~60 out-of-scope
# questions and ~35 hard in-scope paraphrases per tenant) is harder than the lexical features separate at
# the tune set's 90 % accuracy. Measured after the packs were enriched and the gate retrained; they must not
# get worse.
NEAR_MISS_FALSE_ACCEPTS_CEILING = {"novahouse": 3, "hotel": 4}
NEAR_MISS_ACCURACY_FLOOR = {"novahouse": 37, "hotel": 26}


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
    reason="issue 9's bar is not met yet: with the richer packs and the learned gate ~7-8 % of the held-out "
    "out-of-scope questions (same vocabulary as the business) still get an answer; strict, so this fails once the bar holds",
)
@pytest.mark.parametrize("tenant", TENANTS)
def test_held_out_out_of_scope_questions_are_declined_at_the_goal_rate(tenant: str) -> None:
    result = evaluate_tenant(tenant, split="heldout")
    assert result.false_accept_rate <= FALSE_ACCEPT_GOAL, "\n".join(result.misses)


def test_the_committed_answer_gate_is_what_training_on_the_tuning_sets_gives() -> None:
    gate, faq_threshold = train()
    assert GATE_PATH.read_text(encoding="utf-8") == gate.to_json(), "run python -m tools.train_gate"
    assert faq_threshold == DEFAULT_FAQ_THRESHOLD


def test_the_answer_gate_is_trained_without_the_held_out_sets_and_weighs_as_expected() -> None:
    gate = default_gate()
    assert "heldout" not in TRAINING_SPLITS
    assert gate.features == FEATURES and 0 < gate.threshold < 1
    weights = dict(zip(gate.features, gate.weights, strict=True))
    assert weights["confidence"] > 0 and weights["margin"] > 0
    assert weights["third_party"] < 0 and weights["about_bot"] < 0 and weights["names"] < 0
    assert weights["not_a_guest"] < 0


def test_the_near_miss_sets_hold_enough_out_of_scope_questions_and_hard_in_scope_paraphrases() -> None:
    for tenant in TENANTS:
        spec = yaml.safe_load(eval_path(tenant, "nearmiss").read_text(encoding="utf-8"))
        assert len(spec["out_of_scope"]) >= 75 and len(spec["in_scope"]) >= 30


def test_job_applications_and_partnership_offers_are_seen_as_not_from_a_guest() -> None:
    assert question_cues("szukam pracy jako malarz, zatrudniacie?", "pl")["not_a_guest"]
    assert question_cues("are you hiring receptionists", "en")["not_a_guest"]
    assert not question_cues("macie swoich fachowcow czy podwykonawcy?", "pl")["not_a_guest"]


def test_a_price_asked_about_someone_elses_goods_gets_no_quote_even_with_a_package_word() -> None:
    answer = answer_from_knowledge(
        demo_pack("hotel"), demo_index("hotel"), "how much does an apartment in the old town cost to buy", "en"
    )
    assert answer.source != "tool" and answer.quotes == []
    quote = answer_from_knowledge(demo_pack("hotel"), demo_index("hotel"), "deluxe river view for 2 nights, how much?", "en")
    assert quote.source == "tool"


@pytest.mark.parametrize("tenant", TENANTS)
def test_the_answer_gate_declines_more_near_miss_questions_at_the_cost_of_one_tune_question_at_most(tenant: str) -> None:
    gated, open_ = evaluate_tenant(tenant, split="nearmiss"), evaluate_tenant(tenant, split="nearmiss", gate=AnswerGate.open())
    assert gated.false_accepts < open_.false_accepts
    assert gated.false_accepts <= NEAR_MISS_FALSE_ACCEPTS_CEILING[tenant], "\n".join(gated.misses)
    assert gated.correct >= NEAR_MISS_ACCURACY_FLOOR[tenant], "\n".join(gated.misses)
    gated_tune, open_tune = evaluate_tenant(tenant), evaluate_tenant(tenant, gate=AnswerGate.open())
    assert gated_tune.correct >= open_tune.correct - 1 and gated_tune.accuracy >= ACCURACY_GOAL
