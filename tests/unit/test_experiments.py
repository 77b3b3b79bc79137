"""A/B experiments on fakes: the aggregate's rules, deterministic assignment, overrides in the turn, outcomes, results."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from shared.adapters.experiments_store import InMemoryExperimentRepository
from shared.adapters.firebase_tokens import StaticTokenIssuer
from shared.adapters.in_memory_language_model import InMemoryLanguageModel
from shared.adapters.in_memory_store import InMemoryConversationRepository, InMemoryTenantRepository
from shared.adapters.metrics_store import InMemoryMetricsReader
from shared.adapters.pubsub_events import InMemoryEventPublisher
from shared.domain.errors import ConflictError, ValidationFailed
from shared.domain.experiments import new_experiment, parse_spec
from shared.services.admin_experiments import ExperimentService
from shared.services.chat import ChatService, ChatSettings
from tests.helpers import demo_pack

OPEN = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
GREETINGS = {
    "name": "Greeting test",
    "variants": [
        {"name": "control", "weight": 50, "overrides": {"greeting": "Dzień dobry!"}},
        {"name": "warm", "weight": 50, "overrides": {"greeting": "Cześć! Jak mogę pomóc?"}},
    ],
}


class World:
    def __init__(self) -> None:
        self.now = OPEN
        self.tenants = InMemoryTenantRepository(demo_pack("novahouse"))
        self.repo = InMemoryConversationRepository()
        self.store = InMemoryExperimentRepository(self.tenants)
        clock = lambda: self.now  # noqa: E731
        self.experiments = ExperimentService(
            self.store, self.tenants, InMemoryMetricsReader(self.repo), clock=clock, min_per_arm=5
        )
        self.chat = ChatService(
            self.tenants,
            self.repo,
            InMemoryLanguageModel(),
            InMemoryEventPublisher(),
            StaticTokenIssuer(),
            ChatSettings(),
            ai_enabled=False,
            clock=clock,
        )

    def running(self, body: dict = GREETINGS) -> str:  # type: ignore[type-arg]
        created = self.experiments.create("novahouse", body)
        self.experiments.update("novahouse", created["id"], {"state": "running"})
        self.now += timedelta(seconds=1)
        return str(created["id"])


def test_assignment_is_deterministic_and_follows_the_weights() -> None:
    spec = parse_spec(
        {"name": "x", "variants": [{"name": "a", "weight": 80, "overrides": {"model": "m1"}}, {"name": "b", "weight": 20}]}
    )
    experiment = new_experiment("novahouse", spec, OPEN)
    picks = Counter(experiment.assign(f"novahouse.{i:024x}").name for i in range(5000))
    assert experiment.assign("novahouse.abc").name == experiment.assign("novahouse.abc").name
    assert 0.77 < picks["a"] / 5000 < 0.83


def test_a_bad_experiment_lists_every_bad_field() -> None:
    body = {"name": "", "variants": [{"name": "a b", "weight": 0, "overrides": {"colour": "red"}}], "extra": 1}
    with pytest.raises(ValidationFailed) as err:
        parse_spec(body)
    fields = {d["field"] for d in err.value.details}
    assert {"name", "variants.0.name", "variants.0.weight", "variants.0.overrides.colour", "extra"} <= fields


def test_states_go_draft_running_stopped_and_a_running_design_cannot_change() -> None:
    world = World()
    exp_id = world.running()
    with pytest.raises(ConflictError):
        world.experiments.update("novahouse", exp_id, {"variants": [{"name": "a", "overrides": {"model": "x1"}}, {"name": "b"}]})
    assert world.experiments.update("novahouse", exp_id, {"name": "Renamed"})["name"] == "Renamed"
    with pytest.raises(ConflictError):
        world.experiments.delete("novahouse", exp_id)
    assert world.experiments.update("novahouse", exp_id, {"state": "stopped"})["state"] == "stopped"
    with pytest.raises(ConflictError):
        world.experiments.update("novahouse", exp_id, {"state": "running"})
    assert world.experiments.delete("novahouse", exp_id) == {"deleted": exp_id}


def test_two_running_experiments_may_not_change_the_same_parameter() -> None:
    world = World()
    world.running()
    other = world.experiments.create("novahouse", {**GREETINGS, "name": "Second greeting"})
    with pytest.raises(ConflictError, match="greeting"):
        world.experiments.update("novahouse", other["id"], {"state": "running"})
    model = {"name": "Model", "variants": [{"name": "a"}, {"name": "b", "overrides": {"model": "gemini-2.5-pro"}}]}
    world.running(model)  # another parameter may run alongside


def test_starting_publishes_with_the_tenant_config_so_the_turn_reads_nothing_extra() -> None:
    world = World()
    version = world.tenants.get("novahouse").version
    exp_id = world.running()
    knowledge = world.tenants.get("novahouse")
    assert knowledge.version == version + 1 and [e.id for e in knowledge.experiments] == [exp_id]
    reads = world.repo.reads
    world.chat.turn({"tenant": "novahouse", "message": "Jaka jest gwarancja?"})
    assert world.repo.reads - reads == 1  # the conversation, as without experiments


def test_a_session_gets_its_variants_greeting_and_keeps_its_variant() -> None:
    world = World()
    exp_id = world.running()
    greetings = Counter()
    for _ in range(40):
        started = world.chat.start_session({"tenant": "novahouse"})
        conversation = world.repo.conversations[("novahouse", started["conversation_id"])]
        assert conversation.experiment_id == exp_id and conversation.variant in {"control", "warm"}
        expected = "Dzień dobry!" if conversation.variant == "control" else "Cześć! Jak mogę pomóc?"
        assert started["greeting"] == expected
        greetings[conversation.variant] += 1
        world.chat.turn({"tenant": "novahouse", "message": "Jaka jest gwarancja?", "session_id": started["session_id"]})
        assert world.repo.conversations[("novahouse", started["conversation_id"])].variant == conversation.variant
    assert greetings["control"] > 5 and greetings["warm"] > 5


def test_conversations_begun_before_the_start_are_not_in_the_experiment() -> None:
    world = World()
    before = world.chat.turn({"tenant": "novahouse", "message": "Jaka jest gwarancja?"})
    world.now += timedelta(seconds=1)
    world.running()
    world.chat.turn({"tenant": "novahouse", "message": "A płatności?", "session_id": before.session_id})
    assert world.repo.conversations[("novahouse", before.conversation_id)].variant is None


def test_a_suggestions_off_variant_sends_no_suggestions_and_a_threshold_variant_changes_faq_answers() -> None:
    world = World()
    body = {
        "name": "Lean",
        "variants": [
            {"name": "a", "weight": 1, "overrides": {"suggestions": False, "faq_threshold": 1.0}},
            {"name": "b", "weight": 1},
        ],
    }
    exp_id = world.running(body)
    experiment = world.store.get("novahouse", exp_id)
    assert experiment is not None
    for _ in range(30):
        result = world.chat.turn({"tenant": "novahouse", "message": "Jaka jest gwarancja na wykończenie?"})
        variant = world.repo.conversations[("novahouse", result.conversation_id)].variant
        if variant == "a":
            assert result.suggestions == [] and result.source != "faq"
        else:
            assert result.source == "faq"


def test_outcomes_per_variant_are_rolled_up_and_results_decide_with_the_stats_module() -> None:
    world = World()
    exp_id = world.running()
    for i in range(30):
        started = world.chat.start_session({"tenant": "novahouse"})
        message = "Chcę rozmawiać z konsultantem" if i % 3 == 0 else "Jaka jest gwarancja?"
        world.chat.turn({"tenant": "novahouse", "message": message, "session_id": started["session_id"]})
        world.chat.rate({"conversation_id": started["conversation_id"], "session_id": started["session_id"], "score": 4})
    results = world.experiments.results("novahouse", exp_id)
    outcomes = {o["variant"]: o for o in results["outcomes"]}
    assert sum(o["conversations"] for o in outcomes.values()) == 30
    assert sum(o["handoffs"] for o in outcomes.values()) == 10
    assert sum(o["csat_count"] for o in outcomes.values()) == 30 and all(o["csat_avg"] == 4.0 for o in outcomes.values())
    resolution = results["metrics"]["bot_resolution"]
    assert resolution["control"] == "control" and resolution["decision"] in {"continue", "no_difference", "insufficient_data"}
    by_name = {v["name"]: v for v in resolution["variants"]}
    assert by_name["warm"]["trials"] == outcomes["warm"]["conversations"]
    assert by_name["warm"]["successes"] == outcomes["warm"]["bot_resolved"]
    assert len(by_name["warm"]["ci95"]) == 2 and by_name["warm"]["diff_ci"] is not None
