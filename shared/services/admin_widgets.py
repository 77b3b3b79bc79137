"""The eight metrics widgets: read a period's roll-ups once, compute in the domain, present as dicts."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from shared.domain import widgets as w
from shared.domain.validation import whole_number
from shared.domain.widgets_custom import parse_custom, run_custom
from shared.services import admin_presenters as present
from shared.services.ports import TenantRepository

DayCounts = dict[str, dict[str, int]]
ACTIVE_MODES = ("bot", "pending", "human")


class MetricsReader(ABC):
    """Daily roll-ups of a tenant, summed over shards."""

    @abstractmethod
    def days(self, tenant: str, first: date, last: date) -> DayCounts:
        """{"YYYY-MM-DD": {counter: n}} for the days in [first, last] that have any counts."""


class ActiveSessionCounter(ABC):
    """Conversations with activity since a moment, counted per mode (aggregation queries, not scans)."""

    @abstractmethod
    def count_since(self, tenant: str, since: datetime, modes: tuple[str, ...]) -> dict[str, int]: ...


class WidgetService:
    """Each widget reads one range of roll-ups (or a few counts), never messages."""

    def __init__(
        self,
        tenants: TenantRepository,
        metrics: MetricsReader,
        active: ActiveSessionCounter,
        prices: w.Prices,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.tenants = tenants
        self.metrics = metrics
        self.active = active
        self.prices = prices
        self.clock = clock

    def _period(self, tenant: str, raw_days: Any) -> tuple[w.Period, DayCounts]:
        days = w.parse_days(raw_days)
        timezone = self.tenants.get(tenant).pack.tenant.timezone
        period = w.period_ending_today(days, timezone, self.clock())
        return period, self.metrics.days(tenant, period.first, period.last)

    def summary(self, tenant: str, args: dict[str, Any]) -> dict[str, Any]:
        period, days = self._period(tenant, args.get("days"))
        return {**present.summary(w.summarize(w.total(days), self.prices)), "period": present.period(period)}

    def timeline(self, tenant: str, args: dict[str, Any]) -> dict[str, Any]:
        period, days = self._period(tenant, args.get("days"))
        rows = [{"date": d, **present.summary(w.summarize(days.get(d, {}), self.prices))} for d in period.days]
        return {"period": present.period(period), "days": rows}

    def top_intents(self, tenant: str, args: dict[str, Any]) -> dict[str, Any]:
        limit = whole_number(args.get("limit"), "limit", default=10, low=1, high=100)
        period, days = self._period(tenant, args.get("days"))
        intents = w.by_prefix(w.total(days), "by_intent")
        return {
            "period": present.period(period),
            "intents": present.ranked(w.top(intents, limit), sum(intents.values()), "intent"),
        }

    def top_packages(self, tenant: str, args: dict[str, Any]) -> dict[str, Any]:
        limit = whole_number(args.get("limit"), "limit", default=10, low=1, high=100)
        period, days = self._period(tenant, args.get("days"))
        names = {p.id: p.name for p in self.tenants.get(tenant).pack.packages}
        return {"period": present.period(period), "packages": present.packages(w.packages(w.total(days), limit), names)}

    def active_sessions(self, tenant: str, args: dict[str, Any]) -> dict[str, Any]:
        minutes = whole_number(args.get("minutes"), "minutes", default=15, low=1, high=1440)
        self.tenants.get(tenant)  # an unknown tenant is a 404, not zeros
        counts = self.active.count_since(tenant, self.clock() - timedelta(minutes=minutes), ACTIVE_MODES)
        return present.active(w.ActiveSessions(minutes, {m: counts.get(m, 0) for m in ACTIVE_MODES}))

    def response_times(self, tenant: str, args: dict[str, Any]) -> dict[str, Any]:
        period, days = self._period(tenant, args.get("days"))
        counts = w.total(days)
        return {
            "period": present.period(period),
            "bot": present.percentiles(w.bot_latency(counts)),
            "agent_first_response": present.percentiles(w.agent_first_response(counts)),
        }

    def satisfaction(self, tenant: str, args: dict[str, Any]) -> dict[str, Any]:
        period, days = self._period(tenant, args.get("days"))
        return {"period": present.period(period), **present.satisfaction(w.satisfaction(w.total(days)))}

    def custom(self, tenant: str, body: dict[str, Any]) -> dict[str, Any]:
        query = parse_custom(body)
        period, days = self._period(tenant, body.get("days"))
        return {
            "period": present.period(period),
            "group_by": query.group_by,
            "metrics": query.metrics,
            "rows": run_custom(query, days, period),
        }
