"""Events published on the ``chat-events`` topic."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

LEAD_CAPTURED = "lead.captured"
AGENT_REPLIED = "agent.replied"
HANDOFF_REQUESTED = "handoff.requested"
# Asks the events function to republish outbox entries that were stored but not delivered.
OUTBOX_SWEEP = "outbox.sweep"
# Asks the events function to delete conversations idle past their tenant's retention (GDPR).
RETENTION_SWEEP = "retention.sweep"


def new_event_id() -> str:
    """An event's id: fixed when the event is made, so every redelivery carries the same one."""
    return "ev_" + secrets.token_hex(12)


class ChatEvent(BaseModel):
    """A fact about a conversation that other parts of the system react to."""

    # Stable across publishes and redeliveries: consumers dedupe by it (not by the Pub/Sub message id).
    id: str = Field(default_factory=new_event_id, min_length=1, max_length=64)
    type: str = Field(min_length=1, max_length=64)
    tenant: str = Field(min_length=1, max_length=64)
    data: dict[str, Any] = Field(default_factory=dict)
    occurred_at: datetime | None = None
