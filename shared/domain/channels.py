"""Guests on other channels than the web widget (WhatsApp): who they are and what they attached."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shared.domain.conversation import Attachment, Conversation
from shared.domain.errors import ConflictError


@dataclass(frozen=True)
class ChannelContact:
    """The guest of a turn that arrived on a messaging channel instead of a web session.

    The conversation is keyed by a one-way hash of (tenant, address), so the same number always
    continues the same conversation and the id does not reveal the number.
    """

    channel: str  # "whatsapp"
    address: str  # where replies go, e.g. "whatsapp:+48600100200"
    attachments: list[Attachment] = field(default_factory=list)


# WhatsApp's customer-service window: a business may send free-form messages only this long after
# the guest's last message (outside it, only pre-approved templates).
WHATSAPP_WINDOW = timedelta(hours=24)


def reply_window_ends(conversation: Conversation) -> datetime | None:
    """When free-form replies stop being possible; None for channels without a window."""
    if conversation.channel != "whatsapp":
        return None
    start = conversation.last_guest_at or conversation.created_at
    return start + WHATSAPP_WINDOW


def check_reply_window(conversation: Conversation, now: datetime) -> None:
    """Refuse an agent's free-form reply that WhatsApp would not deliver."""
    ends = reply_window_ends(conversation)
    if ends is not None and now >= ends:
        raise ConflictError(
            "WhatsApp delivers free-form replies only within 24 hours of the guest's last message; "
            "this conversation's window has closed"
        )
