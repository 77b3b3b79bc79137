"""An agent polling a WhatsApp conversation sees a sent message's later delivery reports."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from shared.adapters.in_memory_store import InMemoryConversationRepository, InMemoryTenantRepository
from shared.adapters.pubsub_events import InMemoryEventPublisher
from shared.domain.conversation import Conversation, Message, iso_utc, new_message_id
from shared.domain.records import ConversationWrite
from shared.services.agent import AgentService, Principal

EMMA = Principal(uid="u-emma", email="emma@hotel.test", name="Emma", tenant="hotel", role="agent")


def test_a_delivery_report_after_the_pollers_cursor_comes_back_as_an_update() -> None:
    repo = InMemoryConversationRepository()
    agent = AgentService(InMemoryTenantRepository(), repo, InMemoryEventPublisher())
    now = datetime.now(UTC)
    conversation = Conversation(
        id=f"hotel.{uuid.uuid4().hex[:24]}", tenant="hotel", channel="whatsapp", language="en", created_at=now, updated_at=now
    )
    reply = Message(id=new_message_id(now, "agent"), role="agent", text="Hi, Emma here.", created_at=now)
    repo.commit(ConversationWrite(conversation, messages=[reply]))
    first = agent.conversation_detail(EMMA, conversation.id)
    assert first["deliveries"] == [] and "delivery_status" not in first["messages"][0]
    time.sleep(0.002)
    repo.report_delivery("hotel", conversation.id, reply.id, "delivered")
    later = agent.conversation_detail(EMMA, conversation.id, first["cursor"])
    assert later["messages"] == []
    assert [(m["id"], m["delivery_status"]) for m in later["deliveries"]] == [(reply.id, "delivered")]
    assert later["cursor"] == iso_utc(reply.created_at)
