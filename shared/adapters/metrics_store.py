"""Roll-up storage the widgets read in one query.

    tenants/{tenant}/metric_months/{YYYY-MM}_{n}   n in 0..shards-1; fields d{DD}__{counter}, plus ``month``

A turn increments one random shard of its month, so a shard takes the same share of writes as a
per-day shard would; a 30-day widget reads at most 2 months × shards documents with one range query
(the local Firestore has no collection-group queries, so per-day subcollections cannot be ranged).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared.adapters.firestore_store import METRIC_SEPARATOR, counter, metric_field
from shared.services.admin_widgets import ActiveSessionCounter, DayCounts, MetricsReader

if TYPE_CHECKING:
    from google.cloud import firestore

    from shared.adapters.in_memory_store import InMemoryConversationRepository

ROLLUPS = "metric_months"


def stage_rollup(batch: Any, tenant_ref: Any, day: str, metrics: dict[str, int], shards: int) -> None:
    """Add a turn's counters for ``day`` (YYYY-MM-DD, tenant's time) to one random shard of its month."""
    from google.cloud import firestore

    month, dom = day[:7], day[8:10]
    ref = tenant_ref.collection(ROLLUPS).document(f"{month}_{random.randrange(shards)}")  # noqa: S311 - spreading load
    fields: dict[str, Any] = {f"d{dom}{METRIC_SEPARATOR}{metric_field(k)}": firestore.Increment(v) for k, v in metrics.items()}
    batch.set(ref, {**fields, "month": month}, merge=True)


def _months(first: date, last: date) -> tuple[str, str]:
    return first.strftime("%Y-%m"), last.strftime("%Y-%m")


def _in_range(first: date, last: date) -> set[str]:
    return {(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)}


class FirestoreMetricsReader(MetricsReader):
    """Reads roll-ups with one query per call; billed reads are the shard documents it returns."""

    def __init__(self, db: firestore.Client) -> None:
        self._db = db

    def days(self, tenant: str, first: date, last: date) -> DayCounts:
        from google.cloud.firestore_v1.base_query import FieldFilter

        low, high = _months(first, last)
        query = (
            self._db.collection("tenants")
            .document(tenant)
            .collection(ROLLUPS)
            .where(filter=FieldFilter("month", ">=", low))
            .where(filter=FieldFilter("month", "<=", high))
        )
        wanted = _in_range(first, last)
        totals: dict[str, dict[str, int]] = defaultdict(dict)
        docs = 0
        for doc in query.stream():
            docs += 1
            data = doc.to_dict() or {}
            month = data.get("month", "")
            for name, value in data.items():
                if not name.startswith("d") or not isinstance(value, int):
                    continue
                dom, _, field = name[1:].partition(METRIC_SEPARATOR)
                day = f"{month}-{dom}"
                if day in wanted:
                    key = field.replace(METRIC_SEPARATOR, ".")
                    totals[day][key] = totals[day].get(key, 0) + value
        counter.read(max(1, docs))
        return dict(totals)


class InMemoryMetricsReader(MetricsReader):
    """Reads the in-memory conversation store's roll-ups (the fake's ``metrics`` by tenant and day)."""

    def __init__(self, repo: InMemoryConversationRepository) -> None:
        self._repo = repo
        self.reads = 0

    def days(self, tenant: str, first: date, last: date) -> DayCounts:
        self.reads += 1
        wanted = _in_range(first, last)
        return {day: dict(c) for (t, day), c in self._repo.metrics.items() if t == tenant and day in wanted and c}


class FirestoreActiveSessionCounter(ActiveSessionCounter):
    """One count aggregation per mode (billed one read per 1000 matches), never a scan of conversations."""

    def __init__(self, db: firestore.Client) -> None:
        self._db = db

    def count_since(self, tenant: str, since: datetime, modes: tuple[str, ...]) -> dict[str, int]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        conversations = self._db.collection("tenants").document(tenant).collection("conversations")
        counts: dict[str, int] = {}
        for mode in modes:
            query = conversations.where(filter=FieldFilter("mode", "==", mode)).where(
                filter=FieldFilter("updated_at", ">=", since)
            )
            result = query.count(alias="n").get()
            n = int(result[0][0].value) if result and result[0] else 0
            counter.read(max(1, -(-n // 1000)))
            counts[mode] = n
        return counts


class InMemoryActiveSessionCounter(ActiveSessionCounter):
    def __init__(self, repo: InMemoryConversationRepository) -> None:
        self._repo = repo

    def count_since(self, tenant: str, since: datetime, modes: tuple[str, ...]) -> dict[str, int]:
        found = [c for (t, _), c in self._repo.conversations.items() if t == tenant and c.updated_at >= since]
        return {m: sum(1 for c in found if c.mode == m) for m in modes}
