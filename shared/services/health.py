"""Health: a cheap liveness answer, and a deep check that really touches every dependency."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, TimeoutError
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# A check returns "ok" (or "disabled" for an optional dependency that is not configured)
# and raises when the dependency is unreachable or broken.
Check = Callable[[], str]

_ACCEPTED = {"ok", "disabled"}
# Checks run in parallel on a shared pool so a deep check costs the slowest check, not the sum.
_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="health")


@dataclass(frozen=True)
class HealthReport:
    """The outcome of a deep check."""

    checks: dict[str, str]
    timestamp: str

    @property
    def healthy(self) -> bool:
        return all(v in _ACCEPTED for v in self.checks.values())

    def body(self) -> dict[str, Any]:
        return {"status": "healthy" if self.healthy else "degraded", "checks": self.checks, "timestamp": self.timestamp}


def now_iso() -> str:
    """The current UTC time in ISO 8601."""
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def liveness(service: str, version: str) -> dict[str, Any]:
    """The shallow answer: the process is up; touches nothing."""
    return {"status": "healthy", "service": service, "version": version, "timestamp": now_iso()}


def deep_check(checks: Mapping[str, Check], timeout_seconds: float) -> HealthReport:
    """Run every check in parallel, each bounded by ``timeout_seconds``; a failure names only its kind."""
    deadline = time.monotonic() + timeout_seconds
    futures = {name: _pool.submit(check) for name, check in checks.items()}
    results: dict[str, str] = {}
    for name, future in futures.items():
        try:
            value = future.result(timeout=max(0.0, deadline - time.monotonic()))
            results[name] = value if value in _ACCEPTED else "error"
        except TimeoutError:
            results[name] = "timeout"
        except Exception:  # noqa: BLE001 - any failure means degraded; the reason stays out of the response
            results[name] = "error"
    return HealthReport(checks=results, timestamp=now_iso())
