"""Delivering the outbox: events stored with their turn are published after the commit, and again until delivered.

A turn never waits long for Pub/Sub and never fails because of it: ``dispatch`` publishes on a
small pool and waits at most a short deadline; what did not get through stays undelivered in the
outbox, and ``sweep`` (run by the local gateway every few seconds, and in production by the
``events`` function on an ``outbox.sweep`` event that Cloud Scheduler publishes every minute)
publishes it again. Consumers dedupe by ``ChatEvent.id``, so publishing twice is harmless.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass

from shared import logs
from shared.domain.events import ChatEvent
from shared.services.ports import EventPublisher, Outbox

_log = logs.get_logger("chatdesk.outbox")


@dataclass
class RelaySettings:
    wait_seconds: float = 1.0  # how long a request waits for its events to be published
    sweep_after_seconds: float = 10.0  # an entry this old and undelivered is published again
    sweep_batch: int = 100
    workers: int = 4


class OutboxRelay:
    """Publishes outbox entries and marks them delivered; never raises into the caller."""

    def __init__(self, publisher: EventPublisher, outbox: Outbox, settings: RelaySettings | None = None) -> None:
        self.publisher = publisher
        self.outbox = outbox
        self.settings = settings or RelaySettings()
        self._pool = ThreadPoolExecutor(max_workers=self.settings.workers, thread_name_prefix="outbox")
        # Bounded: during a Pub/Sub outage requests stop queueing work; the sweep catches up later.
        self._slots = threading.BoundedSemaphore(self.settings.workers * 4)

    def deliver_one(self, event: ChatEvent) -> bool:
        """Publish one event and mark it delivered; False when either step failed (it stays pending)."""
        try:
            self.publisher.publish(event)
        except Exception as exc:  # noqa: BLE001 - any failure leaves the entry for the sweep
            _log.warning("event not published yet", extra={"fields": {"event_id": event.id, "error": type(exc).__name__}})
            return False
        try:
            self.outbox.mark_delivered(event)
        except Exception as exc:  # noqa: BLE001 - published but not marked: the sweep republishes, consumers dedupe
            _log.warning("event delivery not recorded", extra={"fields": {"event_id": event.id, "error": type(exc).__name__}})
        return True

    def dispatch(self, events: Sequence[ChatEvent]) -> None:
        """After a commit: publish in the background, wait at most ``wait_seconds``."""
        futures = []
        for event in events:
            if not self._slots.acquire(blocking=False):
                continue  # saturated (Pub/Sub is slow or down): the sweep will publish it
            future = self._pool.submit(self.deliver_one, event)
            future.add_done_callback(lambda _f: self._slots.release())
            futures.append(future)
        if futures:
            wait(futures, timeout=self.settings.wait_seconds)

    def sweep(self) -> int:
        """Publish stored events that were never marked delivered; returns how many got through."""
        try:
            due = self.outbox.pending(self.settings.sweep_after_seconds, self.settings.sweep_batch)
        except Exception as exc:  # noqa: BLE001 - the database is down: try on the next sweep
            _log.warning("outbox sweep could not read", extra={"fields": {"error": type(exc).__name__}})
            return 0
        return sum(1 for event in due if self.deliver_one(event))


class SweepLoop:
    """Runs ``relay.sweep`` every ``interval`` seconds on a daemon thread (the local stand-in for Cloud Scheduler)."""

    def __init__(self, relay: OutboxRelay, interval: float = 5.0) -> None:
        self._relay = relay
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-sweep", daemon=True)

    def start(self) -> SweepLoop:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._relay.sweep()

    def stop(self) -> None:
        self._stop.set()
