"""The metrics widgets' figures, computed from daily roll-up counters (never from messages)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.domain.metrics import AGENT_WAIT_BUCKETS_MS, LATENCY_BUCKETS_MS
from shared.domain.validation import whole_number

MAX_DAYS = 365
DEFAULT_DAYS = 7

# Counters per day, keyed like shared.domain.metrics writes them (``by_intent.faq``, ``latency_ms.le_500``).
DayCounts = Mapping[str, Mapping[str, int]]


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    timezone: str

    @property
    def days(self) -> list[str]:
        return [(self.first + timedelta(days=i)).isoformat() for i in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class Prices:
    """USD prices the cost estimate uses (from settings)."""

    input_per_million_tokens: float
    output_per_million_tokens: float
    firestore_reads_per_100k: float
    firestore_writes_per_100k: float


def parse_days(raw: object, default: int = DEFAULT_DAYS) -> int:
    """``?days=`` as a whole number 1..365; anything else is a 400 naming ``days``."""
    return whole_number(raw, "days", default=default, low=1, high=MAX_DAYS)


def period_ending_today(days: int, timezone: str, now: datetime) -> Period:
    """The last ``days`` days up to today, in the tenant's time zone."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    return Period(first=today - timedelta(days=days - 1), last=today, timezone=timezone)


def total(days: DayCounts) -> Counter[str]:
    """All days' counters added up."""
    summed: Counter[str] = Counter()
    for counts in days.values():
        summed.update(counts)
    return summed


def by_prefix(counts: Mapping[str, int], prefix: str) -> dict[str, int]:
    """``by_intent.faq: 3`` → ``{"faq": 3}`` for prefix ``by_intent``."""
    start = prefix + "."
    return {k[len(start) :]: v for k, v in counts.items() if k.startswith(start) and v}


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass(frozen=True)
class Summary:
    total_conversations: int
    total_messages: int
    avg_messages_per_conversation: float | None
    bot_resolution_rate: float | None
    handoff_rate: float | None
    leads: int
    csat_avg: float | None
    csat_count: int
    model_tokens: int
    estimated_cost_usd: float


def estimated_cost(counts: Mapping[str, int], prices: Prices) -> float:
    """Model tokens at the price table plus the Firestore operations turns cost (estimated per message and turn)."""
    tokens = counts.get("tokens_in", 0) * prices.input_per_million_tokens / 1e6
    tokens += counts.get("tokens_out", 0) * prices.output_per_million_tokens / 1e6
    # A guest turn reads its conversation (and rarely tenant config); it writes every message, the
    # conversation and one roll-up shard. Agent actions are alike.
    turns = counts.get("guest_messages", 0) + counts.get("agent_replies", 0) + counts.get("takeovers", 0)
    reads = turns
    writes = counts.get("messages", 0) + 2 * turns + counts.get("leads", 0)
    ops = reads * prices.firestore_reads_per_100k / 1e5 + writes * prices.firestore_writes_per_100k / 1e5
    return round(tokens + ops, 6)


def summarize(counts: Mapping[str, int], prices: Prices) -> Summary:
    """One period's (or one day's) summary figures."""
    conversations = counts.get("conversations", 0)
    handoffs = min(counts.get("handoffs", 0), conversations) if conversations else counts.get("handoffs", 0)
    ratings = counts.get("ratings", 0)
    return Summary(
        total_conversations=conversations,
        total_messages=counts.get("messages", 0),
        avg_messages_per_conversation=round(counts.get("messages", 0) / conversations, 2) if conversations else None,
        # A conversation the bot finished without handing it to a person.
        bot_resolution_rate=_rate(conversations - handoffs, conversations),
        handoff_rate=_rate(handoffs, conversations),
        leads=counts.get("leads", 0),
        csat_avg=round(counts.get("rating_sum", 0) / ratings, 2) if ratings else None,
        csat_count=ratings,
        model_tokens=counts.get("tokens_in", 0) + counts.get("tokens_out", 0),
        estimated_cost_usd=estimated_cost(counts, prices),
    )


def top(counts: Mapping[str, int], limit: int) -> list[tuple[str, int]]:
    """Largest first, ties by name."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


@dataclass(frozen=True)
class PackageFigures:
    package: str
    quotes: int
    mentions: int


def packages(counts: Mapping[str, int], limit: int) -> list[PackageFigures]:
    """Per package: computed price quotes, and every reply that named it."""
    mentions = by_prefix(counts, "by_package")
    quotes = by_prefix(counts, "quote_package")
    names = set(mentions) | set(quotes)
    ranked = sorted(names, key=lambda p: (-quotes.get(p, 0), -mentions.get(p, 0), p))[:limit]
    return [PackageFigures(p, quotes.get(p, 0), mentions.get(p, 0)) for p in ranked]


@dataclass(frozen=True)
class Percentiles:
    count: int
    p50_ms: int | None
    p95_ms: int | None
    avg_ms: int | None


def histogram_percentiles(histogram: Mapping[str, int], bounds: tuple[int, ...], total_ms: int) -> Percentiles:
    """p50/p95 from a bucketed histogram, interpolating linearly inside the bucket the quantile falls in."""
    buckets = [(f"le_{b}", b) for b in bounds] + [(f"gt_{bounds[-1]}", bounds[-1])]
    count = sum(histogram.get(name, 0) for name, _ in buckets)
    if not count:
        return Percentiles(0, None, None, None)

    def quantile(q: float) -> int:
        target = q * count
        seen = 0
        lower = 0
        for name, upper in buckets:
            n = histogram.get(name, 0)
            if n and seen + n >= target:
                if name.startswith("gt_"):
                    return upper  # open-ended: report the bound ("more than")
                return round(lower + (upper - lower) * (target - seen) / n)
            seen += n
            lower = upper
        return bounds[-1]

    return Percentiles(count, quantile(0.5), quantile(0.95), round(total_ms / count))


def bot_latency(counts: Mapping[str, int]) -> Percentiles:
    return histogram_percentiles(by_prefix(counts, "latency_ms"), LATENCY_BUCKETS_MS, counts.get("latency_ms_sum", 0))


def agent_first_response(counts: Mapping[str, int]) -> Percentiles:
    return histogram_percentiles(by_prefix(counts, "agent_first_ms"), AGENT_WAIT_BUCKETS_MS, counts.get("agent_first_ms_sum", 0))


@dataclass(frozen=True)
class Satisfaction:
    distribution: dict[str, int]
    count: int
    average: float | None
    comments: int


def satisfaction(counts: Mapping[str, int]) -> Satisfaction:
    ratings = by_prefix(counts, "by_rating")
    distribution = {str(s): ratings.get(f"r{s}", 0) for s in range(1, 6)}
    count = sum(distribution.values())
    average = round(sum(int(s) * n for s, n in distribution.items()) / count, 2) if count else None
    return Satisfaction(distribution, count, average, counts.get("rating_comments", 0))


def variant_outcomes(counts: Mapping[str, int], experiment: str | None = None) -> dict[tuple[str, str], dict[str, int]]:
    """``ab.{experiment}.{variant}.{outcome}`` counters as {(experiment, variant): {outcome: n}}."""
    outcomes: dict[tuple[str, str], dict[str, int]] = {}
    for key, value in by_prefix(counts, "ab").items():
        parts = key.split(".")
        if len(parts) != 3 or (experiment is not None and parts[0] != experiment):
            continue
        outcomes.setdefault((parts[0], parts[1]), {})[parts[2]] = value
    return outcomes


@dataclass(frozen=True)
class ActiveSessions:
    minutes: int
    by_mode: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_mode.values())


def summed(days: DayCounts, wanted: Iterable[str]) -> Counter[str]:
    """Counters of the wanted days only."""
    chosen = set(wanted)
    return total({d: c for d, c in days.items() if d in chosen})
