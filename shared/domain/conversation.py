"""Conversations, messages and the hand-off state machine."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.domain.errors import ConflictError

Mode = Literal["bot", "pending", "human", "closed"]
Channel = Literal["web", "whatsapp"]
MessageRole = Literal["guest", "bot", "agent", "system"]
Source = Literal["faq", "tool", "llm", "fallback", "agent"]

# Recent turns kept on the conversation document: the model's context without reading messages.
RECENT_TURNS = 10

# Allowed hand-off transitions; every transition is also a system message both sides see.
TRANSITIONS: dict[Mode, set[Mode]] = {
    "bot": {"pending", "human", "closed"},
    "pending": {"human", "bot", "closed"},
    "human": {"bot", "closed"},
    "closed": {"bot"},
}


def new_session_id() -> str:
    """A guest's session id: 128 random bits; it is the guest's credential for the conversation."""
    return "s_" + secrets.token_urlsafe(18)


def conversation_id_for(tenant: str, session_id: str) -> str:
    """The session's conversation id, ``{tenant}.{hash}``, derived so that a turn needs no session lookup.

    The hash is one-way: knowing a conversation id (agents and the guest's token see it)
    does not reveal the session id, which stays the guest's secret.
    """
    return f"{tenant}." + hashlib.sha256(f"{tenant}\x1f{session_id}".encode()).hexdigest()[:24]


def tenant_of(conversation_id: str) -> str:
    """The tenant a conversation id belongs to."""
    return conversation_id.rsplit(".", 1)[0]


def iso_utc(moment: datetime) -> str:
    """An ISO 8601 UTC time as clients read it (``...Z``)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def new_message_id(moment: datetime, role: str) -> str:
    """A message id: sortable by time, unique without coordination."""
    return f"{moment.strftime('%Y%m%d%H%M%S%f')}-{role[0]}{secrets.token_hex(3)}"


def localized(table: dict[str, str], language: str) -> str:
    """The text for the language, English when the table has none."""
    return table.get(language, table["en"])


def system_message(moment: datetime, text: str) -> Message:
    """A notice both the guest and the agents see (hand-off transitions and the like)."""
    return Message(id=new_message_id(moment, "system"), role="system", text=text, created_at=moment)


def check_transition(current: Mode, target: Mode) -> None:
    """Raise ConflictError when ``current → target`` is not a hand-off the product allows."""
    if target not in TRANSITIONS[current]:
        raise ConflictError(f"Conversation is {current}; it cannot move to {target}")


class RecentTurn(BaseModel):
    role: MessageRole
    text: str


class AgentRef(BaseModel):
    uid: str
    name: str


class LastMessage(BaseModel):
    """The newest message, kept on the conversation so lists never read messages."""

    role: MessageRole
    text: str
    at: datetime


class Message(BaseModel):
    """One message in a conversation, as stored and as clients read it."""

    id: str
    role: MessageRole
    text: str
    created_at: datetime
    source: Source | None = None
    intent: str | None = None
    language: str | None = None
    latency_ms: int | None = None
    model_ms: int | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    author: AgentRef | None = None
    confidence: float | None = None  # bot messages: how sure the knowledge was (agents see it)
    used: list[str] | None = None  # bot messages: FAQ, package and document ids the reply rests on


class Conversation(BaseModel):
    """A conversation document's fields that services reason about."""

    id: str
    tenant: str
    # No session id here: it is the guest's credential and agents read this document. The
    # conversation id is a one-way hash of it, which is all the server needs to check a guest.
    channel: Channel = "web"
    mode: Mode = "bot"
    language: str
    created_at: datetime
    updated_at: datetime
    message_count: int = 0
    guest_message_count: int = 0
    recent: list[RecentTurn] = Field(default_factory=list)
    assigned_agent: AgentRef | None = None
    rating: int | None = None
    rating_comment: str | None = None
    rated_at: datetime | None = None
    lead_id: str | None = None
    contact: str | None = None  # WhatsApp number or similar, for replies on the guest's channel
    last_message: LastMessage | None = None
    takeover_count: int = 0
    variant: str | None = None
    experiment_id: str | None = None
    rate_window_start: datetime | None = None
    rate_count: int = 0

    def append(self, messages: list[Message], now: datetime) -> None:
        """Count new messages, keep the model's recent turns and the newest message."""
        if not messages:
            return
        self.message_count += len(messages)
        self.updated_at = now
        turns = [RecentTurn(role=m.role, text=m.text[:500]) for m in messages if m.role != "system"]
        self.recent = (self.recent + turns)[-RECENT_TURNS:]
        last = messages[-1]
        self.last_message = LastMessage(role=last.role, text=last.text[:200], at=last.created_at)
