"""Daily roll-ups: counter increments a turn adds, so widgets never scan messages."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from shared.domain.conversation import Conversation

# Upper bounds (ms) of the latency histogram buckets; the last bucket is open-ended.
LATENCY_BUCKETS_MS = (100, 250, 500, 1000, 2000, 4000, 8000)


def latency_bucket(ms: int) -> str:
    """The histogram field a latency falls in, e.g. ``le_500`` or ``gt_8000``."""
    for bound in LATENCY_BUCKETS_MS:
        if ms <= bound:
            return f"le_{bound}"
    return f"gt_{LATENCY_BUCKETS_MS[-1]}"


def _key(part: str) -> str:
    # Field paths stay simple: ids are slugs, intents may be free text from the model.
    # Runs of "_" collapse to one: "__" separates a roll-up field's parts when stored (see metric_field).
    key = re.sub("_+", "_", "".join(c if c.isalnum() or c in "-_" else "_" for c in part.lower()))
    return key.strip("_")[:60] or "unknown"


def turn_increments(
    *,
    new_conversation: bool,
    messages: int,
    source: str | None,
    intent: str | None,
    packages: list[str],
    latency_ms: int | None,
    lead_captured: bool,
    handoff: bool,
    input_tokens: int = 0,
    output_tokens: int = 0,
) -> dict[str, int]:
    """The counters one chat turn adds to its day's roll-up."""
    counts: Counter[str] = Counter()
    counts["messages"] += messages
    counts["guest_messages"] += 1
    if new_conversation:
        counts["conversations"] += 1
    if source:
        counts[f"by_source.{_key(source)}"] += 1
        counts["bot_replies"] += 1 if source != "agent" else 0
    if intent:
        counts[f"by_intent.{_key(intent)}"] += 1
    for package in packages:
        counts[f"by_package.{_key(package)}"] += 1
        if source == "tool":  # a computed price quote, not just a mention
            counts[f"quote_package.{_key(package)}"] += 1
    if latency_ms is not None:
        counts[f"latency_ms.{latency_bucket(latency_ms)}"] += 1
        counts["latency_ms_sum"] += latency_ms
    if lead_captured:
        counts["leads"] += 1
    if handoff:
        counts["handoffs"] += 1
    if input_tokens or output_tokens:
        counts["tokens_in"] += input_tokens
        counts["tokens_out"] += output_tokens
    return {k: v for k, v in counts.items() if v}


def rating_increments(score: int, commented: bool = False) -> dict[str, int]:
    """The counters one CSAT rating adds."""
    counts = {"ratings": 1, "rating_sum": score, f"by_rating.r{score}": 1}
    if commented:
        counts["rating_comments"] = 1
    return counts


# Upper bounds (ms) of the agent first-response histogram: guests wait seconds to minutes for a person.
AGENT_WAIT_BUCKETS_MS = (15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000)


def bucket_name(ms: int, bounds: tuple[int, ...]) -> str:
    """The histogram field a duration falls in, e.g. ``le_500`` or ``gt_8000``."""
    for bound in bounds:
        if ms <= bound:
            return f"le_{bound}"
    return f"gt_{bounds[-1]}"


def first_reply_increments(conversation: Conversation, now: datetime) -> dict[str, int]:
    """On an agent's first reply after a hand-off: the wait, into the histogram; the conversation stops waiting."""
    if conversation.handoff_at is None:
        return {}
    wait_ms = int((now - conversation.handoff_at).total_seconds() * 1000)
    conversation.handoff_at = None
    return agent_first_reply_increments(wait_ms)


def agent_first_reply_increments(wait_ms: int) -> dict[str, int]:
    """The counters an agent's first reply after a hand-off adds: how long the guest waited for a person."""
    wait = max(0, wait_ms)
    return {f"agent_first_ms.{bucket_name(wait, AGENT_WAIT_BUCKETS_MS)}": 1, "agent_first_ms_sum": wait, "agent_first_replies": 1}


# Outcome counters an experiment's variants are compared on (per day, so results cover any period).
OUTCOMES = ("conversations", "handoffs", "leads", "csat_sum", "csat_count", "tokens")


def experiment_increments(assignments: Iterable[tuple[str, str]], counts: dict[str, int]) -> dict[str, int]:
    """Per-variant outcome counters: ``ab.{experiment}.{variant}.{outcome}`` for every experiment the conversation is in."""
    outcomes = {
        "conversations": counts.get("conversations", 0),
        "handoffs": counts.get("handoffs", 0),
        "leads": counts.get("leads", 0),
        "csat_sum": counts.get("rating_sum", 0),
        "csat_count": counts.get("ratings", 0),
        "tokens": counts.get("tokens_in", 0) + counts.get("tokens_out", 0),
    }
    return {
        f"ab.{experiment}.{variant}.{name}": value
        for experiment, variant in assignments
        for name, value in outcomes.items()
        if value
    }
