"""The contact-card and search ports, run against the in-memory fake and the local Firestore server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.domain.conversation import Message, new_message_id
from shared.domain.records import ConversationWrite, Lead
from shared.services.ports import ConversationRepository
from tests.integration.test_repository_contracts import _new, _tenant


def _said(repo: ConversationRepository, tenant: str, text: str, at: datetime, lead: Lead | None = None):  # type: ignore[no-untyped-def]
    conversation = _new(tenant)
    conversation.updated_at = conversation.created_at = at
    message = Message(id=new_message_id(at, "guest"), role="guest", text=text, created_at=at)
    conversation.receive(message, at, 20)
    if lead is not None:
        conversation.lead_id = lead.id
        conversation.identify(lead.name, lead.email, lead.phone)
    repo.commit(ConversationWrite(conversation, messages=[message], lead=lead))
    return conversation


def _lead(tenant: str, conversation_id: str, at: datetime, **fields: str | None) -> Lead:
    return Lead(
        id=f"lead-{conversation_id.replace('.', '-')}",
        tenant=tenant,
        conversation_id=conversation_id,
        channel="web",
        language="pl",
        created_at=at,
        updated_at=at,
        **fields,  # type: ignore[arg-type]
    )


def test_search_finds_by_term_newest_first_within_the_tenant_only(repo: ConversationRepository) -> None:
    tenant, other = _tenant(), _tenant()
    now = datetime.now(UTC)
    old = _said(repo, tenant, "Remont łazienki", now - timedelta(minutes=5))
    new = _said(repo, tenant, "Łazienka i kuchnia", now)
    _said(repo, tenant, "Kuchnia tylko", now - timedelta(minutes=1))
    _said(repo, other, "Łazienka u innej firmy", now)
    assert [c.id for c in repo.search(tenant, "lazienk", 10)] == [new.id, old.id]
    assert [c.id for c in repo.search(tenant, "lazienk", 1)] == [new.id]
    assert repo.search(tenant, "nic", 10) == []
    found = repo.search(tenant, "kuchnia", 10)[0]
    assert found.search_terms and "kuchnia" in found.search_terms


def test_leads_of_returns_the_conversations_lead_merged_across_turns(repo: ConversationRepository) -> None:
    tenant = _tenant()
    now = datetime.now(UTC)
    conversation = _said(repo, tenant, "Dzień dobry", now)
    assert repo.leads_of(tenant, conversation.id) == []
    first = _lead(tenant, conversation.id, now, email="jan@example.com")
    stored = repo.get(tenant, conversation.id)
    assert stored is not None
    repo.commit(ConversationWrite(stored, lead=first))
    later = _lead(tenant, conversation.id, now + timedelta(seconds=1), name="Jan", phone="+48600700800")
    later.created_at = None  # a later turn adds fields; the capture time stays the first one
    stored = repo.get(tenant, conversation.id)
    assert stored is not None
    repo.commit(ConversationWrite(stored, lead=later))
    other = _said(repo, tenant, "Inny gość", now, _lead(tenant, "x", now, email="x@example.com"))
    leads = repo.leads_of(tenant, conversation.id)
    assert [(lead.name, lead.email, lead.phone) for lead in leads] == [("Jan", "jan@example.com", "+48600700800")]
    assert leads[0].created_at is not None and abs((leads[0].created_at - now).total_seconds()) < 0.01
    assert repo.leads_of(_tenant(), conversation.id) == [] and other.id != conversation.id


def test_the_backfill_migration_gives_older_conversations_search_terms_on_firestore(local_cloud: dict[str, str]) -> None:
    from shared.adapters.firestore_migrations import FirestoreMigrationStore
    from shared.bootstrap import container
    from shared.services.migrations import MIGRATIONS, run_migrations
    from tests.conftest import random_id

    db = container().clients.firestore
    root = f"migration-tests/{random_id('search')}"
    db.document(f"{root}/tenants/t0").set({"name": "t0"})  # the walk visits existing parents only
    old = db.document(f"{root}/tenants/t0/conversations/c0")
    recent = [{"role": "bot", "text": "Dzień dobry"}, {"role": "guest", "text": "Łazienka 6 m2, jan@example.com"}]
    old.set({"mode": "bot", "channel": "web", "schema_version": 1, "recent": recent})
    done = db.document(f"{root}/tenants/t0/conversations/c1")
    done.set({"mode": "bot", "channel": "web", "schema_version": 2, "search_terms": ["kept"]})
    backfill = [m for m in MIGRATIONS if m.id == "0007_conversations_v2"]
    report = run_migrations(FirestoreMigrationStore(db, root), backfill)
    assert (report[0].scanned, report[0].changed) == (2, 1)
    data = old.get().to_dict() or {}
    assert data["schema_version"] == 2 and {"lazienka", "laz", "jan", "example", "m2"} <= set(data["search_terms"])
    assert (done.get().to_dict() or {})["search_terms"] == ["kept"]
