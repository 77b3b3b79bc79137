"""Upload tickets: what one guest may upload, signed by the server so the client cannot change it.

A ticket names the tenant, the conversation, the object name, the declared content type, the
size limit and when it expires; an HMAC under the server's session secret covers all of it. The
local upload route and the finalize step both trust only what a valid ticket says.
"""

from __future__ import annotations

import hmac
import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from shared.domain.errors import BadRequestError, ForbiddenError
from shared.domain.signing import Tagger, b64, unb64

MAX_ATTACHMENT_MB = 50  # the platform's ceiling for a tenant's attachment limit (the local upload route's body limit)
TICKET = re.compile(r"^[A-Za-z0-9_-]{40,600}\.[A-Za-z0-9_-]{20,64}$")
_TAG_BYTES = 24


@dataclass(frozen=True)
class UploadTicket:
    """One object a guest may put under its conversation, until ``expires``."""

    tenant: str
    conversation_id: str
    name: str  # the object's file name under the conversation's media folder
    content_type: str  # declared by the client; the bytes are sniffed again before anything is stored
    max_bytes: int
    expires: int  # Unix seconds

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.expires, UTC)

    @property
    def key(self) -> str:
        """The object name without its extension: one upload, one message (the finalize step's idempotency key)."""
        return self.name.rsplit(".", 1)[0]


class UploadTickets:
    """Signs and verifies upload tickets with a secret derived for this purpose only."""

    def __init__(self, secret: bytes) -> None:
        self._tagger = Tagger(secret, "upload", _TAG_BYTES, label="ticket")

    def sign(self, ticket: UploadTicket) -> str:
        """The ticket as an opaque URL-safe string."""
        body = b64(json.dumps(asdict(ticket), separators=(",", ":"), sort_keys=True).encode())
        return f"{body}.{self._tagger.tag(body)}"

    def verified(self, raw: object, now: datetime, *, grace_seconds: int = 0) -> UploadTicket:
        """The ticket when this server signed it and it has not expired (plus ``grace_seconds``)."""
        if not isinstance(raw, str) or not TICKET.fullmatch(raw):
            raise BadRequestError("The upload ticket is missing or malformed")
        body, tag = raw.split(".", 1)
        if not hmac.compare_digest(tag, self._tagger.tag(body)):
            raise ForbiddenError("The upload ticket is not valid")
        try:
            ticket = UploadTicket(**json.loads(unb64(body)))
        except (ValueError, TypeError):  # signed by us, so only an old format could fail here
            raise BadRequestError("The upload ticket is not valid") from None
        if now.timestamp() > ticket.expires + grace_seconds:
            raise ForbiddenError("The upload ticket has expired; please attach the file again")
        return ticket
