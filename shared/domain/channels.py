"""Guests on other channels than the web widget (WhatsApp): who they are and what they attached."""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.domain.conversation import Attachment


@dataclass(frozen=True)
class ChannelContact:
    """The guest of a turn that arrived on a messaging channel instead of a web session.

    The conversation is keyed by a one-way hash of (tenant, address), so the same number always
    continues the same conversation and the id does not reveal the number.
    """

    channel: str  # "whatsapp"
    address: str  # where replies go, e.g. "whatsapp:+48600100200"
    attachments: list[Attachment] = field(default_factory=list)
