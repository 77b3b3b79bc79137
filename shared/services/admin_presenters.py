"""Presenters: the admin API's response bodies, built from domain results (use cases stay free of dict shapes)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from shared.domain import widgets as w
from shared.domain.experiments import Experiment


def period(p: w.Period) -> dict[str, Any]:
    return {"from": p.first.isoformat(), "to": p.last.isoformat(), "days": len(p.days), "timezone": p.timezone}


def summary(s: w.Summary) -> dict[str, Any]:
    return asdict(s)


def ranked(items: list[tuple[str, int]], whole: int, label: str) -> list[dict[str, Any]]:
    return [{label: name, "count": n, "share": round(n / whole, 4) if whole else 0.0} for name, n in items]


def packages(items: list[w.PackageFigures], names: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"package": p.package, "name": names.get(p.package, p.package), "quotes": p.quotes, "mentions": p.mentions} for p in items
    ]


def active(a: w.ActiveSessions) -> dict[str, Any]:
    return {"minutes": a.minutes, "total": a.total, "by_mode": a.by_mode}


def percentiles(p: w.Percentiles) -> dict[str, Any]:
    return asdict(p)


def satisfaction(s: w.Satisfaction) -> dict[str, Any]:
    return {"distribution": s.distribution, "count": s.count, "average": s.average, "comments": s.comments}


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def experiment(e: Experiment) -> dict[str, Any]:
    return {
        "id": e.id,
        "name": e.name,
        "state": e.state,
        "control": e.control,
        "parameters": sorted(e.parameters),
        "parameter": next(iter(sorted(e.parameters)), None),
        "variants": [
            v.model_dump(mode="json", exclude_none=True) | {"overrides": v.overrides.model_dump(exclude_none=True)}
            for v in e.variants
        ],
        "created_at": _iso(e.created_at),
        "updated_at": _iso(e.updated_at),
        "started_at": _iso(e.started_at),
        "stopped_at": _iso(e.stopped_at),
    }


def variant_outcome(name: str, o: dict[str, int]) -> dict[str, Any]:
    conversations = o.get("conversations", 0)
    handoffs = min(o.get("handoffs", 0), conversations)
    return {
        "variant": name,
        "conversations": conversations,
        "bot_resolved": conversations - handoffs,
        "handoffs": o.get("handoffs", 0),
        "leads": o.get("leads", 0),
        "csat_sum": o.get("csat_sum", 0),
        "csat_count": o.get("csat_count", 0),
        "csat_avg": round(o["csat_sum"] / o["csat_count"], 2) if o.get("csat_count") else None,
        "tokens": o.get("tokens", 0),
    }
