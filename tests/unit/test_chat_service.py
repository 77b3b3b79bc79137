"""The chat turn on fakes: answers, quotes, the model's failure modes, hand-off, leads, limits, budgets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.adapters.firebase_tokens import StaticTokenIssuer
from shared.adapters.in_memory_language_model import InMemoryLanguageModel
from shared.adapters.in_memory_store import InMemoryConversationRepository, InMemoryTenantRepository
from shared.adapters.pubsub_events import InMemoryEventPublisher
from shared.domain.assistant import LeadFields, ModelFailure, ModelReply
from shared.domain.errors import ForbiddenError, NotFoundError, RateLimitedError, ValidationFailed
from shared.services.chat import ChatService, ChatSettings
from shared.services.rate_limits import IpRateLimiter
from tests.helpers import demo_pack

NOVAHOUSE = demo_pack("novahouse")
HOTEL = demo_pack("hotel")
# Answered by a policy document, not an FAQ: the passage goes to the model.
DOCUMENT_QUESTION = "jak przetwarzacie dane osobowe"
# A Wednesday, 10:00 in Warsaw: inside business hours.
OPEN = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


class World:
    def __init__(self, *, ai: bool = True, now: datetime = OPEN, limit: int = 20) -> None:
        self.now = now
        self.repo = InMemoryConversationRepository()
        self.model = InMemoryLanguageModel()
        self.events = InMemoryEventPublisher()
        self.tokens = StaticTokenIssuer()
        self.service = ChatService(
            InMemoryTenantRepository(NOVAHOUSE, HOTEL),
            self.repo,
            self.model,
            self.events,
            self.tokens,
            ChatSettings(session_turns_per_minute=limit),
            ai_enabled=ai,
            clock=lambda: self.now,
        )

    def say(self, message: str, session_id: str | None = None, tenant: str = "novahouse", **extra: object):  # type: ignore[no-untyped-def]
        body = {"tenant": tenant, "message": message, **extra}
        if session_id:
            body["session_id"] = session_id
        return self.service.turn(body)

    def stored(self, result) -> list:  # type: ignore[no-untyped-def]
        return self.repo.messages[(result.conversation_id.rsplit(".", 1)[0], result.conversation_id)]


def test_a_polish_faq_question_is_answered_from_the_faq_in_polish() -> None:
    world = World()
    result = world.say("Jaka jest gwarancja na wykończenie?")
    assert result.source == "faq"
    assert result.language == "pl"
    assert "gwarancj" in result.response.lower()
    assert world.model.requests == []


def test_a_quote_is_computed_exactly_not_generated() -> None:
    world = World()
    result = world.say("Ile kosztuje pakiet Standard za 60 m2?")
    assert result.source == "tool"
    assert "72 000 zł" in result.response
    assert world.model.requests == []


def test_an_english_question_on_the_hotel_is_answered_in_english() -> None:
    world = World()
    result = world.say("Is there parking at the hotel?", tenant="hotel")
    assert result.language == "en"
    assert result.source == "faq"


def test_a_turn_reads_at_most_three_documents_and_commits_exactly_once() -> None:
    world = World()
    first = world.say("Ile kosztuje pakiet Premium za 50 m2?")
    reads, commits = world.repo.reads, world.repo.commits
    world.say("A jaka gwarancja?", session_id=first.session_id)
    assert world.repo.reads - reads <= 3
    assert world.repo.commits - commits == 1


def test_a_turn_stores_guest_and_bot_messages_with_source_intent_and_latency() -> None:
    world = World()
    result = world.say("Jaka jest gwarancja?")
    guest, bot = world.stored(result)
    assert (guest.role, guest.text) == ("guest", "Jaka jest gwarancja?")
    assert bot.role == "bot" and bot.source == "faq" and bot.intent and bot.latency_ms is not None
    conversation = world.repo.conversations[("novahouse", result.conversation_id)]
    assert (conversation.mode, conversation.channel, conversation.language, conversation.message_count) == ("bot", "web", "pl", 2)


def test_daily_roll_ups_count_conversations_messages_sources_and_latency() -> None:
    world = World()
    result = world.say("Jaka jest gwarancja?")
    world.say("Ile kosztuje pakiet Standard za 60 m2?", session_id=result.session_id)
    day = world.repo.metrics[("novahouse", "2026-11-18")]
    assert day["conversations"] == 1
    assert day["messages"] == 4
    assert day["by_source.faq"] == 1 and day["by_source.tool"] == 1
    assert day["by_package.standard"] == 1
    assert sum(v for k, v in day.items() if k.startswith("latency_ms.")) == 2


def test_the_model_answers_what_the_knowledge_cannot_with_passages_and_history() -> None:
    world = World()
    world.model.queue_reply(
        ModelReply(reply="Dane przetwarzamy zgodnie z RODO.", intent="other", input_tokens=120, output_tokens=20, model_ms=300)
    )
    result = world.say(DOCUMENT_QUESTION)
    assert result.source == "llm"
    assert result.response == "Dane przetwarzamy zgodnie z RODO."
    request = world.model.last_request
    assert request is not None and request.language == "pl" and request.persona
    assert "policy-privacy" in [p.id for p in request.passages]
    bot = world.stored(result)[-1]
    assert (bot.input_tokens, bot.output_tokens, bot.model_ms) == (120, 20, 300)


@pytest.mark.parametrize("reason", ["timeout", "rate_limited", "server_error", "malformed", "blocked"])
def test_any_model_failure_gives_a_safe_fallback_that_offers_a_human(reason: str) -> None:
    world = World()
    world.model.queue_failure(reason)
    result = world.say(DOCUMENT_QUESTION)
    assert result.source == "fallback"
    assert "konsultant" in result.response
    assert world.stored(result)[-1].source == "fallback"


def test_a_model_answer_with_an_invented_price_never_reaches_the_guest() -> None:
    world = World()
    world.model.queue_reply(ModelReply(reply="Usunięcie danych kosztuje 777 zł.", intent="pricing"))
    result = world.say(DOCUMENT_QUESTION)
    assert result.source == "fallback"
    assert "777" not in result.response
    assert all("777" not in m.text for m in world.stored(result))


def test_without_gemini_the_bot_runs_on_knowledge_alone() -> None:
    world = World(ai=False)
    faq = world.say("Jaka jest gwarancja?")
    unknown = world.say(DOCUMENT_QUESTION)
    assert faq.source == "faq"
    assert unknown.source == "fallback"
    assert world.model.requests == []


def test_without_gemini_a_guest_who_leaves_contact_details_is_thanked_and_becomes_a_lead() -> None:
    world = World(ai=False)
    result = world.say("Nazywam się Jan Kowalski, telefon 601 234 567")
    assert result.response == "Dziękujemy za dane kontaktowe — konsultant odezwie się najszybciej, jak to możliwe."
    assert result.source == "fallback"
    assert next(iter(world.repo.leads.values())).phone == "601234567"
    english = world.say("my email is jan@example.com", language="en")
    assert english.response == "Thanks for your contact details — a member of our team will get back to you soon."
    assert world.model.requests == []


def test_an_unrelated_question_gets_an_honest_i_dont_know_and_no_passage_reaches_the_model() -> None:
    world = World()
    result = world.say("Czy robicie też zabudowę tarasu z drewna egzotycznego?")
    assert result.source == "fallback"
    assert result.response == "Tego niestety nie wiem — czy przekazać Cię do konsultanta?"
    assert world.model.requests == []
    english = world.say("what's the capital of Australia", language="en")
    assert english.response == "I don't know that — shall I pass you to a person?"


def test_yes_to_the_offer_of_a_person_asks_for_one() -> None:
    world = World()
    first = world.say("Czy robicie też zabudowę tarasu z drewna egzotycznego?")
    second = world.say("tak, poproszę", session_id=first.session_id)
    assert second.mode == "pending"


def test_each_bot_message_keeps_its_confidence_and_the_knowledge_it_used() -> None:
    world = World()
    result = world.say("Jaka jest gwarancja?")
    bot = world.stored(result)[-1]
    assert bot.source == "faq" and bot.used == ["warranty"]
    assert bot.confidence is not None and 0.48 <= bot.confidence <= 1.0


def test_asking_for_a_person_moves_the_conversation_to_pending_and_tells_everyone() -> None:
    world = World()
    result = world.say("Chcę porozmawiać z konsultantem")
    assert result.source == "agent" and result.mode == "pending"
    conversation = world.repo.conversations[("novahouse", result.conversation_id)]
    assert conversation.mode == "pending"
    assert [m.role for m in world.stored(result)] == ["guest", "bot", "system"]
    assert [e.type for e in world.events.events] == ["handoff.requested"]


def test_outside_business_hours_a_handoff_says_honestly_when_we_reply() -> None:
    saturday_evening = datetime(2026, 11, 21, 19, 0, tzinfo=UTC)  # 20:00 Saturday in Warsaw; closed Sunday
    world = World(now=saturday_evening)
    result = world.say("Chcę porozmawiać z konsultantem")
    assert "w poniedziałek o 08:00" in result.response
    assert result.mode == "pending"


def test_while_a_human_has_the_conversation_the_bot_stays_silent() -> None:
    world = World()
    first = world.say("Chcę porozmawiać z konsultantem")
    world.repo.conversations[("novahouse", first.conversation_id)].mode = "human"
    result = world.say("Halo, jest tam ktoś?", session_id=first.session_id)
    assert (result.source, result.response) == ("agent", "")
    assert world.stored(result)[-1].role == "guest"


def test_a_phone_number_becomes_a_lead_and_a_lead_captured_event() -> None:
    world = World()
    world.model.queue_reply(ModelReply(reply="Dziękuję, oddzwonimy.", intent="contact", lead=LeadFields(name="Anna")))
    result = world.say("Proszę o kontakt w sprawie tarasu, mój numer to 601 234 567")
    lead = next(iter(world.repo.leads.values()))
    assert lead.phone == "601234567" and lead.name == "Anna"
    assert [e.type for e in world.events.events] == ["lead.captured"]
    assert world.repo.metrics[("novahouse", "2026-11-18")]["leads"] == 1
    assert world.repo.conversations[("novahouse", result.conversation_id)].lead_id == lead.id


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tenant": "novahouse", "message": ""}, "message"),
        ({"tenant": "novahouse", "message": "   "}, "message"),
        ({"tenant": "novahouse", "message": "x" * 2001}, "message"),
        ({"tenant": "novahouse", "message": "zły\x00znak"}, "message"),
        ({"tenant": "novahouse", "message": 12}, "message"),
        ({"tenant": "Nova House!", "message": "hej"}, "tenant"),
        ({"tenant": "novahouse", "message": "hej", "session_id": "../../etc"}, "session_id"),
    ],
)
def test_bad_input_is_refused_and_stores_nothing(body: dict[str, object], field: str) -> None:
    world = World()
    with pytest.raises(ValidationFailed) as err:
        world.service.turn(body)
    assert err.value.details[0]["field"] == field
    assert world.repo.commits == 0


def test_an_unknown_tenant_is_a_not_found_error() -> None:
    world = World()
    with pytest.raises(NotFoundError):
        world.say("hej", tenant="nobody")
    assert world.repo.commits == 0


def test_a_session_over_its_rate_is_limited_with_retry_after_and_nothing_stored() -> None:
    world = World(limit=3)
    first = world.say("Jaka jest gwarancja?")
    world.say("A płatności?", session_id=first.session_id)
    world.say("A pomiar?", session_id=first.session_id)
    commits = world.repo.commits
    with pytest.raises(RateLimitedError) as err:
        world.say("A materiały?", session_id=first.session_id)
    assert 1 <= err.value.retry_after <= 61
    assert world.repo.commits == commits
    world.now += timedelta(minutes=1, seconds=1)
    assert world.say("A materiały?", session_id=first.session_id).response


def test_the_ip_limiter_allows_a_burst_then_answers_429() -> None:
    now = [0.0]
    limiter = IpRateLimiter(2, clock=lambda: now[0])
    limiter.check("1.2.3.4")
    limiter.check("1.2.3.4")
    with pytest.raises(RateLimitedError):
        limiter.check("1.2.3.4")
    limiter.check("5.6.7.8")
    now[0] = 61.0
    limiter.check("1.2.3.4")


def test_a_session_starts_with_a_greeting_in_the_tenant_language_and_a_scoped_token() -> None:
    world = World()
    started = world.service.start_session({"tenant": "novahouse"})
    assert started["greeting"].startswith("Dzień dobry")
    _, claims = world.tokens.issued[-1]
    assert claims == {"tenant": "novahouse", "conversation_id": started["conversation_id"], "role": "guest"}
    result = world.say("Jaka jest gwarancja?", session_id=started["session_id"])
    assert result.conversation_id == started["conversation_id"]


def test_a_rating_counts_once_and_repeats_change_nothing() -> None:
    world = World()
    result = world.say("Jaka jest gwarancja?")
    body = {"conversation_id": result.conversation_id, "session_id": result.session_id, "score": 5, "comment": "Super"}
    assert world.service.rate(body)["already_rated"] is False
    again = world.service.rate({**body, "score": 1})
    assert again["already_rated"] is True and again["score"] == 5
    assert world.repo.metrics[("novahouse", "2026-11-18")]["ratings"] == 1


@pytest.mark.parametrize("score", [0, 6, 2.5, "5", True])
def test_a_rating_outside_one_to_five_is_refused(score: object) -> None:
    world = World()
    result = world.say("Jaka jest gwarancja?")
    with pytest.raises(ValidationFailed):
        world.service.rate({"conversation_id": result.conversation_id, "session_id": result.session_id, "score": score})


def test_a_rating_from_a_website_the_tenant_does_not_list_is_refused() -> None:
    world = World()
    result = world.say("Jaka jest gwarancja?")
    body = {"conversation_id": result.conversation_id, "session_id": result.session_id, "score": 5}
    with pytest.raises(ForbiddenError):
        world.service.rate(body, origin="https://evil.example")
    assert world.service.rate(body, origin="https://novahouse.pl")["already_rated"] is False


def test_another_session_cannot_rate_or_read_a_conversation() -> None:
    world = World()
    result = world.say("Jaka jest gwarancja?")
    other = world.say("A płatności?").session_id
    with pytest.raises(ForbiddenError):
        world.service.rate({"conversation_id": result.conversation_id, "session_id": other, "score": 4})
    with pytest.raises(ForbiddenError):
        world.service.poll({"conversation_id": result.conversation_id, "session_id": other})


def test_polling_returns_messages_after_the_cursor() -> None:
    world = World()
    result = world.say("Jaka jest gwarancja?")
    page = world.service.poll({"conversation_id": result.conversation_id, "session_id": result.session_id})
    assert [m["role"] for m in page["messages"]] == ["guest", "bot"]
    world.now += timedelta(seconds=5)
    world.say("A płatności?", session_id=result.session_id)
    later = world.service.poll(
        {"conversation_id": result.conversation_id, "session_id": result.session_id, "after": page["cursor"]}
    )
    assert later["messages"][0]["text"] == "A płatności?"


def test_a_model_failure_type_is_kept_out_of_the_guest_reply() -> None:
    world = World()
    world.model.queue_failure("server_error")
    result = world.say("Czy robicie też zabudowę tarasu z drewna egzotycznego?")
    assert "server_error" not in result.response
    assert isinstance(ModelFailure("x"), Exception)
