"""Soak and fault run: many guests through the gateway, agents taking over, backing servers stopped mid-run.

    python -m tools.soak                       # 50 guests x 20 turns: normal, Pub/Sub down 10 s, Firestore down 10 s
    python -m tools.soak --guests 5 --turns 5 --outage-seconds 3

Bounded and loopback only: it starts its own local Firestore and Pub/Sub servers (and the gateway
on 127.0.0.1), so it never touches a running stack. An outage is the server's process paused with
SIGSTOP and resumed with SIGCONT: both local servers keep their data only in memory, so a real
stop/start would lose everything; a paused server is what clients see of an outage (connections
that do not answer). After each phase every conversation is checked: each guest message stored
exactly once, counts equal to the stored messages, no bot message while a person holds it, every
outbox event delivered. Exit code 0 only when nothing was lost or doubled and every failure was a 503.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import secrets
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

QUESTIONS = (
    "Jaka jest gwarancja na wykończenie?",
    "Ile kosztuje pakiet Standard za 50 m2?",
    "Jak długo trwa remont mieszkania?",
    "Czy macie portfolio?",
    "Chcę porozmawiać z konsultantem",
    "Co obejmuje pakiet Premium?",
    "Proszę o kontakt, mój telefon 600 100 200",
)
TURN_GIVE_UP_SECONDS = 90.0
OUTAGE_STARTS_AFTER_SECONDS = 1.0
# Set on Ctrl-C / SIGTERM: guests stop sending, so the run ends and its servers are stopped.
STOP = threading.Event()


@dataclass
class Figures:
    """What one phase did and what the integrity check found."""

    phase: str
    turns_sent: int = 0
    turns_ok: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    takeovers: int = 0
    takeover_conflicts: int = 0
    conversations: int = 0
    lost: int = 0
    doubled: int = 0
    count_mismatches: int = 0
    bot_after_takeover: int = 0
    events: int = 0
    events_undelivered: int = 0
    seconds: float = 0.0
    unclear_failures: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds, answered requests only

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0

    @property
    def ok(self) -> bool:
        return (
            not (self.lost or self.doubled or self.count_mismatches or self.bot_after_takeover or self.events_undelivered)
            and not self.unclear_failures
        )

    def line(self) -> str:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items()))
        return (
            f"{self.phase:<18} turns {self.turns_ok}/{self.turns_sent} ok in {self.seconds:.1f} s "
            f"(HTTP {statuses}; p50 {self.percentile(0.5):.0f} ms, p95 {self.percentile(0.95):.0f} ms, "
            f"max {self.percentile(1.0):.0f} ms); take-overs {self.takeovers} (+{self.takeover_conflicts} refused 409); "
            f"conversations {self.conversations}: lost {self.lost}, doubled {self.doubled}, "
            f"count mismatches {self.count_mismatches}, bot after take-over {self.bot_after_takeover}; "
            f"events {self.events}, undelivered {self.events_undelivered}; unclear failures {self.unclear_failures}"
        )


class Soak:
    """Owns the servers, the gateway and the composition root for the run."""

    def __init__(self) -> None:
        from infra.local.cloud import LocalCloud

        self.cloud = LocalCloud()
        self.gateway: Any = None
        self._saved_env: dict[str, str | None] = {}

    @contextlib.contextmanager
    def running(self) -> Iterator[Soak]:
        from infra.local.gateway import Gateway
        from shared.bootstrap import container, reset_container
        from tests.helpers import DEMO_TENANTS, demo_pack

        self.cloud.start_firestore()
        self.cloud.start_pubsub()
        self.cloud.start_storage()  # only so the resources file's buckets can be made; the soak never uses it
        self.cloud.create_resources()
        env = {
            **self.cloud.env,
            "CHATDESK_ENV": "development",
            "LOG_LEVEL": "ERROR",  # the 503s are expected and counted; their log lines would bury the figures
            "CHATDESK_SESSION_SECRET": secrets.token_urlsafe(32),
            # One loopback address and long sessions: the soak tests storage, not the limits.
            "RATE_LIMIT_IP_PER_MINUTE": "1000000",
            "RATE_LIMIT_SESSION_PER_MINUTE": "1000",
            "OUTBOX_SWEEP_AFTER_SECONDS": "3",
            # Shorter than the production default (4 s) so that even a short outage shows its 503s.
            "FIRESTORE_DEADLINE_SECONDS": "2",
            # Guest tokens are made locally (unsigned) when an Auth emulator is named; none is called.
            "FIREBASE_AUTH_EMULATOR_HOST": os.environ.get("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9"),
            "GEMINI_API_KEY": "",
        }
        self._saved_env = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        os.environ.pop("GEMINI_API_KEY", None)
        reset_container()
        try:
            for name in DEMO_TENANTS:
                container().tenants.import_pack(demo_pack(name))
            self.gateway = Gateway(port=0).start()
            yield self
        finally:
            if self.gateway is not None:
                self.gateway.stop()
            reset_container()
            for k, v in self._saved_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            self.cloud.stop()

    # --- faults ----------------------------------------------------------------------------

    def outage(self, server: str, seconds: float) -> None:
        """Pause a server's process (data kept), then resume it."""
        pid = self.cloud.servers[server].proc.pid
        os.killpg(pid, signal.SIGSTOP)
        try:
            time.sleep(seconds)
        finally:
            os.killpg(pid, signal.SIGCONT)

    # --- traffic ---------------------------------------------------------------------------

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        request = urllib.request.Request(  # noqa: S310 - loopback gateway only
            self.gateway.url + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback gateway only
                return response.status, json.loads(response.read()), dict(response.headers)
        except urllib.error.HTTPError as err:
            raw = err.read()
            try:
                data = json.loads(raw)
            except ValueError:
                data = {"raw": raw[:200].decode(errors="replace")}
            return err.code, data, dict(err.headers)
        except OSError:
            return 0, {}, {}

    def guest(
        self, number: int, turns: int, figures: Figures, lock: threading.Lock, sent: dict[str, list[str]], think: float
    ) -> None:
        """One guest: a session, then ``turns`` messages, each retried with its id until it is stored."""
        status, session, _ = self._until_ok("/api/chat/session", {"tenant": "novahouse"}, figures, lock)
        if status != 200:
            return
        conv_id = session["conversation_id"]
        markers: list[str] = []
        sent[conv_id] = markers
        for turn in range(turns):
            if STOP.wait(think):  # a guest reads the answer before writing again
                return
            marker = f"[{number}-{turn}]"
            body = {
                "tenant": "novahouse",
                "session_id": session["session_id"],
                "message": f"{QUESTIONS[(number + turn) % len(QUESTIONS)]} {marker}",
                "client_message_id": f"m-{number:04d}-{turn:04d}-{session['session_id'][-8:]}",
            }
            with lock:
                figures.turns_sent += 1
            status, _, _ = self._until_ok("/api/chat", body, figures, lock)
            if status == 200:
                markers.append(marker)
                with lock:
                    figures.turns_ok += 1

    def _until_ok(self, path: str, body: dict[str, Any], figures: Figures, lock: threading.Lock) -> tuple[int, Any, Any]:
        give_up = time.monotonic() + TURN_GIVE_UP_SECONDS
        while True:
            started = time.monotonic()
            status, data, headers = self.post(path, body)
            with lock:
                figures.statuses[status] += 1
                figures.latencies.append(time.monotonic() - started)
                if status not in (200, 503):
                    figures.unclear_failures += 1
            if status == 200 or time.monotonic() > give_up or STOP.is_set():
                return status, data, headers
            if status == 503 and "Retry-After" not in headers:
                with lock:
                    figures.unclear_failures += 1
            time.sleep(min(float(headers.get("Retry-After", 1)), 2.0) if status == 503 else 0.5)

    def agents(self, stop: threading.Event, sent: dict[str, list[str]], figures: Figures, lock: threading.Lock) -> None:
        """Agents take conversations over (and sometimes give them back) while guests write."""
        from shared.bootstrap import container
        from shared.domain.errors import ChatdeskError, ConflictError
        from shared.services.agent import Principal

        team = [
            Principal(uid=f"soak-agent-{i}", email=f"agent{i}@soak.test", name=f"Agent {i}", tenant="novahouse", role="agent")
            for i in range(3)
        ]
        rng = random.Random(7)  # noqa: S311 - load pattern, not security
        while not stop.wait(0.05):
            ids = list(sent)
            if not ids:
                continue
            conv_id, agent = rng.choice(ids), rng.choice(team)
            try:
                container().agent.take_over(agent, conv_id)
                with lock:
                    figures.takeovers += 1
                if rng.random() < 0.3:
                    container().agent.release(agent, conv_id)
            except ConflictError:
                with lock:
                    figures.takeover_conflicts += 1
            except ChatdeskError:
                pass  # a 503 during an outage, or a conversation not stored yet

    # --- checks ----------------------------------------------------------------------------

    def check(self, sent: dict[str, list[str]], figures: Figures) -> None:
        """Read every conversation back and compare with what the guests were told was stored."""
        from shared.bootstrap import container

        db = container().clients.firestore
        figures.conversations = len(sent)
        for conv_id, markers in sent.items():
            ref = db.collection("tenants").document("novahouse").collection("conversations").document(conv_id)
            data = ref.get().to_dict() or {}
            messages = sorted((d.to_dict() for d in ref.collection("messages").stream()), key=lambda m: m["created_at"])
            guest_texts = [m["text"] for m in messages if m["role"] == "guest"]
            found = Counter(marker for text in guest_texts for marker in markers if text.endswith(marker))
            figures.lost += sum(1 for m in markers if found[m] == 0)
            figures.doubled += sum(n - 1 for n in found.values() if n > 1)
            if data.get("message_count") != len(messages) or data.get("guest_message_count") != len(guest_texts):
                figures.count_mismatches += 1
            held = False
            for message in messages:
                if message["role"] == "system":
                    audience = message.get("audience", "all")
                    held = True if audience == "guest" else (False if audience == "all" else held)
                elif message["role"] == "bot" and held:
                    figures.bot_after_takeover += 1
        self._check_events(figures)

    def _check_events(self, figures: Figures, wait_seconds: float = 60.0) -> None:
        from shared.bootstrap import container

        db = container().clients.firestore
        outbox = db.collection("tenants").document("novahouse").collection("outbox")
        give_up = time.monotonic() + wait_seconds
        while True:
            entries = [d.to_dict() or {} for d in outbox.stream()]
            undelivered = [e for e in entries if not e.get("delivered")]
            if not undelivered or time.monotonic() > give_up:
                break
            container().outbox_relay.sweep()
            time.sleep(1.0)
        figures.events = len(entries)
        handled = {d.id for d in db.collection("processed_events").stream()}
        figures.events_undelivered = len(undelivered) + sum(1 for e in entries if e["event"]["id"] not in handled)


def run_phase(
    soak: Soak, phase: str, guests: int, turns: int, outage: str | None, outage_seconds: float, think: float = 0.2
) -> Figures:
    """One phase: guests and agents at once, an optional outage a moment in, then the integrity check."""
    from shared.bootstrap import container

    figures = Figures(phase)
    lock = threading.Lock()
    sent: dict[str, list[str]] = {}
    stop = threading.Event()
    # Start each phase with a clean outbox and ledger view: only this phase's events are checked.
    db = container().clients.firestore
    for doc in db.collection("tenants").document("novahouse").collection("outbox").stream():
        doc.reference.delete()
    started = time.monotonic()
    agents = threading.Thread(target=soak.agents, args=(stop, sent, figures, lock), daemon=True)
    agents.start()
    fault = None
    if outage:
        fault = threading.Thread(
            target=lambda: (time.sleep(OUTAGE_STARTS_AFTER_SECONDS), soak.outage(outage, outage_seconds)), daemon=True
        )
        fault.start()
    with ThreadPoolExecutor(max_workers=min(16, guests)) as pool:
        for number in range(guests):
            pool.submit(soak.guest, number, turns, figures, lock, sent, think)
    stop.set()
    agents.join()
    if fault is not None:
        fault.join()
    figures.seconds = time.monotonic() - started
    soak.check(sent, figures)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--guests", type=int, default=50)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--outage-seconds", type=float, default=10.0)
    parser.add_argument("--think", type=float, default=0.2, help="seconds a guest waits between turns")
    parser.add_argument("--phases", default="normal,pubsub,firestore", help="comma-separated: normal, pubsub, firestore")
    args = parser.parse_args(argv)
    if not (1 <= args.guests <= 200 and 1 <= args.turns <= 100 and 0 < args.outage_seconds <= 60):
        print("soak: bounded run only (guests 1..200, turns 1..100, outage 0..60 s)", file=sys.stderr)
        return 2
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: STOP.set())
    results = []
    with Soak().running() as soak:
        for phase in args.phases.split(","):
            if STOP.is_set():
                break
            outage = None if phase == "normal" else phase
            label = phase if outage is None else f"{phase} down {args.outage_seconds:g}s"
            figures = run_phase(soak, label, args.guests, args.turns, outage, args.outage_seconds, args.think)
            print(figures.line(), flush=True)
            results.append(figures)
    good = all(f.ok for f in results) and not STOP.is_set()
    print("soak: OK — 0 lost, 0 doubled, every failure a 503" if good else "soak: FAILED", flush=True)
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
