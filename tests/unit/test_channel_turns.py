"""The web's turn, extended for channels: WhatsApp contacts and the quote a lead carries to the CRM."""

from __future__ import annotations

from shared.domain.channels import ChannelContact
from shared.domain.conversation import Attachment, conversation_id_for
from tests.unit.test_chat_service import World


def _whatsapp(world: World, text: str, sid: str, phone: str = "+48600100200", **extra: object):  # type: ignore[no-untyped-def]
    contact = ChannelContact(channel="whatsapp", address=f"whatsapp:{phone}", attachments=list(extra.get("attachments", [])))  # type: ignore[call-overload]
    return world.service.turn({"tenant": "hotel", "message": text, "client_message_id": sid}, contact=contact)


def test_a_quoted_package_travels_with_the_lead_that_follows() -> None:
    world = World()
    first = world.say("Ile kosztuje pakiet Standard za 60 m2?")
    world.say("Mój numer to 601 234 567", session_id=first.session_id)
    lead = next(iter(world.repo.leads.values()))
    assert lead.package == "Standard" and lead.area_m2 == 60
    assert lead.quote is not None and "60" in lead.quote


def test_a_whatsapp_number_keeps_one_conversation_keyed_by_a_hash_of_tenant_and_number() -> None:
    world = World()
    first = _whatsapp(world, "Do you have parking?", "SM" + "1" * 32)
    second = _whatsapp(world, "And breakfast?", "SM" + "2" * 32)
    assert first.conversation_id == second.conversation_id == conversation_id_for("hotel", "whatsapp:+48600100200")
    assert "600100200" not in first.conversation_id
    conversation = world.repo.conversations[("hotel", first.conversation_id)]
    assert conversation.channel == "whatsapp" and conversation.contact == "whatsapp:+48600100200"
    assert conversation.guest_message_count == 2 and conversation.last_guest_at is not None


def test_a_repeated_message_sid_is_stored_once() -> None:
    world = World()
    first = _whatsapp(world, "Do you have parking?", "SM" + "3" * 32)
    again = _whatsapp(world, "Do you have parking?", "SM" + "3" * 32)
    assert again.response == first.response
    guests = [m for m in world.stored(first) if m.role == "guest"]
    assert len(guests) == 1


def test_attachments_are_kept_on_the_guests_message() -> None:
    world = World()
    photo = Attachment(path="tenants/hotel/x.png", content_type="image/png", size=10)
    result = _whatsapp(world, "Do you have parking?", "SM" + "4" * 32, attachments=[photo])
    [guest] = [m for m in world.stored(result) if m.role == "guest"]
    assert guest.attachments == [photo]
