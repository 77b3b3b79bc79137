"""Purpose-bound HMAC tags under a server secret, written in URL-safe base64 without padding.

Session ids and upload tickets are both signed this way; the purpose goes into every tag, so a
value signed for one can never pass as the other under the same secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

MIN_SECRET_BYTES = 16


def b64(raw: bytes) -> str:
    """URL-safe base64 without the ``=`` padding."""
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unb64(text: str) -> bytes:
    """The bytes of unpadded URL-safe base64."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Tagger:
    """Tags of ``size`` bytes (SHA-256 HMAC, truncated) for one ``purpose`` under ``secret``."""

    def __init__(self, secret: bytes, purpose: str, size: int, *, label: str) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ValueError(f"the {label} secret must be at least {MIN_SECRET_BYTES} bytes")
        self._secret = secret
        self._purpose = purpose
        self._size = size

    def tag(self, body: str) -> str:
        """The tag of ``body``; compare with ``hmac.compare_digest``."""
        digest = hmac.new(self._secret, f"{self._purpose}\x1f{body}".encode(), hashlib.sha256).digest()
        return b64(digest[: self._size])
