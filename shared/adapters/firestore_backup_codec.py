"""Firestore values ⇄ JSON, explicitly typed so a restore writes back exactly what was read.

JSON has no timestamps, bytes, references, geo points, vectors, NaN or infinities, so each is a
one-key object (``{"$ts": ...}``); a map whose own keys start with ``$`` is wrapped in ``{"$map": ...}``
so it can never be mistaken for one. Timestamps keep microseconds, Firestore's precision.
"""

from __future__ import annotations

import base64
import json
import math
from datetime import UTC, datetime
from typing import Any

_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def encode_value(value: Any) -> Any:
    """A Firestore value (as the Python client returns it) as plain JSON."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return {"$float": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    if isinstance(value, dict):
        encoded = {k: encode_value(v) for k, v in value.items()}
        return {"$map": encoded} if any(k.startswith("$") for k in value) else encoded
    if isinstance(value, list):
        return [encode_value(v) for v in value]
    if isinstance(value, datetime):
        return {"$ts": value.astimezone(UTC).isoformat(timespec="microseconds")}
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode()}
    kind = type(value).__name__
    if kind == "GeoPoint":
        return {"$geo": [value.latitude, value.longitude]}
    if kind in ("DocumentReference", "AsyncDocumentReference"):
        return {"$ref": value.path}
    if kind == "Vector":
        return {"$vector": [float(v) for v in value]}
    raise TypeError(f"cannot back up a value of type {kind}")


def decode_value(value: Any, db: Any) -> Any:
    """The inverse of ``encode_value``; ``db`` makes references."""
    if isinstance(value, list):
        return [decode_value(v, db) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((tag, inner),) = value.items()
        if tag == "$ts":
            return datetime.fromisoformat(inner)
        if tag == "$bytes":
            return base64.b64decode(inner)
        if tag == "$float":
            return _FLOATS[inner]
        if tag == "$map":
            return {k: decode_value(v, db) for k, v in inner.items()}
        if tag == "$geo":
            from google.cloud.firestore import GeoPoint

            return GeoPoint(inner[0], inner[1])
        if tag == "$ref":
            return db.document(inner)
        if tag == "$vector":
            from google.cloud.firestore_v1.vector import Vector

            return Vector(inner)
    return {k: decode_value(v, db) for k, v in value.items()}


def encode_line(path: str, data: dict[str, Any]) -> bytes:
    """One NDJSON line: the document's path under its tenant and its typed fields."""
    return json.dumps({"p": path, "d": encode_value(data)}, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def decode_line(line: bytes, db: Any) -> tuple[str, dict[str, Any]]:
    record = json.loads(line)
    data: dict[str, Any] = decode_value(record["d"], db)
    return str(record["p"]), data
