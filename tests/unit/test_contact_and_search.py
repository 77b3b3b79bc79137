"""Issue 9, inbox basics on fakes: the page a guest wrote from, lead details on the contact card, and search."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.domain.conversation import Conversation, Message, new_message_id
from shared.domain.errors import ForbiddenError, ValidationFailed
from shared.domain.pages import MAX_PAGE_URL_CHARS, clean_page_url
from shared.domain.search import MAX_TERM_CHARS, MAX_TERMS, key_term, merged_terms, query_terms, text_terms
from shared.services.contacts import contact_card, search
from shared.services.migrations import MIGRATIONS
from tests.unit.test_agent_service import ANNA, EMMA, World

ORIGINS = {"https://novahouse.pl", "http://localhost:8080"}
NOW = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


# --- the tokenizer -----------------------------------------------------------------------------


def test_terms_are_folded_words_and_their_prefixes_so_lazienka_finds_lazienka_with_diacritics() -> None:
    terms = text_terms("Remont ŁAZIENKI, 12 m²!")
    assert {"lazienki", "lazienk", "laz", "remont", "rem", "12", "m2"} <= set(terms)
    assert all(t == t.lower() and t.isalnum() for t in terms)
    assert set(query_terms("lazienka")) <= set(text_terms("łazienka")) | {"lazienk"}
    assert query_terms("łazienka") == query_terms("lazienka") == ["lazienk"]  # also finds "łazienkę", "łazienki"


def test_a_query_keeps_words_of_two_or_more_characters_and_a_phone_number_is_one_term() -> None:
    assert query_terms("a  ") == []
    assert query_terms("?!") == []
    assert query_terms("Jan Kowalski") == ["jan", "kowalsk"]
    assert query_terms("+48 600-700-800") == ["600700800"]
    assert query_terms("600 700 800") == ["600700800"]
    assert key_term(["jan", "kowalsk", "wc"]) == "kowalsk"


def test_terms_are_capped_in_number_and_length_and_the_lead_goes_first() -> None:
    long_word = "x" * 60
    assert max(len(t) for t in text_terms(long_word)) == MAX_TERM_CHARS
    words = " ".join(f"slowo{i:04d}" for i in range(400))
    terms = merged_terms([], text_terms(words))
    assert len(terms) == MAX_TERMS
    with_lead = merged_terms(terms, ["jan", "kowalski"], first=True)
    assert with_lead[:2] == ["jan", "kowalski"] and len(with_lead) == MAX_TERMS
    assert len(",".join(with_lead).encode()) < 10_000  # far below Firestore's per-document index limits


# --- the page URL -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("https://novahouse.pl/oferta/lazienki?utm_source=x&token=abc#top", "https://novahouse.pl/oferta/lazienki"),
        ("http://localhost:8080/", "http://localhost:8080/"),
        ("https://novahouse.pl", "https://novahouse.pl/"),
        ("https://evil.example/novahouse.pl", None),
        ("https://novahouse.pl.evil.example/", None),
        ("javascript:alert(1)", None),
        ("https://user:pw@novahouse.pl/", None),
        ("https://novahouse.pl:99999/", None),
        ("ftp://novahouse.pl/", None),
        (42, None),
        ("", None),
        (None, None),
    ],
)
def test_a_page_url_is_kept_as_origin_and_path_only_on_the_tenants_origins(raw: object, kept: str | None) -> None:
    assert clean_page_url(raw, ORIGINS) == kept


def test_a_long_page_url_is_capped_and_an_absurd_one_dropped() -> None:
    path = "/" + "a" * 700
    assert len(clean_page_url("https://novahouse.pl" + path, ORIGINS) or "") == MAX_PAGE_URL_CHARS
    assert clean_page_url("https://novahouse.pl/" + "a" * 5000, ORIGINS) is None


# --- the aggregate ------------------------------------------------------------------------------


def _conversation() -> Conversation:
    return Conversation(id="novahouse." + "a" * 24, tenant="novahouse", language="pl", created_at=NOW, updated_at=NOW)


def test_the_conversation_keeps_its_first_page_and_its_newest_and_indexes_what_the_guest_says() -> None:
    c = _conversation()
    c.visited("https://novahouse.pl/")
    c.visited(None)
    c.visited("https://novahouse.pl/kontakt")
    assert (c.page_url, c.last_page_url) == ("https://novahouse.pl/", "https://novahouse.pl/kontakt")
    c.receive(Message(id=new_message_id(NOW, "guest"), role="guest", text="Remont łazienki", created_at=NOW), NOW, 20)
    c.identify("Jan", "jan.kowalski@example.com", "+48600700800")
    assert c.search_terms[:1] == ["jan"]
    assert {"lazienki", "kowalski", "example", "600700800", "48600700800"} <= set(c.search_terms)


# --- the use cases ------------------------------------------------------------------------------


def test_the_page_url_goes_through_the_turn_and_a_foreign_one_is_dropped() -> None:
    world = World()
    session = world.chat.start_session({"tenant": "novahouse", "page_url": "https://novahouse.pl/cennik?x=1"})
    turn = world.chat.turn(
        {
            "tenant": "novahouse",
            "message": "Dzień dobry",
            "session_id": session["session_id"],
            "page_url": "https://evil.example/",
        }
    )
    stored = world.conversation(turn.conversation_id)
    assert (stored.page_url, stored.last_page_url) == ("https://novahouse.pl/cennik", "https://novahouse.pl/cennik")
    fresh = world.chat.turn({"tenant": "novahouse", "message": "Hej", "page_url": "https://www.novahouse.pl/o-nas"})
    assert world.conversation(fresh.conversation_id).page_url == "https://www.novahouse.pl/o-nas"


def test_lead_details_reach_the_contact_card_of_the_tenants_agents_only() -> None:
    world = World()
    first = world.say("Chcę wycenić remont łazienki")
    world.say("Nazywam się Jan, mój mail to jan.kowalski@example.com", first.session_id)
    world.say("a telefon +48 600 700 800", first.session_id)
    card = contact_card(world.repo, ANNA, first.conversation_id)
    assert (card["name"], card["email"], card["phone"]) == ("Jan", "jan.kowalski@example.com", "+48600700800")
    assert card["channel"] == "web" and card["language"] == "pl" and card["whatsapp"] is None
    assert len(card["leads"]) == 1
    with pytest.raises(ForbiddenError):
        contact_card(world.repo, EMMA, first.conversation_id)


def test_search_finds_by_folded_word_prefix_and_lead_email_within_the_tenant_only() -> None:
    world = World()
    bath = world.say("Ile kosztuje remont łazienki?")
    world.say("mój mail: jan.kowalski@example.com", bath.session_id)
    kitchen = world.say("Ile kosztuje kuchnia?")
    hotel = world.say("Is there a lazienka room?", tenant="hotel")

    def ids(q: str, principal=ANNA) -> list[str]:  # type: ignore[no-untyped-def]
        return [c.id for c in search(world.repo, principal.tenant, q, 20)]

    assert ids("lazienka") == [bath.conversation_id]
    assert ids("Łazienki") == [bath.conversation_id]
    assert ids("jan.kowalski@example.com") == [bath.conversation_id]
    assert ids("ile kosztuje") == [kitchen.conversation_id, bath.conversation_id]
    assert ids("kosztuje kuchnia") == [kitchen.conversation_id]
    assert ids("lazienka", EMMA) == [hotel.conversation_id]
    listed = world.agent.list_conversations(ANNA, None, None, "lazienka")["conversations"]
    assert [c["id"] for c in listed] == [bath.conversation_id] and "search_terms" not in listed[0]


@pytest.mark.parametrize("q", ["", "  ", "?", "x" * 101, 5])
def test_a_bad_query_is_400(q: object) -> None:
    world = World()
    with pytest.raises(ValidationFailed):
        world.agent.list_conversations(ANNA, None, None, q)


def test_the_migration_backfills_search_terms_from_the_recent_guest_turns() -> None:
    migration = next(m for m in MIGRATIONS if m.id == "0007_conversations_v2")
    data = {
        "recent": [
            {"role": "bot", "text": "Dzień dobry"},
            {"role": "guest", "text": "Remont łazienki, jestem Ola, ola@example.com"},
        ],
        "contact": "whatsapp:+48600100200",
    }
    terms = migration.transform(data)["search_terms"]
    assert terms[0] == "48600100200"
    assert {"lazienki", "ola", "example", "remont"} <= set(terms) and "dzien" not in terms
    assert migration.transform({"search_terms": ["x"]}) == {}
