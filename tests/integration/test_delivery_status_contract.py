"""The delivery-status port, on the in-memory fake and the local Firestore server alike."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from shared.domain.conversation import Conversation, Message, new_message_id
from shared.domain.records import ConversationWrite
from shared.services.ports import ConversationRepository


def _sent_reply(repo: ConversationRepository) -> tuple[Conversation, Message]:
    tenant = f"t-{uuid.uuid4().hex[:10]}"
    now = datetime.now(UTC)
    conversation = Conversation(
        id=f"{tenant}.{uuid.uuid4().hex[:24]}", tenant=tenant, channel="whatsapp", language="en", created_at=now, updated_at=now
    )
    reply = Message(id=new_message_id(now, "agent"), role="agent", text="Hi, Emma here.", created_at=now)
    repo.commit(ConversationWrite(conversation, messages=[reply]))
    return conversation, reply


def _status(repo: ConversationRepository, conversation: Conversation, message_id: str) -> str | None:
    [stored] = [m for m in repo.messages_after(conversation.tenant, conversation.id, None, 10) if m.id == message_id]
    return stored.delivery_status


def test_a_delivery_report_updates_the_message_and_a_retry_changes_nothing(repo: ConversationRepository) -> None:
    conversation, reply = _sent_reply(repo)
    assert repo.report_delivery(conversation.tenant, conversation.id, reply.id, "delivered") is True
    assert repo.report_delivery(conversation.tenant, conversation.id, reply.id, "delivered") is False
    assert _status(repo, conversation, reply.id) == "delivered"


def test_reports_arriving_out_of_order_never_move_the_message_backwards(repo: ConversationRepository) -> None:
    conversation, reply = _sent_reply(repo)
    for reported in ("read", "delivered", "sent", "failed"):
        repo.report_delivery(conversation.tenant, conversation.id, reply.id, reported)  # type: ignore[arg-type]
    assert _status(repo, conversation, reply.id) == "read"


def test_a_failed_message_stays_failed(repo: ConversationRepository) -> None:
    conversation, reply = _sent_reply(repo)
    assert repo.report_delivery(conversation.tenant, conversation.id, reply.id, "failed") is True
    assert repo.report_delivery(conversation.tenant, conversation.id, reply.id, "delivered") is False
    assert _status(repo, conversation, reply.id) == "failed"


def test_a_report_for_an_unknown_message_changes_nothing(repo: ConversationRepository) -> None:
    conversation, _ = _sent_reply(repo)
    assert repo.report_delivery(conversation.tenant, conversation.id, "nope", "sent") is False


def test_pollers_get_the_messages_whose_status_changed_after_their_cursor(repo: ConversationRepository) -> None:
    conversation, reply = _sent_reply(repo)
    before = datetime.now(UTC) - timedelta(seconds=1)
    assert repo.deliveries_after(conversation.tenant, conversation.id, before, 10) == []
    repo.report_delivery(conversation.tenant, conversation.id, reply.id, "sent")
    [changed] = repo.deliveries_after(conversation.tenant, conversation.id, before, 10)
    assert (changed.id, changed.delivery_status) == (reply.id, "sent")
    assert repo.deliveries_after(conversation.tenant, conversation.id, datetime.now(UTC) + timedelta(seconds=5), 10) == []
