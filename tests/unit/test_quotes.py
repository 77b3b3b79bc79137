from __future__ import annotations

from decimal import Decimal

import pytest

from shared.domain.quotes import (
    QuoteRequest,
    compute_quote,
    extract_quote_request,
    format_money,
    format_quote,
    parse_number,
    unbacked_amounts,
)
from tests.helpers import demo_pack


def _quote(text: str, tenant: str = "novahouse", language: str = "pl") -> tuple[str | None, Decimal | None]:
    request = extract_quote_request(text, demo_pack(tenant), language)
    assert request is not None
    return request.package_id, request.quantity


def test_quote_for_standard_60_m2_is_exact_total() -> None:
    pack = demo_pack("novahouse")
    request = extract_quote_request("Ile kosztuje pakiet Standard za 60 m2?", pack, "pl")
    assert request is not None
    quote = compute_quote(pack, request)
    assert (quote.package_id, quote.quantity, quote.total, quote.currency) == ("standard", 60, Decimal(72000), "PLN")
    assert format_quote(quote, "pl") == "Pakiet Standard dla 60 m²: 60 × 1 200 zł = 72 000 zł"
    assert format_quote(quote, "en") == "Standard package for 60 m²: 60 × 1,200 PLN = 72,000 PLN"


@pytest.mark.parametrize("text", ["60 m2", "60m²", "60 metrów", "60 mkw", "60 m", "60 sqm", "60 square meters", "60-metrowe"])
def test_area_is_read_in_every_way_guests_write_it(text: str) -> None:
    assert _quote(f"pakiet standard {text}") == ("standard", Decimal(60))


@pytest.mark.parametrize(
    ("text", "package"),
    [
        ("cena pakietu Standard", "standard"),
        ("standardowy", "standard"),
        ("premium", "premium"),
        ("w basicu", "basic"),
        ("luksusowego pakietu", "luxury"),
        ("pakiet standrad", "standard"),
    ],
)
def test_package_names_tolerate_inflection_and_typos(text: str, package: str) -> None:
    assert _quote(text) == (package, None)


def test_decimal_area_with_a_comma_is_understood() -> None:
    assert _quote("standard 38,5 m2") == ("standard", Decimal("38.5"))


def test_room_and_nights_make_a_hotel_quote() -> None:
    pack = demo_pack("hotel")
    request = extract_quote_request("how much for a deluxe room for 3 nights?", pack, "en")
    assert request is not None
    quote = compute_quote(pack, request)
    assert (quote.package_id, quote.unit, quote.total) == ("deluxe-river", "night", Decimal(2070))
    assert format_quote(quote, "en") == "Deluxe River View for 3 nights: 3 × 690 PLN = 2,070 PLN"
    assert format_quote(quote, "pl") == "Deluxe River View na 3 noce: 3 × 690 zł = 2 070 zł"


def test_a_week_is_seven_nights() -> None:
    assert _quote("the river apartment for a week please", "hotel", "en") == ("river-apartment", Decimal(7))


def test_a_longer_room_name_wins_over_a_shorter_one_inside_it() -> None:
    assert _quote("superior double 2 nights", "hotel", "en") == ("superior-double", Decimal(2))


def test_a_message_without_package_or_quantity_is_no_quote_request() -> None:
    assert extract_quote_request("jaka jest gwarancja?", demo_pack("novahouse"), "pl") is None


def test_compute_quote_needs_a_package_and_a_quantity() -> None:
    with pytest.raises(ValueError):
        compute_quote(demo_pack("novahouse"), QuoteRequest(package_ids=["standard"]))


def test_numbers_parse_in_polish_and_english_styles() -> None:
    assert parse_number("1 200") == parse_number("1,200") == parse_number("1.200") == Decimal(1200)
    assert parse_number("38,5") == Decimal("38.5")
    assert parse_number("2.20") == Decimal("2.20")


def test_money_is_formatted_per_language() -> None:
    assert format_money(Decimal("46200.5"), "PLN", "pl") == "46 200,50 zł"
    assert format_money(Decimal("46200.5"), "PLN", "en") == "46,200.50 PLN"


def test_unbacked_amounts_flags_an_invented_price() -> None:
    reply = "Pakiet Standard kosztuje 1 100 zł/m²."
    assert unbacked_amounts(reply, demo_pack("novahouse")) == ["1 100 zł"]


def test_unbacked_amounts_passes_pack_prices_and_computed_totals() -> None:
    reply = "Standard to 1 200 zł/m², Premium 1650 PLN/m²; za 60 m² zapłacisz 72 000 zł, projekt 150 zł/m²."
    assert unbacked_amounts(reply, demo_pack("novahouse"), allowed_extra=[Decimal(72000)]) == []


def test_unbacked_amounts_without_the_total_flags_it() -> None:
    assert unbacked_amounts("Razem 72 000 zł.", demo_pack("novahouse")) == ["72 000 zł"]


@pytest.mark.parametrize("reply", ["It costs €300.", "That's $99", "about 75 tys. zł", "PLN 999", "100–120 EUR"])
def test_unbacked_amounts_reads_symbols_words_and_ranges(reply: str) -> None:
    assert unbacked_amounts(reply, demo_pack("hotel"))


def test_numbers_without_currency_are_not_amounts() -> None:
    assert unbacked_amounts("Check-in from 15:00, room 214, 60 m², 3 nights.", demo_pack("hotel")) == []
