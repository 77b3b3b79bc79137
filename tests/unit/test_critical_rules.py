"""Pins on the security- and money-critical rules, written to kill the mutants `make mutants` found surviving.

Conversation ids, origin checks, rate limits, validation messages, quotes and the price guard: each
assertion names an exact value, so a changed operator, constant or message fails a test.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from decimal import Decimal

import pytest

from shared.domain.conversation import conversation_id_for, new_session_id, tenant_of
from shared.domain.errors import ForbiddenError, RateLimitedError, ValidationFailed
from shared.domain.quotes import (
    QuoteRequest,
    compute_quote,
    compute_quotes,
    extract_quote_request,
    format_money,
    format_number,
    format_quote,
    pack_amounts,
    unbacked_amounts,
)
from shared.domain.validation import CONVERSATION_ID, SESSION_ID, clean_text, invalid, matching
from shared.services.agent import Principal
from shared.services.rate_limits import IpRateLimiter
from tests.helpers import demo_pack
from tests.unit.test_chat_service import World

NOVAHOUSE = demo_pack("novahouse")

# --- conversation ids ------------------------------------------------------------------------


def test_a_conversation_id_is_the_tenant_and_a_one_way_hash_of_the_session() -> None:
    session = "s_" + "A1b2C3d4E5f6G7h8I9j0K1"
    conv_id = conversation_id_for("novahouse", session)
    digest = hashlib.sha256(f"novahouse\x1f{session}".encode()).hexdigest()[:24]
    assert conv_id == f"novahouse.{digest}"
    assert CONVERSATION_ID.fullmatch(conv_id)
    tail = conv_id.split(".", 1)[1]
    assert not any(session[i : i + 6] in tail for i in range(len(session) - 5))  # nothing of the session leaks into the id


def test_the_same_session_under_another_tenant_is_another_conversation() -> None:
    session = new_session_id()
    assert conversation_id_for("novahouse", session) != conversation_id_for("hotel", session)
    assert conversation_id_for("hotel", session).startswith("hotel.")


def test_a_session_id_has_24_random_url_safe_characters() -> None:
    ids = {new_session_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(SESSION_ID.fullmatch(i) and len(i) == 2 + 24 for i in ids)


def test_the_tenant_is_everything_before_the_last_dot() -> None:
    assert tenant_of("novahouse.0123456789abcdef01234567") == "novahouse"
    assert tenant_of("a.b.0123456789abcdef01234567") == "a.b"


# --- rate limits -----------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_address_limit_says_exactly_when_to_retry() -> None:
    clock = Clock()
    limiter = IpRateLimiter(2, clock=clock)
    limiter.check("203.0.113.1")
    clock.now += 10
    limiter.check("203.0.113.1")
    clock.now += 10
    with pytest.raises(RateLimitedError) as err:
        limiter.check("203.0.113.1")
    assert err.value.retry_after == 41  # the first hit leaves the window 40 s from now, plus a second of margin
    assert err.value.message == "Too many messages from this address"
    limiter.check("203.0.113.2")  # another address is unaffected


def test_the_address_window_slides_after_60_seconds() -> None:
    clock = Clock()
    limiter = IpRateLimiter(1, "Too many requests from this address", clock=clock)
    limiter.check("a")
    clock.now += 59.9
    with pytest.raises(RateLimitedError) as err:
        limiter.check("a")
    assert err.value.message == "Too many requests from this address" and err.value.retry_after == 1
    clock.now += 0.1
    limiter.check("a")


def test_a_flood_of_addresses_forgets_only_the_idle_ones() -> None:
    clock = Clock()
    limiter = IpRateLimiter(5, clock=clock)
    for n in range(10_000):
        limiter.check(f"idle-{n}")
    clock.now += 30
    limiter.check("recent")
    clock.now += 31  # the idle ones are now 61 s old, "recent" 31 s
    limiter.check("new")
    assert set(limiter._hits) == {"recent", "new"}
    for _ in range(4):
        limiter.check("recent")
    with pytest.raises(RateLimitedError):
        limiter.check("recent")  # its hits survived the clean-up


def test_the_session_limit_says_exactly_when_to_retry_and_resets_at_one_minute() -> None:
    world = World(limit=2)
    first = world.say("Jaka jest gwarancja?")
    world.now += timedelta(seconds=10)
    world.say("Jaka jest gwarancja?", first.session_id)
    world.now += timedelta(seconds=5)
    with pytest.raises(RateLimitedError) as err:
        world.say("Jaka jest gwarancja?", first.session_id)
    assert err.value.retry_after == 46
    assert err.value.message == "Too many messages in this conversation, please wait a moment"
    world.now += timedelta(seconds=45)  # exactly one minute after the window opened
    world.say("Jaka jest gwarancja?", first.session_id)


# --- origins and ownership -------------------------------------------------------------------


def test_a_foreign_origin_is_refused_with_a_clear_message() -> None:
    world = World()
    with pytest.raises(ForbiddenError) as err:
        world.service.start_session({"tenant": "novahouse"}, "https://evil.example")
    assert err.value.message == "This website is not allowed to use this chat"
    assert world.service.start_session({"tenant": "novahouse"}, "https://novahouse.pl")["session_id"]
    assert world.service.start_session({"tenant": "novahouse"}, None)["session_id"]  # not a browser: no origin to check


def test_an_agent_touching_another_tenants_conversation_is_told_why() -> None:
    from tests.unit.test_agent_service import World as AgentWorld

    world = AgentWorld()
    anna = Principal(uid="u1", email="a@n.test", name="Anna", tenant="novahouse", role="agent")
    with pytest.raises(ForbiddenError) as err:
        world.agent.take_over(anna, f"hotel.{'0' * 24}")
    assert err.value.message == "This conversation belongs to another business"
    with pytest.raises(ValidationFailed) as bad:
        world.agent.take_over(anna, "not-an-id")
    assert bad.value.details == [{"field": "conversation_id", "message": "is missing or malformed"}]


# --- validation messages ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (5, "must be a string"),
        ("a" * 11, "must be at most 10 characters"),
        ("bell\x07", "must not contain control characters"),
        ("   ", "must not be empty"),
    ],
)
def test_each_text_rule_names_the_field_and_the_rule(value: object, message: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        clean_text(value, "message", 10)
    assert err.value.message == f"message {message}"
    assert err.value.details == [{"field": "message", "message": message}]


def test_newlines_and_tabs_are_not_control_characters_but_x_is_text() -> None:
    assert clean_text("XX\nXX\t", "message", 10) == "XX\nXX"


def test_a_malformed_id_names_its_field() -> None:
    with pytest.raises(ValidationFailed) as err:
        matching(SESSION_ID, "s_short", "session_id")
    assert err.value.message == "session_id is missing or malformed"
    assert invalid("score", "must be a whole number").details == [{"field": "score", "message": "must be a whole number"}]


# --- quotes and the price guard ---------------------------------------------------------------


def test_a_decimal_area_is_multiplied_exactly_38_5_m2_of_standard_is_46_200_zl() -> None:
    request = extract_quote_request("Ile kosztuje pakiet Standard za 38,5 m2?", NOVAHOUSE, "pl")
    assert request is not None and request.quantity == Decimal("38.5")
    quote = compute_quote(NOVAHOUSE, request)
    assert quote.total == Decimal(46200)
    text = format_quote(quote, "pl")
    assert "38,5" in text and "46 200 zł" in text and "45 600" not in text


def test_a_total_with_grosze_keeps_them_rounded_half_up() -> None:
    request = QuoteRequest(package_ids=["standard"], quantity=Decimal("0.0125"), unit="m2", asks_price=True)
    assert compute_quote(NOVAHOUSE, request).total == Decimal("15.00")
    request = QuoteRequest(package_ids=["standard"], quantity=Decimal("0.01254"), unit="m2", asks_price=True)
    assert str(compute_quote(NOVAHOUSE, request).total) == "15.05"


def test_a_whole_total_has_no_decimals() -> None:
    request = QuoteRequest(package_ids=["standard"], quantity=Decimal("60"), unit="m2", asks_price=True)
    assert str(compute_quote(NOVAHOUSE, request).total) == "72000"


def test_a_quote_without_exactly_one_package_says_so() -> None:
    with pytest.raises(ValueError, match=r"^a quote needs exactly one package and a quantity$"):
        compute_quote(NOVAHOUSE, QuoteRequest(package_ids=[], quantity=Decimal(10)))


def test_compute_quotes_skips_packages_priced_in_another_unit() -> None:
    request = QuoteRequest(package_ids=["standard", "premium"], quantity=Decimal(10), unit="night")
    assert compute_quotes(NOVAHOUSE, request) == []
    both = compute_quotes(NOVAHOUSE, QuoteRequest(package_ids=["standard", "premium"], quantity=Decimal(10), unit="m2"))
    assert [q.package_id for q in both] == ["standard", "premium"]


@pytest.mark.parametrize(
    ("value", "language", "money", "text"),
    [
        (Decimal("38.50"), "pl", False, "38,5"),
        (Decimal("38.50"), "pl", True, "38,50"),
        (Decimal("72000"), "pl", False, "72 000"),
        (Decimal("72000"), "en", False, "72,000"),
        (Decimal("1200.05"), "en", True, "1,200.05"),
        (Decimal("0.10"), "en", False, "0.1"),
    ],
)
def test_numbers_are_formatted_exactly(value: Decimal, language: str, money: bool, text: str) -> None:
    assert format_number(value, language, money=money) == text


@pytest.mark.parametrize(
    ("amount", "currency", "language", "text"),
    [
        (Decimal(1200), "PLN", "pl", "1 200 zł"),
        (Decimal(1200), "EUR", "pl", "1 200 EUR"),
        (Decimal(1200), "PLN", "en", "1,200 PLN"),
    ],
)
def test_money_is_formatted_exactly(amount: Decimal, currency: str, language: str, text: str) -> None:
    assert format_money(amount, currency, language) == text


@pytest.mark.parametrize(
    ("reply", "flagged"),
    [
        ("To kosztuje 1 300 zł za m².", ["1 300 zł"]),
        ("To kosztuje 1300 PLN.", ["1300 PLN"]),
        ("Około 2 tys. zł.", ["2 tys. zł"]),
        ("About €1,300.", ["€1,300"]),
        ("About 1300 euro.", ["1300 eur"]),
        ("About $1,300.", ["$1,300"]),
        ("About 1300 dollars.", ["1300 dollars"]),
        ("About £1,300.", ["£1,300"]),
        ("About 1300 GBP.", ["1300 GBP"]),
        ("Cena 1300 złotych.", ["1300 zł"]),
    ],
)
def test_the_price_guard_reads_every_currency_spelling(reply: str, flagged: list[str]) -> None:
    assert unbacked_amounts(reply, NOVAHOUSE) == flagged


def test_the_price_guard_passes_the_packs_own_prices_in_any_spelling() -> None:
    standard = NOVAHOUSE.package("standard")
    assert standard is not None
    price = int(standard.unit_price)
    for reply in (f"{price} zł", f"{price} złotych", f"{price} PLN", f"{price} pln", f"{price / 1000:g} tys. zł"):
        assert unbacked_amounts(reply, NOVAHOUSE) == [], reply
    assert (Decimal(price), "PLN") in pack_amounts(NOVAHOUSE)


def test_amounts_stated_in_the_packs_texts_are_backed() -> None:
    stated = {value for value, _ in pack_amounts(NOVAHOUSE)}
    answers = " ".join(f.answer for f in NOVAHOUSE.faq)
    for raw in re.findall(r"\d[\d ]*\d(?= zł)", answers):
        assert Decimal(raw.replace(" ", "")) in stated, raw


@pytest.mark.parametrize(
    ("symbol", "code"),
    [
        ("zł", "PLN"),
        ("zl", "PLN"),
        ("złotych", "PLN"),
        ("złote", "PLN"),
        ("złoty", "PLN"),
        ("PLN", "PLN"),
        ("€", "EUR"),
        ("EUR", "EUR"),
        ("euro", "EUR"),
        ("euros", "EUR"),
        ("$", "USD"),
        ("usd", "USD"),
        ("dollar", "USD"),
        ("dollars", "USD"),
        ("£", "GBP"),
        ("GBP", "GBP"),
        ("chf", "CHF"),
    ],
)
def test_every_currency_spelling_maps_to_its_code(symbol: str, code: str) -> None:
    from shared.domain.quotes import _currency_code

    assert _currency_code(symbol) == code


def test_a_total_exactly_half_a_grosz_rounds_up_not_to_even() -> None:
    request = QuoteRequest(package_ids=["standard"], quantity=Decimal("0.0000375"), unit="m2", asks_price=True)
    assert str(compute_quote(NOVAHOUSE, request).total) == "0.05"  # 0.045 zł: half-even would say 0.04


def test_an_amount_the_persona_states_is_backed() -> None:
    tenant = NOVAHOUSE.tenant.model_copy(update={"persona": "Doradca NovaHouse. Wycena od 987 zł."})
    pack = NOVAHOUSE.model_copy(update={"tenant": tenant})
    assert (Decimal(987), "PLN") in pack_amounts(pack)
    assert unbacked_amounts("Wycena kosztuje 987 zł.", pack) == []


def test_the_address_table_is_cleaned_only_past_10000_addresses_and_drops_hits_60_s_old() -> None:
    clock = Clock()
    limiter = IpRateLimiter(5, clock=clock)
    for n in range(9_999):
        limiter.check(f"idle-{n}")
    clock.now += 61
    limiter.check("new")  # 10 000 addresses: not yet over the bound, nothing is dropped
    assert len(limiter._hits) == 10_000

    limiter = IpRateLimiter(5, clock=clock)
    for n in range(10_000):
        limiter.check(f"idle-{n}")
    clock.now += 60  # exactly a minute: those hits no longer count, so they are dropped
    limiter.check("new")
    assert set(limiter._hits) == {"new"}


def test_cors_origins_are_the_tenants_own_plus_dev_origins_and_nothing_for_unknown_tenants() -> None:
    world = World()
    service = world.service
    assert service.allowed_origins("novahouse") == set(NOVAHOUSE.tenant.allowed_origins)
    assert service.allowed_origins("no-such-tenant") == set()
    assert service.allowed_origins("Not A Tenant!") == set()
    assert service.allowed_origins(None) == set()
    service.settings.dev_origins = frozenset({"http://localhost:8080"})
    assert service.allowed_origins("novahouse") == set(NOVAHOUSE.tenant.allowed_origins) | {"http://localhost:8080"}
    assert service.allowed_origins("no-such-tenant") == {"http://localhost:8080"}
    assert service.allowed_origins(None) == {"http://localhost:8080"}
