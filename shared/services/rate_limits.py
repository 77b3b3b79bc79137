"""Per-address request limits, kept per instance (a global limit belongs at the load balancer)."""

from __future__ import annotations

import time
from collections.abc import Callable

from shared.domain.errors import RateLimitedError


class IpRateLimiter:
    """Sliding-window turns per client IP, per instance; a global limit belongs at the load balancer."""

    def __init__(
        self, per_minute: int, message: str = "Too many messages from this address", clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._per_minute = per_minute
        self._message = message
        self._clock = clock
        self._hits: dict[str, list[float]] = {}

    def check(self, ip: str) -> None:
        now = self._clock()
        hits = [t for t in self._hits.get(ip, []) if now - t < 60]
        if len(hits) >= self._per_minute:
            self._hits[ip] = hits
            raise RateLimitedError(self._message, retry_after=int(60 - (now - hits[0])) + 1)
        hits.append(now)
        self._hits[ip] = hits
        if len(self._hits) > 10_000:  # bounded memory under a flood of addresses
            self._hits = {k: v for k, v in self._hits.items() if v and now - v[-1] < 60}
