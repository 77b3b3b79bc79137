"""Counting what the Firestore client actually fetched (billed reads), below every adapter."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class BilledReads:
    """Documents returned by queries and gets (min 1 per query) plus one per aggregation query."""

    def __init__(self) -> None:
        self.reads = 0
        self.calls: list[str] = []


@contextmanager
def billed_reads(db: Any) -> Iterator[BilledReads]:
    """Wrap the Firestore client's RPCs and count reads the way Firestore bills them."""
    api = db._firestore_api  # the GAPIC client every query, get and aggregation goes through
    seen = BilledReads()
    originals = {name: getattr(api, name) for name in ("run_query", "batch_get_documents", "run_aggregation_query")}

    def run_query(*args: Any, **kwargs: Any) -> Iterator[Any]:
        docs = 0
        for response in originals["run_query"](*args, **kwargs):
            docs += 1 if response._pb.HasField("document") else 0
            yield response
        seen.reads += max(1, docs)
        seen.calls.append(f"query:{docs}")

    def batch_get(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for response in originals["batch_get_documents"](*args, **kwargs):
            if response._pb.HasField("found") or response._pb.HasField("missing"):
                seen.reads += 1
                seen.calls.append("get")
            yield response

    def aggregation(*args: Any, **kwargs: Any) -> Iterator[Any]:
        yield from originals["run_aggregation_query"](*args, **kwargs)
        seen.reads += 1  # one read per up to 1000 index entries counted
        seen.calls.append("aggregation")

    api.run_query, api.batch_get_documents, api.run_aggregation_query = run_query, batch_get, aggregation
    try:
        yield seen
    finally:
        for name, original in originals.items():
            setattr(api, name, original)
