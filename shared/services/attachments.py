"""Web widget attachments: a ticket for one upload, the upload itself (locally), and finalizing it into a message.

The browser puts the file straight into the private media bucket with a short-lived V4 signed URL
(production) or through the ``chat`` function (locally: the storage emulator cannot sign). Nothing is
stored in the conversation until ``finalize`` has sniffed the object's bytes and checked its size;
a refused object is deleted. The message is a guest message received by the conversation aggregate,
kept by the upload's key so finalizing twice stores it once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from shared.domain.conversation import Attachment, Conversation, Message, TurnRecord, iso_utc, new_message_id
from shared.domain.errors import (
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    PayloadTooLargeError,
    ServiceUnavailableError,
    UnsupportedMediaError,
)
from shared.domain.experiments import with_outcomes
from shared.domain.records import ConversationWrite
from shared.domain.upload_tickets import UploadTicket, UploadTickets
from shared.domain.validation import clean_text, invalid
from shared.services.chat import ChatService
from shared.services.chat_presenters import public_message
from shared.services.media import EXTENSIONS, MediaStore, StoredObject, UploadTarget, media_path, sniff
from shared.services.ports import TenantKnowledge

MB = 1024 * 1024
TICKET_SECONDS = 15 * 60
# A large file on a slow line may finish after the ticket expired; finalizing it stays possible this long.
FINALIZE_GRACE_SECONDS = 60 * 60
MAX_FILE_NAME_CHARS = 120
_KINDS = "photos (JPEG, PNG, WebP) and PDF files"


def _too_large(limit_mb: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(f"Sorry, this file is too large: files up to {limit_mb} MB can be sent here")


def _unsupported() -> UnsupportedMediaError:
    return UnsupportedMediaError(f"Sorry, we can only accept {_KINDS}; this file was not sent")


class WebAttachments:
    """Guest-facing attachment use cases; ownership is the guest's session, as for ratings."""

    def __init__(
        self,
        chat: ChatService,
        media: MediaStore,
        tickets: UploadTickets,
        *,
        through_function: bool,
        ticket_seconds: int = TICKET_SECONDS,
    ) -> None:
        self._chat = chat
        self._media = media
        self._tickets = tickets
        self._through_function = through_function  # locally: the storage emulator cannot sign URLs
        self._ticket_seconds = ticket_seconds

    def _guest(self, body: dict[str, Any], origin: str | None) -> tuple[str, str, TenantKnowledge]:
        tenant_id, conv_id = self._chat.owned_conversation(body.get("conversation_id"), body.get("session_id"))
        knowledge = self._chat.tenants.get(tenant_id)
        self._chat.check_origin(origin, knowledge)
        return tenant_id, conv_id, knowledge

    def ticket(self, body: dict[str, Any], origin: str | None = None) -> dict[str, Any]:
        """A short-lived ticket (and where to PUT the file) for one object under the guest's conversation."""
        tenant_id, conv_id, knowledge = self._guest(body, origin)
        content_type = body.get("content_type")
        if not isinstance(content_type, str) or content_type not in EXTENSIONS:
            raise _unsupported()
        size = body.get("size")
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise invalid("size", "must be the file's size in bytes")
        limit_mb = knowledge.pack.tenant.attachments_max_mb
        if size > limit_mb * MB:
            raise _too_large(limit_mb)
        now = self._chat.clock()
        ticket = UploadTicket(
            tenant=tenant_id,
            conversation_id=conv_id,
            name=f"w-{secrets.token_hex(12)}.{EXTENSIONS[content_type]}",
            content_type=content_type,
            max_bytes=size,  # the declared size: the signed URL's length range and the local route hold it to that
            expires=int((now + timedelta(seconds=self._ticket_seconds)).timestamp()),
        )
        signed = self._tickets.sign(ticket)
        target = self._target(ticket, signed)
        return {
            "ticket": signed,
            "upload": {"url": target.url, "method": target.method, "headers": target.headers},
            "name": ticket.name,
            "max_bytes": ticket.max_bytes,
            "expires_at": iso_utc(ticket.expires_at),
        }

    def _target(self, ticket: UploadTicket, signed: str) -> UploadTarget:
        if self._through_function:
            # The tenant in the query lets CORS answer for the tenant's origins (the handler trusts only the ticket).
            url = f"/api/chat/uploads/{signed}?tenant={quote(ticket.tenant)}"
            return UploadTarget(url=url, headers={"Content-Type": ticket.content_type})
        path = media_path(ticket.tenant, ticket.conversation_id, ticket.name)
        target = self._media.upload_target(path, ticket.content_type, ticket.max_bytes, ticket.expires_at)
        if target is None:
            raise ServiceUnavailableError("Sending files is not available at the moment, please try again later")
        return target

    def receive_upload(
        self,
        raw_ticket: Any,
        content_type: str | None,
        content_length: int | None,
        read: Callable[[int], bytes],
        origin: str | None = None,
    ) -> dict[str, Any]:
        """The local stand-in for the signed PUT: the ticket's object, its declared type, its size at most."""
        if not self._through_function:
            raise NotFoundError("Files are uploaded straight to storage here")
        ticket = self._tickets.verified(raw_ticket, self._chat.clock())
        self._chat.check_origin(origin, self._chat.tenants.get(ticket.tenant))
        if (content_type or "").split(";")[0].strip().lower() != ticket.content_type:
            raise BadRequestError(f"Content-Type must be {ticket.content_type}, as the ticket says")
        if content_length is not None and content_length > ticket.max_bytes:
            raise PayloadTooLargeError(f"This upload may be at most {ticket.max_bytes} bytes")
        path = media_path(ticket.tenant, ticket.conversation_id, ticket.name)
        if self._media.stat(path) is not None:
            raise ConflictError("This file was already uploaded")  # as Cloud Storage refuses a create-only PUT
        data = read(ticket.max_bytes + 1)
        if len(data) > ticket.max_bytes:
            raise PayloadTooLargeError(f"This upload may be at most {ticket.max_bytes} bytes")
        if not data:
            raise BadRequestError("The upload is empty")
        self._media.put(path, data, ticket.content_type)
        return {"success": True, "name": ticket.name, "size": len(data)}

    def finalize(self, body: dict[str, Any], origin: str | None = None) -> dict[str, Any]:
        """Sniff the uploaded object and store the guest's message that references it (once per upload)."""
        tenant_id, conv_id, knowledge = self._guest(body, origin)
        now = self._chat.clock()
        ticket = self._tickets.verified(body.get("ticket"), now, grace_seconds=FINALIZE_GRACE_SECONDS)
        if ticket.conversation_id != conv_id:
            raise ForbiddenError("This upload belongs to another conversation")
        file_name = clean_text(body.get("file_name"), "file_name", 500, required=False)
        path = media_path(tenant_id, conv_id, ticket.name)
        found = self._media.stat(path)
        if found is None:
            raise NotFoundError("We did not receive the file; please try attaching it again")
        attachment = self._checked(path, ticket, found, knowledge.pack.tenant.attachments_max_mb)
        text = _caption(file_name)
        pack = knowledge.pack
        day = now.astimezone(ZoneInfo(pack.tenant.timezone)).strftime("%Y-%m-%d")
        stored: list[Message] = []

        def change(current: Conversation | None) -> ConversationWrite:
            stored.clear()
            if current is None:
                raise NotFoundError("Conversation not found")
            if current.remembered(ticket.key) is not None:
                return ConversationWrite(current, changed=set())  # finalized before: one upload, one message
            message = Message(
                id=new_message_id(now, "guest"),
                role="guest",
                text=text,
                created_at=now,
                language=current.language,
                attachments=[attachment],
            )
            messages = current.receive(message, now, self._chat.settings.session_turns_per_minute).messages
            current.remember(
                TurnRecord(
                    client_message_id=ticket.key,
                    response="",
                    source="agent",  # no bot reply to a file: a person looks at it
                    intent="attachment",
                    language=current.language,
                    timestamp=iso_utc(now),
                    mode=current.mode,
                )
            )
            stored.append(message)
            metrics = with_outcomes(current, knowledge.experiments, {"messages": len(messages)})
            return ConversationWrite(current, messages=messages, metrics=metrics, day=day)

        write = self._chat.conversations.update_in_transaction(tenant_id, conv_id, change)
        self._chat.relay.dispatch(write.events)
        public = public_message(stored[0]) if stored else None
        return {
            "success": True,
            "conversation_id": conv_id,
            "already": not stored,
            "attachment": {"name": ticket.name, "content_type": attachment.content_type, "size": attachment.size},
            "message": public,
        }

    def _checked(self, path: str, ticket: UploadTicket, found: StoredObject, limit_mb: int) -> Attachment:
        """The attachment when the object really is what the ticket allowed; otherwise it is deleted and refused."""
        kind = sniff(found.head)
        if kind is None or kind != ticket.content_type:
            self._media.delete(path)
            raise _unsupported()
        if found.size > min(ticket.max_bytes, limit_mb * MB):
            self._media.delete(path)
            raise _too_large(limit_mb)
        return Attachment(path=path, content_type=kind, size=found.size)


def _caption(file_name: str) -> str:
    """The message text agents and the guest see: a paperclip and the file's own name (no folders)."""
    base = file_name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return f"📎 {base[:MAX_FILE_NAME_CHARS]}" if base else "📎"
