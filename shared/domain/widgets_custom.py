"""The ``custom`` widget: a declarative query over the roll-ups with allow-listed metrics, groupings and filters."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.domain.errors import ValidationFailed
from shared.domain.widgets import DayCounts, Period, by_prefix, summed, total, variant_outcomes


def _ratio(num: str, den: str, scale: int = 4) -> Callable[[Mapping[str, int]], float | None]:
    return lambda c: round(c.get(num, 0) / c[den], scale) if c.get(den) else None


# Metrics per grouping, each computed from one group's summed counters.
DAY_METRICS: dict[str, Callable[[Mapping[str, int]], Any]] = {
    "conversations": lambda c: c.get("conversations", 0),
    "messages": lambda c: c.get("messages", 0),
    "guest_messages": lambda c: c.get("guest_messages", 0),
    "bot_replies": lambda c: c.get("bot_replies", 0),
    "leads": lambda c: c.get("leads", 0),
    "handoffs": lambda c: c.get("handoffs", 0),
    "takeovers": lambda c: c.get("takeovers", 0),
    "agent_replies": lambda c: c.get("agent_replies", 0),
    "csat_count": lambda c: c.get("ratings", 0),
    "csat_avg": _ratio("rating_sum", "ratings", 2),
    "model_tokens": lambda c: c.get("tokens_in", 0) + c.get("tokens_out", 0),
    "handoff_rate": _ratio("handoffs", "conversations"),
}
INTENT_METRICS: dict[str, Callable[[Mapping[str, int]], Any]] = {"replies": lambda c: c.get("replies", 0)}
VARIANT_METRICS: dict[str, Callable[[Mapping[str, int]], Any]] = {
    "conversations": lambda c: c.get("conversations", 0),
    "handoffs": lambda c: c.get("handoffs", 0),
    "leads": lambda c: c.get("leads", 0),
    "csat_count": lambda c: c.get("csat_count", 0),
    "csat_avg": _ratio("csat_sum", "csat_count", 2),
    "tokens": lambda c: c.get("tokens", 0),
    "handoff_rate": _ratio("handoffs", "conversations"),
    "bot_resolution_rate": lambda c: (
        round(1 - min(c.get("handoffs", 0), c["conversations"]) / c["conversations"], 4) if c.get("conversations") else None
    ),
    "lead_rate": _ratio("leads", "conversations"),
}
GROUPINGS: dict[str, dict[str, Callable[[Mapping[str, int]], Any]]] = {
    "none": DAY_METRICS,
    "day": DAY_METRICS,
    "intent": INTENT_METRICS,
    "variant": VARIANT_METRICS,
}
FILTERS = {"intent", "experiment", "variant"}
BODY_FIELDS = {"days", "metrics", "group_by", "filters"}


@dataclass(frozen=True)
class CustomQuery:
    metrics: list[str]
    group_by: str = "none"
    filters: dict[str, Any] = field(default_factory=dict)


def _string_list(value: Any, name: str, problems: list[dict[str, str]]) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and 0 < len(v) <= 60 for v in value):
        problems.append({"field": name, "message": "must be a non-empty list of names"})
        return []
    return value


def parse_custom(body: Mapping[str, Any]) -> CustomQuery:
    """Validate a custom query; a 400 lists every field outside the allow-lists."""
    problems: list[dict[str, str]] = []
    for key in sorted(set(body) - BODY_FIELDS):
        problems.append({"field": key, "message": f"is not allowed; allowed: {', '.join(sorted(BODY_FIELDS))}"})
    group_by = body.get("group_by", "none")
    if not isinstance(group_by, str) or group_by not in GROUPINGS:  # a list or object is a 400, not a crash
        problems.append({"field": "group_by", "message": f"must be one of {', '.join(GROUPINGS)}"})
        group_by = "none"
    allowed = GROUPINGS[group_by]
    metrics = _string_list(body.get("metrics"), "metrics", problems)
    for i, name in enumerate(metrics):
        if name not in allowed:
            problems.append(
                {
                    "field": f"metrics[{i}]",
                    "message": f"{name!r} is not allowed with group_by {group_by}; allowed: {', '.join(allowed)}",
                }
            )
    raw_filters = body.get("filters") or {}
    filters: dict[str, Any] = {}
    if not isinstance(raw_filters, dict):
        problems.append({"field": "filters", "message": "must be an object"})
        raw_filters = {}
    for key, value in raw_filters.items():
        name = f"filters.{key}"
        if key not in FILTERS:
            problems.append({"field": name, "message": f"is not allowed; allowed: {', '.join(sorted(FILTERS))}"})
        elif key == "experiment":
            if not isinstance(value, str) or not value:
                problems.append({"field": name, "message": "must be an experiment id"})
            filters[key] = value
        else:
            filters[key] = _string_list(value, name, problems)
    if "intent" in filters and group_by != "intent":
        problems.append({"field": "filters.intent", "message": "only applies with group_by intent"})
    if ("variant" in filters or "experiment" in filters) and group_by != "variant":
        problems.append(
            {
                "field": "filters.variant" if "variant" in filters else "filters.experiment",
                "message": "only applies with group_by variant",
            }
        )
    if problems:
        raise ValidationFailed(f"Invalid custom query: {', '.join(p['field'] for p in problems)}", details=problems)
    return CustomQuery(metrics=metrics, group_by=group_by, filters=filters)


def run_custom(query: CustomQuery, days: DayCounts, period: Period) -> list[dict[str, Any]]:
    """Rows of the grouping with the requested metrics."""
    metrics = GROUPINGS[query.group_by]

    def row(label: dict[str, Any], counts: Mapping[str, int]) -> dict[str, Any]:
        return {**label, **{m: metrics[m](counts) for m in query.metrics}}

    if query.group_by == "none":
        return [row({}, summed(days, period.days))]
    if query.group_by == "day":
        return [row({"day": d}, days.get(d, {})) for d in period.days]
    counts = total(days)
    if query.group_by == "intent":
        intents = by_prefix(counts, "by_intent")
        wanted = query.filters.get("intent")
        chosen = sorted((i for i in intents if wanted is None or i in wanted), key=lambda i: (-intents[i], i))
        return [row({"intent": i}, {"replies": intents[i]}) for i in chosen]
    outcomes = variant_outcomes(counts, query.filters.get("experiment"))
    wanted = query.filters.get("variant")
    return [row({"experiment": e, "variant": v}, outcomes[(e, v)]) for e, v in sorted(outcomes) if wanted is None or v in wanted]
