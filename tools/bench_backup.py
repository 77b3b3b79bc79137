"""Backup benchmark: documents/s and peak RSS of one tenant's backup at two sizes (memory must stay flat).

    python -m tools.bench_backup                    # 10 000 and 50 000 documents, on a fresh local cloud
    python -m tools.bench_backup --sizes 2000 5000  # other sizes

Each size is a new tenant shaped like real traffic (a conversation with 18 messages and a note),
seeded in batches of 500; its backup then runs in a child process of its own, so the child's
peak RSS is the backup's alone. A second line per size times our side alone (documents made in
memory → codec → gzip → Storage), which shows how much of the end-to-end figure is the local
Firestore server. Uses the servers named by the emulator variables when they are
all set, otherwise starts a local cloud.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

PER_CONVERSATION = 20  # the conversation, 18 messages, 1 note
EMULATORS = ("FIRESTORE_EMULATOR_HOST", "PUBSUB_EMULATOR_HOST", "STORAGE_EMULATOR_HOST", "CLOUD_SCHEDULER_EMULATOR_HOST")


def seed(tenant: str, documents: int) -> int:
    """Write about ``documents`` documents for a new tenant; returns how many."""
    from google.cloud import firestore

    db = firestore.Client(project=os.environ.get("GOOGLE_CLOUD_PROJECT", "demo-chatdesk"))
    base = db.collection("tenants").document(tenant)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    base.set({"id": tenant, "name": "Benchmark", "knowledge_version": 1, "updated_at": start})
    conversations = max(1, (documents - 1) // PER_CONVERSATION)

    def write(first: int) -> int:
        batch, n = db.batch(), 0
        for c in range(first, min(first + 25, conversations)):  # 25 × 20 = 500 writes per commit
            ref = base.collection("conversations").document(f"{tenant}.c{c:06d}")
            at = start + timedelta(seconds=c)
            batch.set(ref, {"tenant": tenant, "mode": "bot", "created_at": at, "updated_at": at, "turns": 9})
            for m in range(18):
                text = f"Ile kosztuje pakiet Standard za {m + 40} m²? Odpowiedź numer {m}."
                batch.set(ref.collection("messages").document(f"m{m:03d}"), {"role": "guest", "text": text, "created_at": at})
            batch.set(ref.collection("notes").document("n1"), {"text": "follow up", "author": "agent", "created_at": at})
            n += PER_CONVERSATION
        batch.commit()
        return n

    with ThreadPoolExecutor(4) as pool:
        return 1 + sum(pool.map(write, range(0, conversations, 25)))


def child(tenant: str) -> None:
    """Run one backup and print its outcome (the parent measures time and RSS)."""
    from shared.bootstrap import container
    from shared.domain.backup import backup_id

    started = time.perf_counter()
    outcome = container().backup_runner.back_up(tenant, backup_id(datetime.now(UTC), uuid.uuid4().hex))
    print(json.dumps({"documents": outcome.documents, "seconds": time.perf_counter() - started, "backup": outcome.backup}))


def pipeline_child(documents: int) -> None:
    """Our side alone: typed documents made in memory → codec → gzip → resumable upload (no Firestore)."""
    from shared.adapters.firestore_backup_codec import encode_line
    from shared.bootstrap import container
    from shared.domain.backup import backup_id

    at = datetime(2026, 11, 1, tzinfo=UTC)

    def lines() -> Any:
        for i in range(documents):
            text = f"Ile kosztuje pakiet Standard za {i % 90 + 10} m²? Odpowiedź numer {i}."
            yield encode_line(
                f"conversations/c{i // 18}/messages/m{i % 18:03d}", {"role": "guest", "text": text, "created_at": at}
            )

    started = time.perf_counter()
    tenant, backup = f"bench-pipe-{uuid.uuid4().hex[:8]}", backup_id(at, uuid.uuid4().hex)
    entry = container().backup_store.write_file(tenant, backup, "conversations.messages.ndjson.gz", lines())
    print(json.dumps({"documents": entry.documents, "seconds": time.perf_counter() - started, "backup": backup}))


def measure(*child_args: str) -> dict[str, Any]:
    """The backup in a child process: its own wall time, documents and peak RSS (from wait4)."""
    argv = [sys.executable, "-m", "tools.bench_backup", *child_args]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, env=os.environ)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"backup child failed with {proc.returncode}")
    result: dict[str, Any] = json.loads(out.splitlines()[-1])
    result["peak_rss_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    return result


def run(sizes: list[int]) -> list[dict[str, Any]]:
    rows = []
    for size in sizes:
        tenant = f"bench-{uuid.uuid4().hex[:8]}"
        t0 = time.perf_counter()
        seeded = seed(tenant, size)
        seed_s = time.perf_counter() - t0
        result = measure("--child", tenant)
        rows.append({"size": seeded, "seed_s": seed_s, **result, "docs_per_s": result["documents"] / result["seconds"]})
        print(
            f"{seeded:>7} documents  seeded in {seed_s:6.1f}s  backup {result['seconds']:6.1f}s  "
            f"{result['documents'] / result['seconds']:7.0f} docs/s  peak RSS {result['peak_rss_mb']:6.1f} MiB",
            flush=True,
        )
    for size in sizes:
        result = measure("--pipeline", str(size))
        print(
            f"{result['documents']:>7} documents  pipeline only (no Firestore: codec, gzip, upload) {result['seconds']:6.1f}s  "
            f"{result['documents'] / result['seconds']:7.0f} docs/s  peak RSS {result['peak_rss_mb']:6.1f} MiB",
            flush=True,
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--child", metavar="TENANT", help=argparse.SUPPRESS)  # internal: be the measured backup
    parser.add_argument("--pipeline", type=int, help=argparse.SUPPRESS)  # internal: be the measured pipeline
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    if args.pipeline:
        pipeline_child(args.pipeline)
        return 0
    os.environ.setdefault("CHATDESK_ENV", "development")
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    if all(os.environ.get(v) for v in EMULATORS):
        rows = run(args.sizes)
    else:
        from infra.local.cloud import LocalCloud

        with LocalCloud() as cloud:
            os.environ.update(cloud.env)
            rows = run(args.sizes)
    if len(rows) >= 2:
        small, large = rows[0], rows[-1]
        rss = large["peak_rss_mb"] / small["peak_rss_mb"]
        print(
            f"peak RSS {rss:.2f}× for {large['size'] / small['size']:.0f}× the documents; "
            f"throughput {min(r['docs_per_s'] for r in rows):.0f}–{max(r['docs_per_s'] for r in rows):.0f} docs/s (goal ≥ 5000)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
