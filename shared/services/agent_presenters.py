"""What agent clients see: conversations, messages and notes as the dashboard's dicts."""

from __future__ import annotations

from typing import Any

from shared.domain.channels import reply_window_ends
from shared.domain.conversation import Conversation, Message, iso_utc
from shared.domain.records import Note
from shared.services.chat_presenters import public_message


def public_conversation(conversation: Conversation) -> dict[str, Any]:
    """What an agent client sees of a conversation (never the guest's session id)."""
    last = conversation.last_message
    last_message = {"role": last.role, "text": last.text, "at": iso_utc(last.at)} if last else None
    return {
        "id": conversation.id,
        "tenant": conversation.tenant,
        "channel": conversation.channel,
        "mode": conversation.mode,
        "language": conversation.language,
        "updated_at": iso_utc(conversation.updated_at),
        "message_count": conversation.message_count,
        "last_message": last_message,
        "assigned_agent": conversation.assigned_agent.model_dump() if conversation.assigned_agent else None,
        "rating": conversation.rating,
        "rating_comment": conversation.rating_comment,
        "label": conversation_label(conversation),
        "contact": conversation.contact,
        "lead_id": conversation.lead_id,
        "reply_window_ends": iso_utc(ends) if (ends := reply_window_ends(conversation)) else None,
    }


def conversation_label(conversation: Conversation) -> str | None:
    """What agents call a conversation: the guest's first words still in view, never a hash."""
    first = next((t.text for t in conversation.recent if t.role == "guest"), None)
    if first is None and conversation.last_message and conversation.last_message.role == "guest":
        first = conversation.last_message.text
    if not first:
        return None
    first = " ".join(first.split())
    return first if len(first) <= 60 else first[:59].rstrip() + "…"


def agent_message(message: Message) -> dict[str, Any]:
    """What agents see of a message: the guest's view plus the bot's confidence and the knowledge it used."""
    body = public_message(message)
    if message.role == "bot":
        if message.confidence is not None:
            body["confidence"] = message.confidence
        if message.used:
            body["used"] = list(message.used)
        if message.intent:
            body["intent"] = message.intent
    if message.delivery_status:
        body["delivery_status"] = message.delivery_status
    return body


def public_note(note: Note) -> dict[str, Any]:
    """What agents see of an internal note."""
    return {"id": note.id, "text": note.text, "author": note.author.model_dump(), "created_at": iso_utc(note.created_at)}
