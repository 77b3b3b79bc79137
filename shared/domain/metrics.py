"""Daily roll-ups: counter increments a turn adds, so widgets never scan messages."""

from __future__ import annotations

from collections import Counter

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
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in part.lower())[:60] or "unknown"


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


def rating_increments(score: int) -> dict[str, int]:
    """The counters one CSAT rating adds."""
    return {"ratings": 1, "rating_sum": score, f"by_rating.r{score}": 1}
