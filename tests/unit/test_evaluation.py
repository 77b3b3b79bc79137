from __future__ import annotations

from typing import Any

import pytest
import yaml

from shared.domain.answer_gate import GATE_PATH, AnswerGate, default_gate
from shared.domain.answering import answer_from_knowledge
from shared.domain.retrieval import DEFAULT_FAQ_THRESHOLD
from shared.domain.text import question_cues
from tests.helpers import demo_index, demo_pack
from tools.evaluate import (
    ACCURACY_GOAL,
    FALSE_ACCEPT_GOAL,
    HELD_OUT_SPLITS,
    SPLITS,
    TENANTS,
    eval_path,
    evaluate_tenant,
)
from tools.train_gate import FEATURES, TRAINING_SPLITS, train

# Held-out out-of-scope answers, per held-out set, that must not get worse while the 5 % goal below is still missed.
# Version 2 (28 and 26 questions): 2/28 and 2/26 since the demo packs got more natural ways of asking per FAQ
# (4/28 and 3/26 before, 5/28 and 4/26 with the first gate, 7/28 and 7/26 without a gate). Version 3 (60 each,
# written by an author who saw neither the rules nor any other set): looked at after the background feature with
# the third near-miss batch, and after package descriptions joined the gate: 4/60 and 5/60 both times (the gate
# before them: 5/60 and 5/60; no gate: 7/60 and 11/60).
HELD_OUT_FALSE_ACCEPTS_CEILING = {
    "heldout": {"novahouse": 2, "hotel": 2},
    "heldout3": {"novahouse": 4, "hotel": 5},
}

# Near-miss figures are reported, not held to the 5 % goal: the second and third batches (2026-11-23, ~125
# out-of-scope questions and ~65 hard in-scope paraphrases per tenant) are harder than the lexical features
# separate at the tune set's 90 % accuracy. Measured after the gate was retrained on them; they must not get worse.
NEAR_MISS_FALSE_ACCEPTS_CEILING = {"novahouse": 8, "hotel": 4}
NEAR_MISS_ACCURACY_FLOOR = {"novahouse": 49, "hotel": 33}


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


@pytest.mark.parametrize("split", HELD_OUT_SPLITS)
@pytest.mark.parametrize("tenant", TENANTS)
def test_the_held_out_sets_are_large_enough_and_their_languages_are_detected(tenant: str, split: str) -> None:
    result = evaluate_tenant(tenant, split=split)
    print(f"{tenant} {split}: accuracy {result.accuracy:.1%}, out-of-scope answered {result.false_accept_rate:.1%}")
    assert result.in_scope >= 30 and result.out_of_scope >= 25
    assert result.language_errors == 0


@pytest.mark.parametrize("split", HELD_OUT_SPLITS)
@pytest.mark.parametrize("tenant", TENANTS)
def test_held_out_out_of_scope_answers_do_not_get_worse(tenant: str, split: str) -> None:
    result = evaluate_tenant(tenant, split=split)
    assert result.false_accepts <= HELD_OUT_FALSE_ACCEPTS_CEILING[split][tenant], "\n".join(result.misses)


@pytest.mark.xfail(
    strict=True,
    reason="issue 9's bar is not met: with the richer packs, the learned gate and its background ~7-8 % of the "
    "held-out out-of-scope questions (same vocabulary as the business) still get an answer; strict, so this fails "
    "once the bar holds",
)
@pytest.mark.parametrize("split", HELD_OUT_SPLITS)
@pytest.mark.parametrize("tenant", TENANTS)
def test_held_out_out_of_scope_questions_are_declined_at_the_goal_rate(tenant: str, split: str) -> None:
    result = evaluate_tenant(tenant, split=split)
    assert result.false_accept_rate <= FALSE_ACCEPT_GOAL, "\n".join(result.misses)


def test_the_committed_answer_gate_is_what_training_on_the_tuning_sets_gives() -> None:
    gate, faq_threshold = train()
    assert GATE_PATH.read_text(encoding="utf-8") == gate.to_json(), "run python -m tools.train_gate"
    assert faq_threshold == DEFAULT_FAQ_THRESHOLD


def test_the_answer_gate_is_trained_without_the_held_out_sets_and_weighs_as_expected() -> None:
    gate = default_gate()
    assert not set(HELD_OUT_SPLITS) & set(TRAINING_SPLITS)
    assert gate.features == FEATURES and 0 < gate.threshold < 1
    weights = dict(zip(gate.features, gate.weights, strict=True))
    assert weights["confidence"] > 0 and weights["margin"] > 0
    assert weights["third_party"] < 0 and weights["about_bot"] < 0 and weights["not_a_guest"] < 0
    assert weights["background"] < 0  # resembling what no business answers counts against an answer


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


def test_a_package_word_in_a_question_about_the_market_gets_no_package_description_but_a_package_question_does() -> None:
    pack, index = demo_pack("novahouse"), demo_index("novahouse")
    market = answer_from_knowledge(pack, index, "ktora firma wykonczeniowa w krakowie jest najtansza", "pl")
    assert market.source == "none" and market.text == ""
    asked = answer_from_knowledge(pack, index, "pakiet premium?", "pl")
    assert asked.source == "tool" and asked.package_ids == ["premium"]


@pytest.mark.parametrize("tenant", TENANTS)
def test_the_answer_gate_declines_more_near_miss_questions_at_the_cost_of_one_tune_question_at_most(tenant: str) -> None:
    gated, open_ = evaluate_tenant(tenant, split="nearmiss"), evaluate_tenant(tenant, split="nearmiss", gate=AnswerGate.open())
    assert gated.false_accepts < open_.false_accepts
    assert gated.false_accepts <= NEAR_MISS_FALSE_ACCEPTS_CEILING[tenant], "\n".join(gated.misses)
    assert gated.correct >= NEAR_MISS_ACCURACY_FLOOR[tenant], "\n".join(gated.misses)
    gated_tune, open_tune = evaluate_tenant(tenant), evaluate_tenant(tenant, gate=AnswerGate.open())
    # The gate declines more (hotel tune 0/42 out-of-scope answered, 4/42 without a gate) and costs the hotel one
    # tune question (91/98, 92/98 without a gate).
    assert gated_tune.correct >= open_tune.correct - 1 and gated_tune.accuracy >= ACCURACY_GOAL
    assert gated_tune.false_accepts <= open_tune.false_accepts
