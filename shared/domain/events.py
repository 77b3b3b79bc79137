"""Events published on the ``chat-events`` topic."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

LEAD_CAPTURED = "lead.captured"
AGENT_REPLIED = "agent.replied"
HANDOFF_REQUESTED = "handoff.requested"


class ChatEvent(BaseModel):
    """A fact about a conversation that other parts of the system react to."""

    type: str = Field(min_length=1, max_length=64)
    tenant: str = Field(min_length=1, max_length=64)
    data: dict[str, Any] = Field(default_factory=dict)
    occurred_at: datetime | None = None
