"""Fixtures the integration contract tests share: each port as its in-memory fake and as its real adapter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.adapters.in_memory_store import InMemoryConversationRepository
from shared.services.ports import ConversationRepository


@pytest.fixture(params=["memory", "firestore"])
def repo(request: pytest.FixtureRequest) -> Iterator[ConversationRepository]:
    if request.param == "memory":
        yield InMemoryConversationRepository()
        return
    request.getfixturevalue("local_cloud")
    from shared.bootstrap import container

    yield container().conversations
