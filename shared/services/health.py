"""Health: a cheap liveness answer, and a deep check that really touches every dependency."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# A check returns "ok" (or "disabled" for an optional dependency that is not configured)
# and raises when the dependency is unreachable or broken.
Check = Callable[[], str]

_ACCEPTED = {"ok", "disabled"}


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
    futures = {name: _run_in_daemon_thread(name, check) for name, check in checks.items()}
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


def _run_in_daemon_thread(name: str, check: Check) -> Future[str]:
    """The check on its own daemon thread: one that hangs past its timeout never keeps the process alive at exit
    (a pool's workers are joined at exit, which held test processes for minutes after a server stopped)."""
    future: Future[str] = Future()

    def run() -> None:
        try:
            future.set_result(check())
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)

    threading.Thread(target=run, name=f"health-{name}", daemon=True).start()
    return future
