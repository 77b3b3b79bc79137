"""Dead letters as the dashboard reads them."""

from __future__ import annotations

from typing import Any

from shared.domain.conversation import iso_utc
from shared.domain.dead_letters import DeadLetter


def dead_letter_list(letters: list[DeadLetter]) -> dict[str, Any]:
    """``{"dead_letters": [...]}``, newest first: type, when, attempts, reason class, conversation."""
    return {
        "dead_letters": [
            {
                "id": letter.id,
                "type": letter.type,
                "at": iso_utc(letter.at) if letter.at else None,
                "attempts": letter.attempts,
                "reason": letter.reason,
                "conversation_id": letter.conversation_id,
            }
            for letter in letters
        ]
    }
