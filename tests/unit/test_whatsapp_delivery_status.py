"""Twilio's status callbacks move the sent message's delivery status, through the WhatsApp use case."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from shared.adapters.in_memory_store import InMemoryConversationRepository
from shared.adapters.pubsub_events import InMemoryEventPublisher
from shared.adapters.secrets import InMemoryIntegrationRefs, InMemorySecretStore
from shared.adapters.whatsapp_records import InMemoryMediaStore, InMemoryWhatsAppRecords
from shared.domain.conversation import Conversation, Message, new_message_id
from shared.domain.events import AGENT_REPLIED, ChatEvent
from shared.domain.integrations import TwilioAccount
from shared.domain.records import ConversationWrite
from shared.services.channel_ports import Media, WhatsAppGateway
from shared.services.integrations import Integrations
from shared.services.whatsapp import WhatsAppChannel

ACCOUNT_SID = "AC" + "1" * 32


class _Twilio(WhatsAppGateway):
    """Sends nowhere; every message gets a new sid. A request is signed when its signature is ``ok``."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, account: TwilioAccount, to: str, body: str, status_callback: str | None = None) -> str:
        self.sent.append((to, body))
        return "SM" + uuid.uuid4().hex

    def fetch_media(self, account: TwilioAccount, url: str, max_bytes: int) -> Media | None:
        return None

    def signature_valid(self, auth_token: str, url: str, params: Mapping[str, str], signature: str) -> bool:
        return signature == "ok"


def _channel() -> tuple[WhatsAppChannel, InMemoryConversationRepository, str]:
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    integrations = Integrations(InMemorySecretStore(), InMemoryIntegrationRefs())
    integrations.set_twilio(tenant, account_sid=ACCOUNT_SID, auth_token="token", whatsapp_from="whatsapp:+48500100100")
    conversations = InMemoryConversationRepository()
    channel = WhatsAppChannel(
        integrations, _Twilio(), InMemoryEventPublisher(), InMemoryMediaStore(), InMemoryWhatsAppRecords(), conversations
    )
    return channel, conversations, tenant


def _agent_reply_sent(
    channel: WhatsAppChannel, conversations: InMemoryConversationRepository, tenant: str
) -> tuple[str, str, str]:
    """An agent's reply stored in a WhatsApp conversation and sent through Twilio; (conversation, message, sid)."""
    now = datetime.now(UTC)
    conversation = Conversation(
        id=f"{tenant}.{uuid.uuid4().hex[:24]}", tenant=tenant, channel="whatsapp", language="en", created_at=now, updated_at=now
    )
    reply = Message(id=new_message_id(now, "agent"), role="agent", text="Hi, Emma here.", created_at=now)
    conversations.commit(ConversationWrite(conversation, messages=[reply]))
    data = {"conversation_id": conversation.id, "message_id": reply.id, "text": reply.text, "contact": "whatsapp:+48600100200"}
    channel.send_agent_reply(ChatEvent(type=AGENT_REPLIED, tenant=tenant, data={**data, "channel": "whatsapp"}))
    [sid] = [s for (t, s) in channel._records.outbound if t == tenant]  # type: ignore[attr-defined]
    return conversation.id, reply.id, sid


def _callback(channel: WhatsAppChannel, tenant: str, sid: str, status: str) -> bool:
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": ACCOUNT_SID}
    return channel.status(tenant, f"https://chat.example/api/whatsapp/{tenant}/status", params, "ok")


def _status(conversations: InMemoryConversationRepository, tenant: str, conv_id: str, message_id: str) -> str | None:
    [message] = [m for m in conversations.messages_after(tenant, conv_id, None, 10) if m.id == message_id]
    return message.delivery_status


def test_a_delivered_callback_marks_the_agents_reply_delivered() -> None:
    channel, conversations, tenant = _channel()
    conv_id, message_id, sid = _agent_reply_sent(channel, conversations, tenant)
    assert _status(conversations, tenant, conv_id, message_id) == "queued"  # Twilio took it
    assert _callback(channel, tenant, sid, "delivered") is True
    assert _status(conversations, tenant, conv_id, message_id) == "delivered"


def test_twilio_retrying_a_callback_changes_nothing_the_second_time() -> None:
    channel, conversations, tenant = _channel()
    conv_id, message_id, sid = _agent_reply_sent(channel, conversations, tenant)
    assert _callback(channel, tenant, sid, "sent") is True
    assert _callback(channel, tenant, sid, "sent") is False
    assert _status(conversations, tenant, conv_id, message_id) == "sent"


def test_a_late_delivered_callback_does_not_undo_read() -> None:
    channel, conversations, tenant = _channel()
    conv_id, message_id, sid = _agent_reply_sent(channel, conversations, tenant)
    for status in ("read", "delivered", "sent"):
        _callback(channel, tenant, sid, status)
    assert _status(conversations, tenant, conv_id, message_id) == "read"


def test_a_failed_message_stays_failed_and_steps_we_do_not_show_are_ignored() -> None:
    channel, conversations, tenant = _channel()
    conv_id, message_id, sid = _agent_reply_sent(channel, conversations, tenant)
    assert _callback(channel, tenant, sid, "sending") is False
    assert _callback(channel, tenant, sid, "failed") is True
    assert _callback(channel, tenant, sid, "delivered") is False
    assert _status(conversations, tenant, conv_id, message_id) == "failed"


def test_a_callback_for_a_message_that_is_not_ours_changes_nothing() -> None:
    channel, _, tenant = _channel()
    assert _callback(channel, tenant, "SM" + "f" * 32, "delivered") is False
