"""Presenters: the admin API's response bodies, built from domain results (use cases stay free of dict shapes)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from shared.domain import widgets as w


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
