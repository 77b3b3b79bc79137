"""Benchmark: N concurrent guests × M turns through the local gateway, Gemini answering with a delay.

    python -m tools.bench_chat [--guests 20] [--turns 5] [--model-delay-ms 300]

Starts its own local cloud, local Gemini server and gateway (in this process, so Firestore
operations are counted at the client), seeds the demo tenants, drives the guests from a separate
process (so the load generator does not share the server's interpreter), then prints turns/s,
p50/p95 of the server's own overhead (turn time minus model time, from the Server-Timing header),
and Firestore reads, commits and written documents per turn.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
# A realistic mix: FAQ, computed quotes, and questions only the model can take.
QUESTIONS = {
    "novahouse": [
        "Ile kosztuje pakiet Standard za 60 m2?",
        "Jaka jest gwarancja na wykonczenie?",
        "Czy robicie też zabudowę tarasu z drewna egzotycznego?",
        "How long does finishing a flat take?",
        "Czy pomiar jest płatny?",
    ],
    "hotel": [
        "What time is check-in?",
        "Do you have parking?",
        "Can you recommend a good jazz club nearby?",
        "Is breakfast included?",
        "Are pets allowed?",
    ],
}


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def model_ms(header: str | None) -> float:
    for part in (header or "").split(","):
        name, _, rest = part.strip().partition(";")
        if name == "model" and rest.startswith("dur="):
            return float(rest[4:])
    return 0.0


def guest(base_url: str, tenant: str, turns: int, seed: int) -> list[tuple[float, float, int]]:
    """One guest's conversation; returns (turn ms, model ms, status) per turn."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible question mix, not security
    session = requests.Session()
    session_id = None
    out = []
    for _ in range(turns):
        body: dict[str, Any] = {"tenant": tenant, "message": rng.choice(QUESTIONS[tenant])}
        if session_id:
            body["session_id"] = session_id
        started = time.perf_counter()
        response = session.post(f"{base_url}/api/chat", json=body, timeout=30)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code == 200:
            session_id = response.json()["session_id"]
        out.append((elapsed, model_ms(response.headers.get("Server-Timing")), response.status_code))
    return out


def drive(base_url: str, guests: int, turns: int) -> dict[str, Any]:
    """All guests at once; returns their turns and the wall time."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=guests) as pool:
        futures = [pool.submit(guest, base_url, list(QUESTIONS)[i % len(QUESTIONS)], turns, i) for i in range(guests)]
        results = [r for f in futures for r in f.result()]
    return {"results": results, "wall": time.perf_counter() - started}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--guests", type=int, default=20)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--model-delay-ms", type=int, default=300)
    parser.add_argument("--drive", metavar="URL", help=argparse.SUPPRESS)  # internal: be the load generator
    args = parser.parse_args(argv)
    if args.drive:
        print(json.dumps(drive(args.drive, args.guests, args.turns)))
        return 0

    from infra.local.cloud import LocalCloud
    from infra.local.fake_gemini import start_fake_gemini

    with LocalCloud() as cloud:
        os.environ.update(cloud.env)
        gemini, base = start_fake_gemini(0, api_key="bench-key")
        os.environ.update(
            {
                "CHATDESK_ENV": "development",
                "GEMINI_API_KEY": "bench-key",
                "GEMINI_BASE_URL": base,
                "RATE_LIMIT_IP_PER_MINUTE": "100000",
                "LOG_LEVEL": "WARNING",
            }
        )
        requests.post(f"{base}/_control", json={"mode": "normal", "delay_ms": args.model_delay_ms}, timeout=5)
        from infra.local.gateway import Gateway
        from shared.adapters.firestore_store import counter
        from shared.bootstrap import container
        from shared.domain.knowledge import load_pack_file

        for name in QUESTIONS:
            container().tenants.import_pack(load_pack_file(ROOT / "data" / "tenants" / f"{name}.yaml"))
        gateway = Gateway(port=0).start()
        try:
            guest(gateway.url, "novahouse", 2, seed=-1)  # warm caches and the index, as a live instance has them
            before = counter.snapshot()
            # The load generator runs in its own interpreter so it does not compete for the server's GIL.
            command = [sys.executable, "-m", "tools.bench_chat", "--drive", gateway.url]
            command += ["--guests", str(args.guests), "--turns", str(args.turns)]
            out = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
            after = counter.snapshot()
            load = json.loads(out.stdout)
            results, wall = [tuple(r) for r in load["results"]], load["wall"]
        finally:
            gateway.stop()
            gemini.stop()
            threading.Event().wait(0.1)

    ok = [r for r in results if r[2] == 200]
    overhead = [max(0.0, t - m) for t, m, _ in ok]
    turns = len(ok)
    print(f"guests={args.guests} turns/guest={args.turns} model delay={args.model_delay_ms} ms  (2 cores, local servers)")
    failed = Counter(status for _, _, status in results if status != 200)
    print(f"turns ok            {turns}/{len(results)}" + (f"   failures by status: {dict(failed)}" if failed else ""))
    print(f"throughput          {turns / wall:.1f} turns/s")
    times = [t for t, _, _ in ok]
    print(f"turn time           p50 {percentile(times, 50):.0f} ms   p95 {percentile(times, 95):.0f} ms")
    p50, p95 = percentile(overhead, 50), percentile(overhead, 95)
    print(f"server overhead     p50 {p50:.0f} ms   p95 {p95:.0f} ms   (turn time minus model time)")
    print(f"model-answered      {sum(1 for _, m, _ in ok if m > 0)} turns")
    print(f"firestore reads     {(after['reads'] - before['reads']) / turns:.2f} per turn")
    print(f"firestore commits   {(after['commits'] - before['commits']) / turns:.2f} per turn")
    print(f"documents written   {(after['writes'] - before['writes']) / turns:.2f} per turn")
    print(f"median of all turns {statistics.median(t for t, _, _ in ok):.0f} ms")
    return 0 if turns == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
