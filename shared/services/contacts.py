"""What agents see of the guest (the contact card) and how they find a conversation (search)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.domain.assistant import LeadFields
from shared.domain.conversation import Conversation, iso_utc
from shared.domain.errors import NotFoundError
from shared.domain.leads import merge_leads
from shared.domain.records import Lead
from shared.domain.search import MAX_QUERY_CHARS, key_term, matches_all, query_terms
from shared.domain.validation import invalid
from shared.services.ports import ConversationRepository

if TYPE_CHECKING:
    from shared.services.agent import Principal

# A multi-word search queries its longest word and checks the others in memory, so it reads a few more.
SEARCH_OVERFETCH = 3
MAX_SEARCH_READ = 100


def search(
    conversations: ConversationRepository, tenant: str, raw_query: Any, limit: int, mode: str | None = None
) -> list[Conversation]:
    """The tenant's conversations matching every word of the query (folded: "lazienka" finds "łazienkę")."""
    if not isinstance(raw_query, str) or len(raw_query) > MAX_QUERY_CHARS:
        raise invalid("q", f"must be text of at most {MAX_QUERY_CHARS} characters")
    terms = query_terms(raw_query)
    if not terms:
        raise invalid("q", "must contain a word of at least two letters or digits")
    narrowed = len(terms) > 1 or mode is not None
    read = min(MAX_SEARCH_READ, limit * SEARCH_OVERFETCH) if narrowed else limit
    found = conversations.search(tenant, key_term(terms), read)
    return [c for c in found if matches_all(terms, c.search_terms) and mode in (None, c.mode)][:limit]


def contact_card(conversations: ConversationRepository, principal: Principal, raw_id: Any) -> dict[str, Any]:
    """Who the guest is, as far as the conversation tells: lead details, channel, language, the page they wrote from."""
    from shared.services.agent import owned_id

    conv_id = owned_id(principal, raw_id)
    conversation = conversations.get(principal.tenant, conv_id)
    if conversation is None:
        raise NotFoundError("Conversation not found")
    leads = conversations.leads_of(principal.tenant, conv_id)
    return present_contact(conversation, leads)


def present_contact(conversation: Conversation, leads: list[Lead]) -> dict[str, Any]:
    """The contact card's body: the newest value of each lead field; a WhatsApp number only as the channel gave it."""
    newest = merge_leads(*(LeadFields(name=lead.name, phone=lead.phone, email=lead.email) for lead in reversed(leads)))
    on_whatsapp = conversation.channel == "whatsapp" and conversation.contact
    whatsapp = conversation.contact.removeprefix("whatsapp:") if on_whatsapp and conversation.contact else None
    return {
        "conversation_id": conversation.id,
        "channel": conversation.channel,
        "language": conversation.language,
        "page_url": conversation.page_url,
        "last_page_url": conversation.last_page_url,
        "name": newest.name,
        "phone": newest.phone,
        "email": newest.email,
        "whatsapp": whatsapp,
        "leads": [
            {
                "id": lead.id,
                "name": lead.name,
                "phone": lead.phone,
                "email": lead.email,
                "package": lead.package,
                "captured_at": iso_utc(lead.created_at or lead.updated_at),
            }
            for lead in leads
        ],
    }
