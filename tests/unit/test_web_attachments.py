"""Web widget attachments on fakes: tickets, the local upload, sniffing, size limits, one message per upload."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from shared.adapters.whatsapp_records import InMemoryMediaStore
from shared.domain.errors import (
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitedError,
    ServiceUnavailableError,
    UnsupportedMediaError,
)
from shared.domain.knowledge import KnowledgePack
from shared.domain.upload_tickets import UploadTicket, UploadTickets
from shared.services.attachments import MB, WebAttachments
from shared.services.media import media_path, sniff
from tests.unit.test_chat_service import World

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200
PDF = b"%PDF-1.7\n" + b"x" * 200
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 64
TEXT = b"just some notes, renamed to look like a photo"


class Guest:
    """A guest with a session on the chat service, and the attachments use case next to it."""

    def __init__(self, *, through_function: bool = True, limit: int = 20) -> None:
        self.world = World(limit=limit)
        self.media = InMemoryMediaStore()
        self.tickets = UploadTickets(b"k" * 32)
        self.attachments = WebAttachments(self.world.service, self.media, self.tickets, through_function=through_function)
        session = self.world.service.start_session({"tenant": "novahouse"})
        self.session = {"conversation_id": session["conversation_id"], "session_id": session["session_id"]}

    def ticket(self, content_type: str = "image/png", size: int = len(PNG)) -> dict[str, Any]:
        return self.attachments.ticket({**self.session, "content_type": content_type, "size": size})

    def upload(self, ticket: dict[str, Any], data: bytes, content_type: str | None = None) -> dict[str, Any]:
        kind = content_type or ticket["upload"]["headers"]["Content-Type"]
        return self.attachments.receive_upload(ticket["ticket"], kind, len(data), lambda _n: data)

    def finalize(self, ticket: dict[str, Any], file_name: str = "flat.png") -> dict[str, Any]:
        return self.attachments.finalize({**self.session, "ticket": ticket["ticket"], "file_name": file_name})

    def messages(self) -> list[Any]:
        conv = self.session["conversation_id"]
        return self.world.repo.messages[(conv.rsplit(".", 1)[0], conv)]

    def path(self, ticket: dict[str, Any]) -> str:
        conv = self.session["conversation_id"]
        return media_path(conv.rsplit(".", 1)[0], conv, ticket["name"])


def test_sniffing_knows_photos_and_pdf_by_their_bytes_and_nothing_else() -> None:
    assert [sniff(b) for b in (PNG, JPEG, PDF, WEBP)] == ["image/png", "image/jpeg", "application/pdf", "image/webp"]
    assert sniff(TEXT) is None and sniff(b"") is None and sniff(b"MZ\x90\x00") is None


def test_a_photo_uploaded_and_finalized_becomes_one_guest_message_with_its_attachment() -> None:
    guest = Guest()
    ticket = guest.ticket()
    assert ticket["upload"]["url"].startswith("/api/chat/uploads/") and ticket["upload"]["method"] == "PUT"
    assert guest.upload(ticket, PNG) == {"success": True, "name": ticket["name"], "size": len(PNG)}
    result = guest.finalize(ticket)
    assert result["already"] is False and result["attachment"]["content_type"] == "image/png"
    assert result["message"]["text"] == "📎 flat.png" and result["message"]["attachments"][0]["name"] == ticket["name"]
    stored = [m for m in guest.messages() if m.role == "guest"]
    assert len(stored) == 1 and stored[0].attachments[0].path == guest.path(ticket)
    assert [m.role for m in guest.messages()] == ["bot", "guest"]  # the greeting, then the file: no bot reply


def test_finalizing_the_same_upload_twice_stores_one_message() -> None:
    guest = Guest()
    ticket = guest.ticket()
    guest.upload(ticket, PNG)
    guest.finalize(ticket)
    again = guest.finalize(ticket)
    assert again["already"] is True and again["message"] is None
    assert len([m for m in guest.messages() if m.role == "guest"]) == 1


def test_a_text_file_renamed_to_png_is_deleted_and_refused_and_nothing_is_stored() -> None:
    guest = Guest()
    ticket = guest.ticket()
    guest.upload(ticket, TEXT + b" " * (len(PNG) - len(TEXT)))
    with pytest.raises(UnsupportedMediaError, match="only accept photos"):
        guest.finalize(ticket)
    assert guest.media.objects == {}
    assert [m.role for m in guest.messages()] == ["bot"]


def test_a_jpeg_declared_as_png_is_refused_because_the_bytes_decide() -> None:
    guest = Guest()
    ticket = guest.ticket("image/png", len(JPEG))
    guest.upload(ticket, JPEG)
    with pytest.raises(UnsupportedMediaError):
        guest.finalize(ticket)
    assert guest.media.objects == {}


def test_only_photos_and_pdf_get_a_ticket() -> None:
    with pytest.raises(UnsupportedMediaError):
        Guest().ticket("text/plain", 10)


def test_a_file_over_the_tenants_limit_gets_no_ticket() -> None:
    guest = Guest()
    pack: KnowledgePack = guest.world.service.tenants.get("novahouse").pack
    limit = pack.tenant.attachments_max_mb
    assert guest.ticket(size=limit * MB)["max_bytes"] == limit * MB
    with pytest.raises(PayloadTooLargeError, match=f"up to {limit} MB"):
        guest.ticket(size=limit * MB + 1)


def test_an_upload_larger_than_its_ticket_is_refused_before_it_is_stored() -> None:
    guest = Guest()
    ticket = guest.ticket(size=len(PNG))
    with pytest.raises(PayloadTooLargeError):
        guest.upload(ticket, PNG + b"\x00")
    assert guest.media.objects == {}


def test_an_object_larger_than_its_ticket_is_deleted_at_finalize() -> None:
    guest = Guest()
    ticket = guest.ticket(size=len(PNG))
    guest.media.put(guest.path(ticket), PNG + b"\x00" * 10, "image/png")  # as if the storage limit were missed
    with pytest.raises(PayloadTooLargeError):
        guest.finalize(ticket)
    assert guest.media.objects == {}


def test_the_local_upload_needs_the_declared_content_type_and_cannot_replace_an_object() -> None:
    guest = Guest()
    ticket = guest.ticket()
    with pytest.raises(BadRequestError, match="Content-Type"):
        guest.upload(ticket, PNG, "text/plain")
    guest.upload(ticket, PNG)
    with pytest.raises(ConflictError):
        guest.upload(ticket, PNG)


def test_a_tampered_ticket_is_refused() -> None:
    guest = Guest()
    ticket = guest.ticket()
    body, tag = ticket["ticket"].split(".")
    forged = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + tag
    with pytest.raises(ForbiddenError):
        guest.upload({**ticket, "ticket": forged}, PNG)
    with pytest.raises(BadRequestError):
        guest.upload({**ticket, "ticket": "not-a-ticket"}, PNG)
    other_secret = UploadTickets(b"z" * 32).sign(guest.tickets.verified(ticket["ticket"], guest.world.now))
    with pytest.raises(ForbiddenError):
        guest.upload({**ticket, "ticket": other_secret}, PNG)


def test_an_expired_ticket_cannot_upload_but_a_finished_upload_can_still_be_finalized_for_a_while() -> None:
    guest = Guest()
    ticket = guest.ticket()
    guest.upload(ticket, PNG)
    guest.world.now += timedelta(minutes=16)
    with pytest.raises(ForbiddenError, match="expired"):
        guest.upload(guest.ticket() | {"ticket": ticket["ticket"]}, PNG)
    assert guest.finalize(ticket)["already"] is False
    late = guest.ticket()
    guest.upload(late, PNG)
    guest.world.now += timedelta(hours=2)
    with pytest.raises(ForbiddenError, match="expired"):
        guest.finalize(late)


def test_another_conversations_ticket_is_refused() -> None:
    owner = Guest()
    ticket = owner.ticket()
    owner.upload(ticket, PNG)
    other = owner.world.service.start_session({"tenant": "novahouse"})
    with pytest.raises(ForbiddenError, match="another conversation"):
        owner.attachments.finalize(
            {"conversation_id": other["conversation_id"], "session_id": other["session_id"], "ticket": ticket["ticket"]}
        )
    with pytest.raises(ForbiddenError):  # a session that does not own the conversation gets nothing
        owner.attachments.ticket({**owner.session, "session_id": other["session_id"], "content_type": "image/png", "size": 9})


def test_finalizing_before_the_upload_arrived_is_a_polite_not_found() -> None:
    guest = Guest()
    with pytest.raises(NotFoundError, match="did not receive"):
        guest.finalize(guest.ticket())


def test_attachments_count_against_the_sessions_message_limit() -> None:
    guest = Guest(limit=1)
    first, second = guest.ticket(), guest.ticket()
    guest.upload(first, PNG)
    guest.upload(second, PNG)
    guest.finalize(first)
    with pytest.raises(RateLimitedError):
        guest.finalize(second)


def test_without_a_signer_production_mode_says_uploads_are_unavailable_and_the_local_route_is_closed() -> None:
    guest = Guest(through_function=False)
    with pytest.raises(ServiceUnavailableError):
        guest.ticket()
    signed = guest.tickets.sign(UploadTicket("novahouse", guest.session["conversation_id"], "w-1.png", "image/png", 10, 2**40))
    with pytest.raises(NotFoundError):
        guest.attachments.receive_upload(signed, "image/png", 3, lambda _n: b"abc")


def test_a_tenants_attachment_limit_defaults_to_10_mb_and_may_be_at_most_50() -> None:
    from pydantic import ValidationError

    from tests.helpers import demo_pack

    pack = demo_pack("hotel")
    assert pack.tenant.attachments_max_mb == 10 and demo_pack("novahouse").tenant.attachments_max_mb == 50
    raw = pack.tenant.model_dump()
    for bad in (0, 51):
        with pytest.raises(ValidationError, match="attachments_max_mb"):
            type(pack.tenant).model_validate({**raw, "attachments_max_mb": bad})
