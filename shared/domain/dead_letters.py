"""An event that failed every delivery attempt, as staff see it: what, when, how often, and why in one word."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel

from shared.domain.validation import CONVERSATION_ID

# Why the last attempt failed, as a class: never the exception's text (it may carry a token or a guest's data).
FailureClass = Literal["outside_service", "database_unavailable", "timeout", "internal_error"]
FAILURE_CLASSES: tuple[str, ...] = get_args(FailureClass)


class DeadLetter(BaseModel):
    """One dead-lettered event of a tenant; its data (a lead's contact details…) is not kept."""

    id: str
    type: str
    at: datetime | None = None
    attempts: int | None = None
    reason: FailureClass | None = None
    conversation_id: str | None = None  # a one-way hash, so agents can open the conversation


def conversation_of(data: dict[str, Any]) -> str | None:
    """The event's conversation id, when it carries a well-formed one."""
    value = data.get("conversation_id")
    return value if isinstance(value, str) and CONVERSATION_ID.fullmatch(value) else None
