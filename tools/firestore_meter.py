"""Counts what a Firestore client really sends: reads and commits metered at the client's RPC layer.

The adapter's own bookkeeping can drift from what it does; this wraps the GAPIC calls of one
``google.cloud.firestore.Client`` (every document get, query, aggregation and commit goes through them),
counting reads the way Firestore bills them: one per document returned or found missing, and at least
one per query.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

READ_CALLS = ("batch_get_documents", "run_query", "run_aggregation_query")


class FirestoreMeter:
    """Totals of one client's reads and commits, safe to read from the test thread."""

    def __init__(self) -> None:
        self.reads = 0
        self.commits = 0
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return {"reads": self.reads, "commits": self.commits}

    def _add(self, call: str, reads: int = 0, commits: int = 0) -> None:
        with self._lock:
            self.reads += reads
            self.commits += commits
            self.calls.append(call)


def _billed_reads(call: str, responses: list[Any]) -> int:
    if call == "batch_get_documents":
        return sum(1 for r in responses if r._pb.HasField("found") or r._pb.missing)
    if call == "run_query":
        return max(1, sum(1 for r in responses if r._pb.HasField("document")))
    return 1  # an aggregation is billed as one read per (up to 1000) index entries


@contextmanager
def metered(client: Any) -> Iterator[FirestoreMeter]:
    """Meter ``client`` (a firestore.Client) for the duration of the block."""
    api = client._firestore_api  # the GAPIC client every Firestore call of this client goes through
    meter = FirestoreMeter()
    originals = {name: getattr(api, name) for name in (*READ_CALLS, "commit")}

    def reading(name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            responses = list(originals[name](*args, **kwargs))  # server streams: drain, count, replay
            meter._add(name, reads=_billed_reads(name, responses))
            return iter(responses)

        return call

    def committing(*args: Any, **kwargs: Any) -> Any:
        response = originals["commit"](*args, **kwargs)
        meter._add("commit", commits=1)
        return response

    for name in READ_CALLS:
        setattr(api, name, reading(name))
    api.commit = committing
    try:
        yield meter
    finally:
        for name in originals:
            delattr(api, name)
