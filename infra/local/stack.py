"""The whole product on one machine: local cloud, demo data, gateway (Hosting + functions + Eventarc).

    python -m infra.local.stack [--port 8080]

Prints the URLs (and the demo logins and keys as they are created), then runs until Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable

from infra.local.cloud import LocalCloud, free_port

# Demo data steps add themselves here: each gets the environment and returns lines to print.
Seeder = Callable[[dict[str, str]], list[str]]


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def seeders() -> list[Seeder]:
    """The demo data to create, in order."""
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    args = parser.parse_args(argv)
    port = args.port if port_is_free(args.port) else free_port()

    print("==> starting the local cloud (Firestore, Auth, Storage, Pub/Sub)", flush=True)
    cloud = LocalCloud()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        env = cloud.start()
        os.environ.update(env)
        os.environ.setdefault("CHATDESK_ENV", "development")
        notes: list[str] = []
        for seed in seeders():
            notes += seed(dict(os.environ))
        from infra.local.gateway import Gateway

        gateway = Gateway(port=port).start()
        url = gateway.url.replace("127.0.0.1", "localhost")
        print("\nChatdesk is running locally:\n")
        print(f"  Health        {url}/api/health/deep")
        for line in notes:
            print(f"  {line}")
        print("\nEnvironment of the local cloud (to run tools against it):")
        for key, value in sorted(env.items()):
            print(f"  export {key}={value}")
        print("\nCtrl-C stops everything.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
        gateway.stop()
    finally:
        cloud.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
