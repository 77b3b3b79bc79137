"""GDPR export, erasure and retention: one contract, run over the in-memory fake and the local Firestore."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from shared.adapters.in_memory_privacy import InMemoryPersonalDataStore
from shared.adapters.in_memory_store import InMemoryConversationRepository, InMemoryTenantRepository
from shared.domain.conversation import AgentRef, Conversation, Message, new_message_id
from shared.domain.errors import NotFoundError, ValidationFailed
from shared.domain.events import LEAD_CAPTURED, ChatEvent
from shared.domain.records import ConversationWrite, Lead, Note
from shared.services.ports import ConversationRepository
from shared.services.privacy import PersonalDataStore, PrivacyService
from tests.helpers import demo_pack

ANNA = AgentRef(uid="u-anna", name="Anna")


@dataclass
class World:
    tenant: str
    repo: ConversationRepository
    store: PersonalDataStore


@pytest.fixture(params=["memory", "firestore"])
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    tenant = f"t-{uuid.uuid4().hex[:10]}"
    pack = demo_pack("novahouse").model_copy(
        update={"tenant": demo_pack("novahouse").tenant.model_copy(update={"id": tenant, "retention_days": 30})}
    )
    if request.param == "memory":
        tenants = InMemoryTenantRepository(pack)
        repo = InMemoryConversationRepository()
        yield World(tenant, repo, InMemoryPersonalDataStore(tenants, repo))
        return
    request.getfixturevalue("local_cloud")
    from shared.adapters.firestore_privacy import FirestorePersonalDataStore
    from shared.bootstrap import container

    container().tenants.import_pack(pack)
    yield World(tenant, container().conversations, FirestorePersonalDataStore(container().clients.firestore))


def conversation_with_a_lead(world: World, phone: str, email: str, *, idle_days: int = 0) -> str:
    """A guest who left contact details: messages, a note, a take-over record, a lead and its event."""
    at = datetime.now(UTC) - timedelta(days=idle_days)
    conversation = Conversation(
        id=f"{world.tenant}.{uuid.uuid4().hex[:24]}", tenant=world.tenant, language="pl", created_at=at, updated_at=at
    )
    guest = Message(id=new_message_id(at, "guest"), role="guest", text=f"Proszę o kontakt {phone}", created_at=at)
    bot = Message(id=new_message_id(at + timedelta(seconds=1), "bot"), role="bot", text="Dziękujemy!", created_at=at)
    conversation.append([guest, bot], at)
    lead = Lead(
        id=f"lead-{conversation.id.replace('.', '-')}",
        tenant=world.tenant,
        conversation_id=conversation.id,
        channel="web",
        phone=phone,
        email=email,
        language="pl",
        created_at=at,
        updated_at=at,
    )
    conversation.lead_id = lead.id
    event = ChatEvent(type=LEAD_CAPTURED, tenant=world.tenant, data=lead.model_dump(mode="json"), occurred_at=at)
    note = Note(id=new_message_id(at, "note"), text="Oddzwonić jutro", author=ANNA, created_at=at)
    world.repo.commit(ConversationWrite(conversation, messages=[guest, bot], notes=[note], lead=lead, events=[event]))
    return conversation.id


def test_an_export_by_phone_holds_the_conversation_its_messages_notes_and_lead(world: World) -> None:
    conversation_id = conversation_with_a_lead(world, "+48600100200", "jan@example.com")
    conversation_with_a_lead(world, "+48600999888", "ewa@example.com")  # someone else

    export = PrivacyService(world.store).export(world.tenant, "600 100 200")

    assert export["contact"] == {"kind": "phone", "value": "600100200"}
    assert [c["id"] for c in export["conversations"]] == [conversation_id]
    held = export["conversations"][0]
    assert [m["text"] for m in held["messages"]] == ["Proszę o kontakt +48600100200", "Dziękujemy!"]
    assert [n["text"] for n in held["notes"]] == ["Oddzwonić jutro"]
    assert held["leads"][0]["email"] == "jan@example.com"


def test_an_export_by_email_or_conversation_id_finds_the_same_guest(world: World) -> None:
    conversation_id = conversation_with_a_lead(world, "+48600100201", "Ola@Example.com".lower())
    service = PrivacyService(world.store)

    assert [c["id"] for c in service.export(world.tenant, "OLA@example.com")["conversations"]] == [conversation_id]
    assert [c["id"] for c in service.export(world.tenant, conversation_id)["conversations"]] == [conversation_id]


def test_erasure_deletes_everything_about_the_guest_and_records_only_counts(world: World) -> None:
    conversation_id = conversation_with_a_lead(world, "+48600100202", "kasia@example.com")
    other = conversation_with_a_lead(world, "+48600100203", "tomek@example.com")
    service = PrivacyService(world.store)

    result = service.erase(world.tenant, "kasia@example.com", actor="key:k1")

    assert result["conversations"] == 1
    assert result["documents"] >= 6  # conversation, 2 messages, note, lead, outbox event
    assert world.repo.get(world.tenant, conversation_id) is None
    with pytest.raises(NotFoundError):
        service.export(world.tenant, "kasia@example.com")
    with pytest.raises(NotFoundError):
        service.export(world.tenant, "+48600100202")
    assert world.repo.get(world.tenant, other) is not None  # nobody else's data goes


def test_a_malformed_contact_is_refused_and_nothing_changes(world: World) -> None:
    conversation_id = conversation_with_a_lead(world, "+48600100204", "adam@example.com")
    with pytest.raises(ValidationFailed):
        PrivacyService(world.store).erase(world.tenant, "not a contact; drop", actor="key:k1")
    assert world.repo.get(world.tenant, conversation_id) is not None


def test_the_retention_sweep_deletes_only_conversations_idle_past_the_tenants_retention(world: World) -> None:
    old = conversation_with_a_lead(world, "+48600100205", "old@example.com", idle_days=31)
    recent = conversation_with_a_lead(world, "+48600100206", "new@example.com", idle_days=29)

    erased = PrivacyService(world.store).sweep(only=world.tenant)

    assert erased == {world.tenant: 1}
    assert world.repo.get(world.tenant, old) is None
    assert world.repo.get(world.tenant, recent) is not None


def test_stored_conversations_and_messages_carry_the_ttl_field_firestore_deletes_them_by(local_cloud: dict[str, str]) -> None:
    from shared.bootstrap import container

    world = World(
        "novahouse",
        container().conversations,
        InMemoryPersonalDataStore(InMemoryTenantRepository(), InMemoryConversationRepository()),
    )
    conversation_id = conversation_with_a_lead(world, "+48600100207", "ttl@example.com", idle_days=2)
    ref = (
        container()
        .clients.firestore.collection("tenants")
        .document("novahouse")
        .collection("conversations")
        .document(conversation_id)
    )
    stored = ref.get().to_dict() or {}
    messages = [d.to_dict() or {} for d in ref.collection("messages").stream()]

    assert stored["expire_at"] == stored["updated_at"] + timedelta(days=365)
    assert messages and all(m["expire_at"] == stored["expire_at"] for m in messages)
