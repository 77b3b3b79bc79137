"""WhatsApp rules that need no server: media sniffing and the 24-hour reply window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.channels import check_reply_window, reply_window_ends
from shared.domain.conversation import Conversation
from shared.domain.errors import ConflictError
from shared.services.media import sniff

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff\xd8\xff\xe0rest", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\nrest", "image/png"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"MZ\x90\x00", None),
        (b"<html>", None),
        (b"", None),
    ],
)
def test_media_types_come_from_the_bytes_not_the_name(data: bytes, expected: str | None) -> None:
    assert sniff(data) == expected


def _conversation(channel: str, last_guest_at: datetime | None) -> Conversation:
    return Conversation(
        id="hotel." + "a" * 24,
        tenant="hotel",
        channel=channel,
        language="en",
        created_at=NOW,
        updated_at=NOW,
        last_guest_at=last_guest_at,
    )  # type: ignore[arg-type]


def test_a_reply_within_24_hours_of_the_guests_last_message_is_allowed() -> None:
    check_reply_window(_conversation("whatsapp", NOW - timedelta(hours=23)), NOW)


def test_a_reply_after_24_hours_is_refused_with_a_reason_the_agent_can_read() -> None:
    with pytest.raises(ConflictError, match="24 hours"):
        check_reply_window(_conversation("whatsapp", NOW - timedelta(hours=24)), NOW)


def test_the_web_has_no_reply_window() -> None:
    conversation = _conversation("web", NOW - timedelta(days=30))
    assert reply_window_ends(conversation) is None
    check_reply_window(conversation, NOW)
