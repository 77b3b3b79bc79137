"""Guest session ids the server can verify: random bits plus an HMAC under a server secret.

Only ids this deployment issued pass, so a client cannot invent ids (and cannot reset the
per-session limit by rotating them). The id stays the guest's credential: the conversation id is
a one-way hash of it.
"""

from __future__ import annotations

import hmac
import secrets

from shared.domain.signing import Tagger, b64
from shared.domain.validation import SESSION_ID, invalid

_RANDOM_BYTES = 15  # 20 characters
_TAG_BYTES = 15  # 20 characters


class SessionIds:
    """Issues and verifies ``s_<random><tag>`` session ids."""

    def __init__(self, secret: bytes) -> None:
        self._tagger = Tagger(secret, "session", _TAG_BYTES, label="session")

    def issue(self) -> str:
        """A new session id."""
        body = b64(secrets.token_bytes(_RANDOM_BYTES))
        return f"s_{body}{self._tagger.tag(body)}"

    def is_valid(self, value: object) -> bool:
        """Whether ``value`` is an id this secret issued."""
        if not isinstance(value, str) or not SESSION_ID.fullmatch(value) or len(value) != 42:
            return False
        body, tag = value[2:22], value[22:]
        return hmac.compare_digest(tag, self._tagger.tag(body))

    def verified(self, value: object, field: str = "session_id") -> str:
        """``value`` when this server issued it; otherwise a 400 naming the field."""
        if not self.is_valid(value):
            raise invalid(field, "is missing, malformed or not issued by this server")
        return str(value)
