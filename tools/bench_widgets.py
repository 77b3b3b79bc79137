"""Benchmark: the eight metrics widgets over 30 days — latency and billed Firestore reads per call.

    python -m tools.bench_widgets [--turns 40] [--calls 10]

Starts its own local cloud (unless the emulator variables name one), imports a throw-away tenant,
makes guest turns through the chat service so the roll-ups are real, then calls every widget
through the admin function (functions-framework) and prints p50/max latency and the reads the
Firestore client actually fetched (budgets: 300 ms, 40 reads).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

from shared.domain.widget_paths import WIDGETS

MESSAGES = (
    "Ile kosztuje pakiet Standard za 60 m2?",
    "Jaka jest gwarancja?",
    "Chcę rozmawiać z konsultantem",
    "Jak długo trwa remont?",
)


def run(turns: int, calls: int) -> None:
    from infra.local.gateway import load_function_app, load_functions
    from shared.bootstrap import container
    from shared.domain.knowledge import load_pack_file
    from tools.firestore_meter import metered

    tenant = f"bench-{uuid.uuid4().hex[:8]}"
    base = load_pack_file(Path(__file__).resolve().parents[1] / "data" / "tenants" / "novahouse.yaml")
    container().tenants.import_pack(
        base.model_copy(update={"tenant": base.tenant.model_copy(update={"id": tenant, "allowed_origins": []})})
    )
    for i in range(turns):
        container().chat.turn({"tenant": tenant, "message": MESSAGES[i % len(MESSAGES)]})
    _, key = container().api_keys.create(tenant, "bench")
    client = load_function_app("admin", load_functions()["admin"]).test_client()
    headers = {"X-API-Key": key}
    db = container().clients.firestore

    def call(widget: str) -> Any:
        if widget == "custom":
            body = {"days": 30, "metrics": ["conversations", "leads"], "group_by": "day"}
            return client.post("/api/widgets/custom", headers=headers, json=body)
        return client.get(f"/api/widgets/{widget}?days=30", headers=headers)

    print(f"{'widget':<22} {'p50 ms':>7} {'max ms':>7} {'reads':>6}")
    for widget in (*WIDGETS, "custom"):
        call(widget)  # warm: key and tenant config cached, as on a live instance
        times, reads = [], 0
        for _ in range(calls):
            with metered(db) as counted:
                started = time.perf_counter()
                response = call(widget)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.get_json()
            reads = max(reads, counted.reads)
        print(f"{widget:<22} {statistics.median(times):>7.1f} {max(times):>7.1f} {reads:>6}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=40)
    parser.add_argument("--calls", type=int, default=10)
    args = parser.parse_args(argv)
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if os.environ.get("FIRESTORE_EMULATOR_HOST"):
        run(args.turns, args.calls)
        return 0
    from infra.local.cloud import LocalCloud

    cloud = LocalCloud()
    try:
        os.environ.update(cloud.start())
        os.environ.setdefault("CHATDESK_ENV", "development")
        run(args.turns, args.calls)
    finally:
        cloud.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
