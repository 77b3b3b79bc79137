"""What a use case hands to storage to write in one commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel

from shared.domain.conversation import AgentRef, Conversation, Message
from shared.domain.events import ChatEvent


class Lead(BaseModel):
    """A guest's contact details, for the business's CRM."""

    id: str
    tenant: str
    conversation_id: str
    channel: str
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    language: str
    package: str | None = None  # what the guest asked about, for the CRM item
    area_m2: float | None = None
    quote: str | None = None
    created_at: datetime | None = None  # set only when the lead is first captured
    updated_at: datetime


class Assignment(BaseModel):
    """The n-th take-over of a conversation: who took it and when. Written create-only, so of two
    agents taking the same conversation from the same state exactly one succeeds."""

    number: int
    agent: AgentRef
    at: datetime


class Note(BaseModel):
    """An internal note agents leave on a conversation; guests never see it."""

    id: str
    text: str
    author: AgentRef
    created_at: datetime


@dataclass
class ConversationWrite:
    """Everything one action changes, written in exactly one commit."""

    conversation: Conversation
    messages: list[Message] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    metrics: dict[str, int] = field(default_factory=dict)
    day: str | None = None  # the roll-up day (tenant's local date) the metrics count towards
    lead: Lead | None = None
    assignment: Assignment | None = None
    # Events stored in the same commit (the outbox) and delivered after it.
    events: list[ChatEvent] = field(default_factory=list)
    # Conversation fields this write changes; None writes the whole document. Either way the commit
    # is conditional on ``conversation.version`` (the version it was computed from): a change that
    # happened meanwhile makes the commit fail with StaleWriteError rather than be overwritten.
    # An empty set leaves the conversation document (and its version) alone, e.g. a note.
    changed: set[str] | None = None

    @property
    def is_noop(self) -> bool:
        """Nothing to write (e.g. a repeated rating)."""
        return self.changed == set() and not (
            self.messages or self.notes or self.metrics or self.lead or self.assignment or self.events
        )
