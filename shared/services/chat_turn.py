"""The persistence step of a chat turn: apply what was decided to the conversation as it is now.

``TurnPlan.change`` is pure and cheap, and runs again on the fresh state whenever the conditional
commit finds the conversation changed meanwhile (another turn, an agent taking over). So the
session limit is checked against exact counts, a retried client message id returns its first
result, and a bot reply computed before a take-over is dropped rather than spoken into it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shared.domain.assistant import LeadFields
from shared.domain.conversation import Attachment, Conversation, Message, TurnRecord, iso_utc, new_message_id
from shared.domain.events import LEAD_CAPTURED, ChatEvent
from shared.domain.experiments import Experiment, enroll, with_outcomes
from shared.domain.leads import is_contactable
from shared.domain.metrics import turn_increments
from shared.domain.records import ConversationWrite, Lead
from shared.services.chat_answer import Reply


class Replayed(Exception):
    """The client message id was already stored: answer with the first result."""

    def __init__(self, record: TurnRecord) -> None:
        super().__init__(record.client_message_id)
        self.record = record


@dataclass
class TurnPlan:
    """Everything a turn decided before storing: the guest's text, the bot's reply (if any), the lead fields."""

    tenant: str
    conversation_id: str
    channel: str
    text: str
    language: str
    received_at: datetime
    replied_at: datetime
    day: str
    turns_per_minute: int
    reply: Reply | None
    experiments: Sequence[Experiment]
    retention_days: int
    lead_fields: LeadFields
    latency_ms: int
    client_message_id: str | None = None
    contact: str | None = None  # a messaging channel's address (WhatsApp), where replies go
    attachments: list[Attachment] | None = None
    page_url: str | None = None  # web: the page the guest wrote from, already checked against the tenant's origins
    record: TurnRecord | None = field(default=None, init=False)

    def new_conversation(self) -> Conversation:
        """The conversation a session's first turn creates."""
        return Conversation(
            id=self.conversation_id,
            tenant=self.tenant,
            channel=self.channel,
            contact=self.contact,
            language=self.language,
            created_at=self.received_at,
            updated_at=self.received_at,
            retention_days=self.retention_days,
        )

    def change(self, current: Conversation | None) -> ConversationWrite:
        """The write this turn makes on ``current`` (the state just read)."""
        conversation = current or self.new_conversation()
        enroll(conversation, self.experiments)  # a new conversation records its variant at its first turn
        done = conversation.remembered(self.client_message_id)
        if done is not None:
            raise Replayed(done)
        conversation.language = self.language
        conversation.visited(self.page_url)
        # The bot speaks after everything already stored: when a retry finds messages committed
        # meanwhile (an agent came and went), its reply must not appear to predate them.
        replied_at = max(self.replied_at, conversation.updated_at + timedelta(microseconds=1))
        guest = Message(
            id=new_message_id(self.received_at, "guest"),
            role="guest",
            text=self.text,
            created_at=self.received_at,
            language=self.language,
            attachments=self.attachments or None,
        )
        messages = list(conversation.receive(guest, self.received_at, self.turns_per_minute).messages)
        events: list[ChatEvent] = []
        spoken = self._bot_speaks(conversation, messages, replied_at)
        handoff = spoken is not None and spoken.wants_human
        if handoff:
            transition = conversation.request_handoff(replied_at + timedelta(microseconds=1))
            messages += transition.messages
            events += transition.events
        lead = self._lead(conversation)
        new_lead = lead is not None and conversation.lead_id is None
        if lead is not None:
            conversation.lead_id = lead.id
            conversation.identify(lead.name, lead.email, lead.phone)
            events.append(
                ChatEvent(type=LEAD_CAPTURED, tenant=self.tenant, data=lead.model_dump(mode="json"), occurred_at=self.received_at)
            )
        metrics = turn_increments(
            new_conversation=current is None,
            messages=len(messages),
            source=spoken.source if spoken else None,
            intent=spoken.intent if spoken else None,
            packages=spoken.packages if spoken else [],
            latency_ms=self.latency_ms if spoken else None,
            lead_captured=new_lead,
            handoff=handoff,
            input_tokens=self.reply.input_tokens if self.reply else 0,
            output_tokens=self.reply.output_tokens if self.reply else 0,
        )
        metrics = with_outcomes(conversation, self.experiments, metrics)
        self.record = TurnRecord(
            client_message_id=self.client_message_id or guest.id,
            response=spoken.text if spoken else "",
            source=spoken.source if spoken else "agent",
            intent=spoken.intent if spoken else "human",
            language=self.language,
            suggestions=spoken.suggestions if spoken else [],
            timestamp=iso_utc(replied_at),
            mode=conversation.mode,
        )
        if self.client_message_id:
            conversation.remember(self.record)
        return ConversationWrite(conversation, messages=messages, metrics=metrics, day=self.day, lead=lead, events=events)

    def _bot_speaks(self, conversation: Conversation, messages: list[Message], replied_at: datetime) -> Reply | None:
        """The bot's reply, if it may still speak in the state the commit is made on."""
        reply = self.reply
        if reply is None or not reply.text or not conversation.bot_may_answer:
            return None
        message = Message(
            id=new_message_id(replied_at, "bot"),
            role="bot",
            text=reply.text,
            created_at=replied_at,
            source=reply.source,
            intent=reply.intent,
            language=self.language,
            latency_ms=self.latency_ms,
            model_ms=reply.model_ms or None,
            input_tokens=reply.input_tokens or None,
            output_tokens=reply.output_tokens or None,
            confidence=reply.confidence,
            used=reply.used or None,
        )
        messages += conversation.bot_reply(message).messages
        if reply.interest is not None:
            conversation.interest = reply.interest
        return reply

    def _lead(self, conversation: Conversation) -> Lead | None:
        fields = self.lead_fields
        if not is_contactable(fields) and not (conversation.lead_id and fields.name):
            return None
        return Lead(
            id=conversation.lead_id or f"lead-{conversation.id.replace('.', '-')}",
            tenant=conversation.tenant,
            conversation_id=conversation.id,
            channel=conversation.channel,
            name=fields.name,
            phone=fields.phone,
            email=fields.email,
            language=self.language,
            package=conversation.interest.package if conversation.interest else None,
            area_m2=conversation.interest.area_m2 if conversation.interest else None,
            quote=conversation.interest.quote if conversation.interest else None,
            created_at=None if conversation.lead_id else self.received_at,
            updated_at=self.received_at,
        )
