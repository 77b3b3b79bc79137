"""What guest and agent clients see: turn results, messages, polling cursors (kept apart from the use cases)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shared.domain.conversation import Message, TurnRecord, iso_utc
from shared.domain.errors import BadRequestError


@dataclass
class TurnResult:
    session_id: str
    conversation_id: str
    response: str
    source: str
    intent: str
    language: str
    suggestions: list[str]
    timestamp: str
    mode: str = "bot"
    model_ms: int = 0

    def body(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "conversation_id": self.conversation_id,
            "response": self.response,
            "source": self.source,
            "intent": self.intent,
            "language": self.language,
            "suggestions": self.suggestions,
            "timestamp": self.timestamp,
            "mode": self.mode,
        }

    @classmethod
    def replayed(cls, session_id: str, conversation_id: str, record: TurnRecord, model_ms: int = 0) -> TurnResult:
        """The result a turn recorded (first time, or again for a retried client message id)."""
        return cls(
            session_id=session_id,
            conversation_id=conversation_id,
            response=record.response,
            source=record.source,
            intent=record.intent,
            language=record.language,
            suggestions=list(record.suggestions),
            timestamp=record.timestamp,
            mode=record.mode,
            model_ms=model_ms,
        )


def parse_cursor(raw: Any) -> datetime | None:
    """A polling cursor: the ISO time of the last message the client has."""
    if raw in (None, ""):
        return None
    if not isinstance(raw, str) or len(raw) > 40:
        raise BadRequestError("after must be an ISO timestamp")
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequestError("after must be an ISO timestamp") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def public_message(message: Message) -> dict[str, Any]:
    """What a guest or agent client sees of a message."""
    body: dict[str, Any] = {
        "id": message.id,
        "role": message.role,
        "text": message.text,
        "created_at": iso_utc(message.created_at),
    }
    if message.source:
        body["source"] = message.source
    if message.author:
        body["author"] = message.author.model_dump()
    if message.audience != "all":
        body["audience"] = message.audience
    if message.attachments:
        # Only the file name: agents fetch it through the agent function, guests never by URL.
        body["attachments"] = [
            {"name": a.path.rsplit("/", 1)[-1], "content_type": a.content_type, "size": a.size} for a in message.attachments
        ]
    return body
