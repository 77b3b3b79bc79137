"""One contract per repository port, run against the in-memory fake and the local Firestore server.

Whatever a use case can observe — conditional commits, the errors they raise, retries on a
concurrent change, the outbox — must be the same on both, or unit tests on the fake prove nothing.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from shared.adapters.in_memory_store import InMemoryTenantRepository
from shared.domain.conversation import AgentRef, Conversation, Message, new_message_id
from shared.domain.errors import ConflictError, NotFoundError, StaleWriteError
from shared.domain.events import ChatEvent
from shared.domain.records import ConversationWrite
from shared.services.ports import ConversationRepository, TenantRepository
from tests.helpers import demo_pack

ANNA = AgentRef(uid="u-anna", name="Anna")
PIOTR = AgentRef(uid="u-piotr", name="Piotr")


@pytest.fixture(params=["memory", "firestore"])
def tenants(request: pytest.FixtureRequest) -> Iterator[TenantRepository]:
    if request.param == "memory":
        yield InMemoryTenantRepository()
        return
    request.getfixturevalue("local_cloud")
    from shared.bootstrap import container

    yield container().tenants


def _tenant() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


def _new(tenant: str) -> Conversation:
    now = datetime.now(UTC)
    return Conversation(id=f"{tenant}.{uuid.uuid4().hex[:24]}", tenant=tenant, language="pl", created_at=now, updated_at=now)


def _guest(text: str) -> Message:
    now = datetime.now(UTC)
    return Message(id=new_message_id(now, "guest"), role="guest", text=text, created_at=now)


def _created(repo: ConversationRepository) -> Conversation:
    conversation = _new(_tenant())
    repo.commit(ConversationWrite(conversation))
    return conversation


def test_a_new_conversation_is_created_at_version_one(repo: ConversationRepository) -> None:
    conversation = _created(repo)
    stored = repo.get(conversation.tenant, conversation.id)
    assert stored is not None and stored.version == 1 and conversation.version == 1


def test_creating_a_conversation_that_exists_is_a_stale_write(repo: ConversationRepository) -> None:
    conversation = _created(repo)
    again = conversation.model_copy(update={"version": 0})
    with pytest.raises(StaleWriteError):
        repo.commit(ConversationWrite(again))


def test_a_write_computed_from_an_old_version_is_refused_and_writes_nothing(repo: ConversationRepository) -> None:
    conversation = _created(repo)
    first = repo.get(conversation.tenant, conversation.id)
    second = repo.get(conversation.tenant, conversation.id)
    assert first is not None and second is not None
    message = _guest("pierwsza")
    first.append([message], message.created_at)
    repo.commit(ConversationWrite(first, messages=[message], changed={"message_count", "last_message", "updated_at"}))
    late = _guest("spóźniona")
    second.append([late], late.created_at)
    with pytest.raises(StaleWriteError):
        repo.commit(ConversationWrite(second, messages=[late], changed={"message_count", "last_message", "updated_at"}))
    stored = repo.get(conversation.tenant, conversation.id)
    assert stored is not None and (stored.version, stored.message_count) == (2, 1)
    assert [m.text for m in repo.messages_after(conversation.tenant, conversation.id, None, 10)] == ["pierwsza"]


def test_a_duplicate_take_over_raises_the_same_conflict(repo: ConversationRepository) -> None:
    conversation = _created(repo)

    def take(agent: AgentRef) -> ConversationWrite:
        def change(current: Conversation | None) -> ConversationWrite:
            assert current is not None
            transition = current.take_over(agent, datetime.now(UTC))
            return ConversationWrite(current, messages=transition.messages, changed={"mode", "assigned_agent", "takeover_count"})

        return repo.update_in_transaction(conversation.tenant, conversation.id, change)

    take(ANNA)
    with pytest.raises(ConflictError, match="Anna has already taken over"):
        take(PIOTR)


def test_update_in_transaction_retries_a_change_that_lost_a_race(repo: ConversationRepository) -> None:
    conversation = _created(repo)
    stale = repo.get(conversation.tenant, conversation.id)
    attempts: list[int] = []

    def change(current: Conversation | None) -> ConversationWrite:
        assert current is not None
        attempts.append(current.version)
        if len(attempts) == 1:  # meanwhile, someone else commits
            other = repo.get(conversation.tenant, conversation.id)
            assert other is not None
            other.rate_count = 99
            repo.commit(ConversationWrite(other, changed={"rate_count"}))
        current.guest_message_count += 1
        return ConversationWrite(current, changed={"guest_message_count"})

    repo.update_in_transaction(conversation.tenant, conversation.id, change, first=stale)
    stored = repo.get(conversation.tenant, conversation.id)
    assert attempts == [1, 2]
    assert stored is not None and (stored.rate_count, stored.guest_message_count, stored.version) == (99, 1, 3)


def test_parallel_increments_through_update_in_transaction_are_exact(repo: ConversationRepository) -> None:
    conversation = _created(repo)
    errors: list[BaseException] = []

    def bump() -> None:
        def change(current: Conversation | None) -> ConversationWrite:
            assert current is not None
            current.guest_message_count += 1
            return ConversationWrite(current, changed={"guest_message_count"})

        try:
            repo.update_in_transaction(conversation.tenant, conversation.id, change)
        except ConflictError as exc:  # gave up after its retries: refused, not lost
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stored = repo.get(conversation.tenant, conversation.id)
    assert stored is not None and stored.guest_message_count == 8 - len(errors)
    assert stored.version == 1 + stored.guest_message_count


def test_events_are_kept_in_the_outbox_until_marked_delivered(repo: ConversationRepository) -> None:
    conversation = _new(_tenant())
    event = ChatEvent(type="lead.captured", tenant=conversation.tenant, data={"x": 1}, occurred_at=datetime.now(UTC))
    repo.commit(ConversationWrite(conversation, events=[event]))
    outbox = repo  # both repositories keep the outbox
    pending = outbox.pending(0, 10, conversation.tenant)  # type: ignore[attr-defined]
    assert [(e.id, e.type, e.data) for e in pending] == [(event.id, "lead.captured", {"x": 1})]
    outbox.mark_delivered(event)  # type: ignore[attr-defined]
    assert outbox.pending(0, 10, conversation.tenant) == []  # type: ignore[attr-defined]


def test_a_fresh_outbox_entry_waits_for_the_grace_period(repo: ConversationRepository) -> None:
    conversation = _new(_tenant())
    repo.commit(ConversationWrite(conversation, events=[ChatEvent(type="x.y", tenant=conversation.tenant)]))
    assert repo.pending(3600, 10, conversation.tenant) == []  # type: ignore[attr-defined]


def test_messages_come_back_in_order_after_a_cursor(repo: ConversationRepository) -> None:
    conversation = _new(_tenant())
    base = datetime.now(UTC)
    messages = [
        Message(
            id=new_message_id(base + timedelta(seconds=i), "guest"),
            role="guest",
            text=f"m{i}",
            created_at=base + timedelta(seconds=i),
        )
        for i in range(3)
    ]
    repo.commit(ConversationWrite(conversation, messages=messages))
    after = repo.messages_after(conversation.tenant, conversation.id, messages[0].created_at, 10)
    assert [m.text for m in after] == ["m1", "m2"]


def test_an_unknown_tenant_is_not_found(tenants: TenantRepository) -> None:
    with pytest.raises(NotFoundError):
        tenants.get(_tenant())


def test_importing_a_pack_bumps_the_version_and_serves_it(tenants: TenantRepository) -> None:
    pack = demo_pack("hotel")
    tenant_id = _tenant()
    pack = pack.model_copy(update={"tenant": pack.tenant.model_copy(update={"id": tenant_id})})
    first = tenants.import_pack(pack)
    second = tenants.import_pack(pack)
    assert second == first + 1
    assert tenants.get(tenant_id).pack.tenant.id == tenant_id
