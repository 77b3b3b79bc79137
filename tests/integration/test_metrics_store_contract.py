"""One contract for the roll-up reader: the in-memory fake and Firestore's month shards read alike."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from shared.adapters.firestore_store import FirestoreConversationRepository
from shared.adapters.in_memory_store import InMemoryConversationRepository
from shared.adapters.metrics_store import FirestoreMetricsReader, InMemoryMetricsReader
from shared.domain.conversation import Conversation
from shared.domain.records import ConversationWrite
from shared.services.admin_widgets import MetricsReader
from shared.services.ports import ConversationRepository
from tests.conftest import random_id


@pytest.fixture(params=["memory", "firestore"])
def stores(request, local_cloud) -> tuple[ConversationRepository, MetricsReader]:  # type: ignore[no-untyped-def]
    if request.param == "memory":
        repo = InMemoryConversationRepository()
        return repo, InMemoryMetricsReader(repo)
    from shared.bootstrap import container

    db = container().clients.firestore
    return FirestoreConversationRepository(db), FirestoreMetricsReader(db)


def test_roll_ups_written_over_a_month_boundary_read_back_summed_per_day(stores) -> None:  # type: ignore[no-untyped-def]
    repo, reader = stores
    tenant = random_id("tenant")
    at = datetime(2026, 1, 31, tzinfo=UTC)
    conversation = Conversation(id=f"{tenant}.{'0' * 24}", tenant=tenant, language="pl", created_at=at, updated_at=at)
    writes = [
        ("2026-01-30", {"messages": 2, "by_intent.faq": 1}),
        ("2026-01-31", {"messages": 3, "latency_ms.le_500": 1, "ab.e1.control.conversations": 1}),
        ("2026-01-31", {"messages": 1, "by_intent.faq": 2}),
        ("2026-02-01", {"messages": 4, "by_package.standard": 1}),
    ]
    for day, metrics in writes:
        repo.commit(ConversationWrite(conversation, metrics=metrics, day=day))
    got = reader.days(tenant, date(2026, 1, 31), date(2026, 2, 1))
    assert got == {
        "2026-01-31": {"messages": 4, "latency_ms.le_500": 1, "ab.e1.control.conversations": 1, "by_intent.faq": 2},
        "2026-02-01": {"messages": 4, "by_package.standard": 1},
    }
    assert reader.days(tenant, date(2026, 3, 1), date(2026, 3, 5)) == {}
