"""A tenant with thousands of typed documents across every backed-up collection (seeded in batches)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.domain.backup import COLLECTIONS


def tenant_documents(tenant: str, conversations: int, messages: int, db: Any) -> dict[str, dict[str, Any]]:
    """Every document, by path under ``tenants/{tenant}``, with Firestore's awkward types in them."""
    from google.cloud import firestore

    base = datetime(2026, 11, 1, 8, 30, 15, 123456, tzinfo=UTC)
    tenant_ref = db.collection("tenants").document(tenant)
    today = datetime.now(UTC).date()
    docs: dict[str, dict[str, Any]] = {
        "": {"id": tenant, "name": "Seeded", "knowledge_version": 3, "updated_at": base, "languages": ["pl", "en"]},
        "knowledge/current": {"version": 3, "pack": {"faq": [{"q": "Ile?", "a": "1200 zł"}]}, "updated_at": base},
    }
    for c in range(conversations):
        cid = f"{tenant}.c{c:05d}"
        at = base + timedelta(minutes=c)
        docs[f"conversations/{cid}"] = {
            "tenant": tenant,
            "mode": "bot",
            "created_at": at,
            "updated_at": at,
            "last_message": {"text": "ok", "at": at},
            "ratio": 0.1 + c,
            "tags": ["a", {"$weird": True}],
            "nothing": None,
        }
        for m in range(messages):
            docs[f"conversations/{cid}/messages/m{m:04d}"] = {
                "role": "guest" if m % 2 else "bot",
                "text": f"wiadomość {m} – zażółć",
                "created_at": at + timedelta(microseconds=m),
                "latency_ms": m * 1.5,
                "tokens": m,
            }
        docs[f"conversations/{cid}/notes/n1"] = {"text": "note", "author": "agent-1", "created_at": at}
        docs[f"conversations/{cid}/assignments/000001"] = {"agent": "agent-1", "number": 1, "at": at, "ref": tenant_ref}
        if c % 10 == 0:
            docs[f"conversations/{cid}/revisions/00000001"] = {"version": 1, "at": at}
    for lead in range(50):
        docs[f"leads/l{lead}"] = {"name": "Jan", "phone": "+48 600 000 000", "captured_at": base, "raw": b"\x00\xffbytes"}
    for day in range(3):
        key = (today - timedelta(days=day)).isoformat()
        for shard in range(10):
            docs[f"metrics/{key}/shards/{shard}"] = {"day": key, "messages": shard * 7, "conversations": shard}
    docs["outbox/e1"] = {"type": "lead.captured", "delivered": False, "at": base}
    docs["metric_months/2026-11_0"] = {"month": "2026-11", "variant__a__trials": 4}
    docs["api_keys/k1"] = {"hash": "sha256:abcd", "scopes": ["backups"], "created_at": base}
    docs["experiments/e1"] = {"name": "greeting", "where": firestore.GeoPoint(52.23, 21.01), "big": math.inf, "neg": -math.inf}
    docs["contacts/x1"] = {"email": "a@example.com", "$dollar": {"$ts": "not a timestamp"}}
    docs["canned_responses/price-list"] = {"title": "Cennik", "text": "Od 1200 zł/m²", "language": "pl", "updated_at": base}
    return docs


def seed(db: Any, tenant: str, docs: dict[str, dict[str, Any]]) -> None:
    """Write the documents 500 at a time."""
    base = f"tenants/{tenant}"
    items = list(docs.items())
    for start in range(0, len(items), 500):
        batch = db.batch()
        for path, data in items[start : start + 500]:
            batch.set(db.document(f"{base}/{path}" if path else base), data)
        batch.commit()


def wipe(db: Any, tenant: str, paths: Iterable[str]) -> None:
    """Delete the tenant's documents 500 at a time (what a lost tenant looks like)."""
    base = f"tenants/{tenant}"
    items = list(paths)
    for start in range(0, len(items), 500):
        batch = db.batch()
        for path in items[start : start + 500]:
            batch.delete(db.document(f"{base}/{path}" if path else base))
        batch.commit()


def read_back(db: Any, tenant: str) -> dict[str, dict[str, Any]]:
    """Every document the registry reaches, by path, as the client decodes it."""
    from shared.adapters.firestore_backup import FirestoreTenantDocuments

    reader = FirestoreTenantDocuments(db, metrics_lookback_days=10)
    prefix = len(f"tenants/{tenant}") + 1
    out = {}
    for spec in COLLECTIONS:
        for snap in reader._snapshots(tenant, spec):
            out[snap.reference.path[prefix:]] = snap.to_dict() or {}
    return out


def differences(expected: dict[str, dict[str, Any]], actual: dict[str, dict[str, Any]]) -> list[str]:
    """Field-by-field differences (types included: 1 and 1.0 differ, references compare by path)."""
    out = [f"missing {p}" for p in expected.keys() - actual.keys()] + [f"extra {p}" for p in actual.keys() - expected.keys()]
    for path in expected.keys() & actual.keys():
        out += [f"{path}: {d}" for d in _diff(expected[path], actual[path], "")]
    return out


def _norm(value: Any) -> Any:
    kind = type(value).__name__
    if kind == "DocumentReference":
        return ("ref", value.path)
    if isinstance(value, datetime):
        return ("ts", value.astimezone(UTC).isoformat())
    return (type(value).__name__, value)


def _diff(a: Any, b: Any, where: str) -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{where}.{k} missing or extra" for k in a.keys() ^ b.keys()]
        for k in a.keys() & b.keys():
            out += _diff(a[k], b[k], f"{where}.{k}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where} length {len(a)} != {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _diff(x, y, f"{where}[{i}]")]
    return [] if _norm(a) == _norm(b) else [f"{where}: {a!r} != {b!r}"]
