"""What a Chatdesk deployment costs: idle, and per 1 000 four-turn conversations.

    python -m tools.cost                 # from the figures recorded in README (no servers)
    python -m tools.cost --measure 25    # play 25 four-turn conversations on the local cloud
                                         # first and use their recorded tokens and operations

--measure runs the chat function (functions-framework) against a local cloud and the local
Gemini server, then reads back what the turns stored: Firestore reads/commits/documents written
(counted at the client), and each bot message's input/output tokens and source. The local Gemini
counts tokens at about four characters a token from the real prompt, so token figures follow the
prompts Chatdesk builds. Prices are list prices with the date they were read (PRICES_AS_OF).
"""

from __future__ import annotations

import argparse
import os
import random
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRICES_AS_OF = (
    "Google list prices as known in mid-2025 (USD, europe-central2 where regional); not re-checked here (offline): verify"
)
PRICE = {
    # Firestore (regional europe-central2), per 100 000 operations / per GiB-month
    "firestore_read_100k": 0.039,
    "firestore_write_100k": 0.117,
    "firestore_storage_gib_month": 0.117,
    # Cloud Run functions 2nd gen, Tier 2 region, request-based billing
    "vcpu_second": 0.0000336,
    "gib_second": 0.0000035,
    "requests_million": 0.40,
    # Gemini 2.5 Flash, paid tier, per million tokens
    "gemini_input_million": 0.30,
    "gemini_output_million": 2.50,
    # Fixed monthly items (after free tiers; see README for what the free tiers cover)
    "artifact_registry_gib_month": 0.10,
    "alert_condition_month": 0.10,
    "secret_version_month": 0.06,
    "scheduler_job_month": 0.10,
}


@dataclass(frozen=True)
class TurnFigures:
    """Recorded per-turn figures."""

    # Recorded 2026-11-23 by `python -m tools.cost --measure 20` (80 turns over the demo tenants);
    # `tools.bench_chat --guests 10 --turns 4` agrees: 1.10 reads, 1.00 commits, 4.00 writes a turn.
    reads: float = 1.04
    commits: float = 1.00
    writes: float = 4.00
    model_share: float = 0.14  # turns the model answered (the rest: FAQ or computed quote)
    input_tokens: float = 553.0  # per model-answered turn
    output_tokens: float = 94.0
    seconds: float = 0.35  # instance time a turn keeps busy, model wait included (production estimate)


def idle_month(functions: int = 4, secrets: int = 3, alert_conditions: int = 4, schedules: int = 1) -> dict[str, float]:
    """Monthly cost with no traffic: min instances 0, so no compute."""
    return {
        "compute (min instances 0)": 0.0,
        "function images, ~0.25 GiB each over 0.5 GiB free": max(0.0, functions * 0.25 - 0.5)
        * PRICE["artifact_registry_gib_month"],
        "alert conditions": alert_conditions * PRICE["alert_condition_month"],
        "secret versions (6 free)": max(0, secrets - 6) * PRICE["secret_version_month"],
        "scheduler jobs (3 free)": max(0, schedules - 3) * PRICE["scheduler_job_month"],
        "firestore storage (1 GiB free)": 0.0,
    }


def per_thousand_conversations(f: TurnFigures, turns: int = 4, memory_gib: float = 0.5) -> dict[str, float]:
    """Cost of 1 000 conversations of ``turns`` turns (plus one session start each), no free tier."""
    n = 1000 * turns
    requests = n + 1000
    return {
        "firestore reads": n * f.reads / 100_000 * PRICE["firestore_read_100k"],
        "firestore writes": n * f.writes / 100_000 * PRICE["firestore_write_100k"],
        "function vCPU": n * f.seconds * PRICE["vcpu_second"],
        "function memory": n * f.seconds * memory_gib * PRICE["gib_second"],
        "function requests": requests / 1_000_000 * PRICE["requests_million"],
        "gemini input tokens": n * f.model_share * f.input_tokens / 1_000_000 * PRICE["gemini_input_million"],
        "gemini output tokens": n * f.model_share * f.output_tokens / 1_000_000 * PRICE["gemini_output_million"],
    }


def measure(conversations: int) -> TurnFigures:
    """Play four-turn conversations on the local cloud and return what they recorded."""
    from infra.local.cloud import LocalCloud
    from infra.local.fake_gemini import start_fake_gemini
    from tools.bench_chat import QUESTIONS

    with LocalCloud() as cloud:
        os.environ.update(cloud.env)
        gemini, base = start_fake_gemini(0, api_key="cost-key")
        os.environ.update({"CHATDESK_ENV": "development", "GEMINI_API_KEY": "cost-key", "GEMINI_BASE_URL": base})
        os.environ.update({"RATE_LIMIT_IP_PER_MINUTE": "100000", "LOG_LEVEL": "WARNING"})
        from infra.local.gateway import load_function_app, load_functions
        from shared.adapters.firestore_store import counter
        from shared.bootstrap import container
        from shared.domain.knowledge import load_pack_file

        for name in QUESTIONS:
            container().tenants.import_pack(load_pack_file(ROOT / "data" / "tenants" / f"{name}.yaml"))
        client = load_function_app("chat", load_functions()["chat"]).test_client()
        rng = random.Random(7)  # noqa: S311 - picking questions, not secrets
        client.post("/api/chat", json={"tenant": "hotel", "message": "warm up"})
        before = counter.snapshot()
        ids: list[str] = []
        for i in range(conversations):
            tenant = list(QUESTIONS)[i % len(QUESTIONS)]
            session = None
            for _ in range(4):
                body = {"tenant": tenant, "message": rng.choice(QUESTIONS[tenant]), "session_id": session}
                reply = client.post("/api/chat", json={k: v for k, v in body.items() if v}).get_json()
                session = reply["session_id"]
            ids.append(reply["conversation_id"])
        after = counter.snapshot()
        db = container().clients.firestore
        model, inputs, outputs, bots = 0, 0, 0, 0
        for cid in ids:
            ref = db.collection("tenants").document(cid.rsplit(".", 1)[0]).collection("conversations").document(cid)
            for message in ref.collection("messages").stream():
                data = message.to_dict() or {}
                if data.get("role") != "bot":
                    continue
                bots += 1
                if data.get("input_tokens"):
                    model += 1
                    inputs += int(data["input_tokens"])
                    outputs += int(data.get("output_tokens") or 0)
        gemini.shutdown()
    turns = conversations * 4
    delta = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    return replace(
        TurnFigures(),
        reads=delta.get("reads", 0) / turns,
        commits=delta.get("commits", 0) / turns,
        writes=delta.get("writes", 0) / turns,
        model_share=model / max(bots, 1),
        input_tokens=inputs / max(model, 1),
        output_tokens=outputs / max(model, 1),
    )


def _table(title: str, rows: dict[str, float]) -> None:
    print(title)
    for name, value in rows.items():
        print(f"  {name:<52} ${value:8.4f}")
    print(f"  {'total':<52} ${sum(rows.values()):8.4f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Chatdesk's cost: idle, and per 1 000 four-turn conversations.")
    parser.add_argument("--measure", type=int, default=0, metavar="N", help="play N conversations locally first")
    args = parser.parse_args(argv)
    figures = measure(args.measure) if args.measure else TurnFigures()
    print(f"prices: {PRICES_AS_OF}")
    print(f"per turn: {figures.reads:.2f} reads, {figures.commits:.2f} commits, {figures.writes:.2f} documents written")
    share, tokens_in, tokens_out = figures.model_share, figures.input_tokens, figures.output_tokens
    print(f"model answers {share:.0%} of turns, {tokens_in:.0f} input / {tokens_out:.0f} output tokens each")
    _table("idle deployment, per month:", idle_month())
    _table("1 000 four-turn conversations (no free tier applied):", per_thousand_conversations(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
