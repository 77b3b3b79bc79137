"""The whole product on one machine: local cloud, demo data, gateway (Hosting + functions + Eventarc).

    python -m infra.local.stack [--port 8080]

Prints the URLs (and the demo logins and keys as they are created), then runs until Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shlex
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import Any

from infra.local.cloud import LocalCloud, free_port

ROOT = Path(__file__).resolve().parents[2]
DEMO_PACKS = sorted((ROOT / "data" / "tenants").glob("*.yaml"))


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def start_local_gemini() -> tuple[Any, list[str]]:
    """The local Gemini stand-in, unless a real Gemini is configured; a fresh key each start."""
    if os.environ.get("GEMINI_API_KEY") or os.environ.get("GOOGLE_GENAI_USE_VERTEXAI", "").lower() in ("1", "true"):
        return None, ["Gemini        the real Gemini you configured"]
    from infra.local.fake_gemini import start_fake_gemini

    key = secrets.token_urlsafe(24)
    server, base_url = start_fake_gemini(0, api_key=key)
    os.environ["GEMINI_API_KEY"] = key
    os.environ["GEMINI_BASE_URL"] = base_url
    return server, [f"Gemini        local stand-in at {base_url} (set GEMINI_API_KEY before start to use the real one)"]


def seed_tenants() -> list[str]:
    """Import the demo knowledge packs (data/tenants/*.yaml) and canned responses (data/canned/*.yaml) with the CLIs."""
    from tools.tenants import main as tenants_cli

    if tenants_cli(["import", *map(str, DEMO_PACKS)]) != 0:
        raise RuntimeError("importing the demo tenants failed")
    from tools.canned import main as canned_cli

    canned = sorted((ROOT / "data" / "canned").glob("*.yaml"))
    if canned_cli(["import", *map(str, canned)]) != 0:
        raise RuntimeError("importing the demo canned responses failed")
    return [
        f"Tenants       {', '.join(p.stem for p in DEMO_PACKS)} (knowledge from data/tenants/)",
        f"Canned        {', '.join(p.stem for p in canned)} (type / in the dashboard's reply box; data/canned/)",
    ]


# What the CLIs read besides the servers' addresses: without CHATDESK_ENV they assume production,
# which refuses emulator hosts; the project id must match the one the local servers were seeded for.
TOOL_VARIABLES = ("CHATDESK_ENV", "GOOGLE_CLOUD_PROJECT", "CHATDESK_DEV_ORIGINS", "GEMINI_API_KEY", "GEMINI_BASE_URL")


def tool_environment(env: dict[str, str]) -> list[str]:
    """``export`` lines for everything the CLI tools need to reach this local stack."""
    values = dict(env)
    for key in TOOL_VARIABLES:
        if os.environ.get(key):
            values.setdefault(key, os.environ[key])
    values.setdefault("CHATDESK_ENV", "development")
    return [f"export {key}={shlex.quote(value)}" for key, value in sorted(values.items())]


def configure_demo_integrations(env: dict[str, str]) -> list[str]:
    """Demo Twilio accounts (hotel, novahouse) and a Monday board (novahouse) on the local stand-ins,
    with fresh tokens each start; the stand-ins are told the tokens so they check them."""
    import requests

    from shared.bootstrap import container

    integrations = container().integrations
    twilio, monday = env["TWILIO_BASE_URL"], env["MONDAY_BASE_URL"].rsplit("/v2", 1)[0]
    numbers = {"hotel": "+48500100100", "novahouse": "+48500200200"}
    for index, (tenant, number) in enumerate(numbers.items(), start=1):
        sid, token = f"AC{index:032d}", secrets.token_urlsafe(24)
        requests.post(f"{twilio}/_accounts", json={"sid": sid, "token": token}, timeout=5).raise_for_status()
        integrations.set_twilio(tenant, account_sid=sid, auth_token=token, whatsapp_from=f"whatsapp:{number}")
    monday_token = secrets.token_urlsafe(24)
    requests.post(f"{monday}/_tokens", json={"token": monday_token}, timeout=5).raise_for_status()
    integrations.set_monday("novahouse", api_token=monday_token, board_id="1000000001")
    return [
        f"WhatsApp      local Twilio at {twilio}: hotel {numbers['hotel']}, novahouse {numbers['novahouse']}",
        f"Monday        local board 1000000001 (novahouse leads) at {monday}/_items?board=1000000001",
        "Secrets       local Secret Manager (python -m tools.integrations show --tenant hotel)",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    args = parser.parse_args(argv)
    port = args.port if port_is_free(args.port) else free_port()
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")  # gRPC's C core otherwise chatters about local server shutdowns

    print("==> starting the local cloud (Firestore, Auth, Storage, Pub/Sub, Scheduler and the stand-ins)", flush=True)
    cloud = LocalCloud()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    gemini = None
    try:
        env = cloud.start()
        os.environ.update(env)
        os.environ.setdefault("CHATDESK_ENV", "development")
        os.environ.setdefault("CHATDESK_DEV_ORIGINS", f"http://localhost:{port},http://127.0.0.1:{port}")
        # Signs guest session ids; new on every start (sessions from an earlier start are refused).
        os.environ.setdefault("CHATDESK_SESSION_SECRET", secrets.token_urlsafe(32))
        gemini, notes = start_local_gemini()
        print("==> seeding demo data", flush=True)
        notes += seed_tenants()
        scheduler = env.get("CLOUD_SCHEDULER_EMULATOR_HOST")
        notes.append(f"Backups       nightly-backup on the local Scheduler ({scheduler}); /api/backup/*")
        notes += configure_demo_integrations(env)
        from tools.agents import create_demo_agents, login_table

        logins = login_table(create_demo_agents())
        from tools.keys import create_demo_keys

        admin_keys = create_demo_keys([p.stem for p in DEMO_PACKS])
        from infra.local.gateway import Gateway

        gateway = Gateway(port=port, sweep_outbox=True).start()
        url = gateway.url.replace("127.0.0.1", "localhost")
        print("\nChatdesk is running locally:\n")
        print(f"  Demo site     {url}/            (NovaHouse, Polish)")
        print(f"  Hotel site    {url}/hotel.html")
        print(f"  Dashboard     {url}/dashboard")
        print(f"  Admin page    {url}/admin          (admin logins below; the API takes the keys below)")
        print(f"  Health        {url}/api/health/deep")
        for line in notes:
            print(f"  {line}")
        print("\nDemo agent logins for the dashboard (passwords are new on every start):\n")
        for line in logins:
            print(f"  {line}")
        print("\nDemo admin API keys (X-API-Key; new on every start):\n")
        for line in admin_keys:
            print(f"  {line}")
        print("\nEnvironment of the local cloud (paste it before running python -m tools.*):")
        for line in tool_environment(env):
            print(f"  {line}")
        print("\nCtrl-C stops everything.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
        gateway.stop()
    finally:
        if gemini is not None:
            gemini.stop()
        cloud.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
