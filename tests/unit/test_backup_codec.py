"""Firestore values survive the trip through JSON exactly, typed (the backup's line format)."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from google.cloud.firestore import GeoPoint

from shared.adapters.firestore_backup_codec import decode_line, decode_value, encode_line, encode_value
from shared.domain.backup import COLLECTIONS, spec_by_name


class FakeDb:
    def document(self, path: str) -> tuple[str, str]:
        return ("ref", path)


def round_trip(value: Any) -> Any:
    return decode_value(json.loads(json.dumps(encode_value(value))), FakeDb())


def test_timestamps_keep_their_microseconds_and_come_back_in_utc() -> None:
    moment = datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=timezone(timedelta(hours=2)))
    back = round_trip(moment)
    assert back == moment and back.tzinfo == UTC and back.microsecond == 999999


def test_bytes_geo_points_and_special_floats_keep_their_types() -> None:
    assert round_trip(b"\x00\xff") == b"\x00\xff"
    assert round_trip(GeoPoint(52.2, 21.0)) == GeoPoint(52.2, 21.0)
    assert round_trip(math.inf) == math.inf and round_trip(-math.inf) == -math.inf and math.isnan(round_trip(math.nan))


def test_ints_and_floats_stay_apart() -> None:
    back = round_trip({"i": 1, "f": 1.0, "big": 2**62})
    assert type(back["i"]) is int and type(back["f"]) is float and back["big"] == 2**62


def test_a_map_that_looks_like_a_tag_is_not_mistaken_for_one() -> None:
    value = {"$ts": "2026-01-01", "nested": [{"$bytes": "AA=="}], "$map": {}}
    assert round_trip(value) == value


def test_a_line_carries_the_path_under_the_tenant_and_the_typed_fields() -> None:
    line = encode_line("conversations/c1/messages/m1", {"text": "zażółć", "at": datetime(2026, 1, 1, tzinfo=UTC), "n": None})
    assert line.endswith(b"\n") and "zażółć".encode() in line
    path, data = decode_line(line, FakeDb())
    assert path == "conversations/c1/messages/m1" and data == {
        "text": "zażółć",
        "at": datetime(2026, 1, 1, tzinfo=UTC),
        "n": None,
    }


def test_every_registered_collection_has_a_unique_file_name() -> None:
    names = [spec.name for spec in COLLECTIONS]
    assert len(names) == len(set(names))
    assert spec_by_name("conversations.messages").path == "conversations/*/messages"
    assert spec_by_name("tenant").path == ""
    assert all(spec.path.count("*") <= 1 for spec in COLLECTIONS)  # the reader walks one level of parents


def test_api_keys_keep_their_hash_and_never_a_clear_key() -> None:
    spec = spec_by_name("api_keys")
    assert "secret_hash" not in spec.secret_fields and {"key", "plaintext", "secret"} <= spec.secret_fields
