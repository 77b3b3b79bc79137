"""Writes Firestore documents for the Node tests of the web data modules.

The Firebase JS SDK's Write stream is not implemented by the local Firestore server, so the Node
tests seed data through this helper (the Python server client, as the functions write). It reads
one JSON command per line on stdin and answers one JSON line per command on stdout:

    {"op": "set", "path": "tenants/t/conversations/c", "data": {...}}   -> {"ok": true}
    {"op": "update", "path": "...", "data": {...}}                      -> {"ok": true}

Values {"$ts": "<ISO time>"} become timestamps and {"$now": true} the server's time.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from typing import Any


def decode(value: Any, server_timestamp: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$ts"}:
            return datetime.fromisoformat(value["$ts"].replace("Z", "+00:00"))
        if set(value) == {"$now"}:
            return server_timestamp
        return {k: decode(v, server_timestamp) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v, server_timestamp) for v in value]
    return value


def main() -> int:
    from google.cloud import firestore

    client = firestore.Client(project=os.environ.get("GOOGLE_CLOUD_PROJECT", "demo-chatdesk"))
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            command = json.loads(line)
            ref = client.document(command["path"])
            data = decode(command.get("data", {}), firestore.SERVER_TIMESTAMP)
            if command["op"] == "set":
                ref.set(data)
            elif command["op"] == "update":
                ref.update(data)
            else:
                raise ValueError(f"unknown op {command['op']!r}")
            print(json.dumps({"ok": True}), flush=True)
        except Exception as exc:  # reported to the test, which fails with it
            print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
