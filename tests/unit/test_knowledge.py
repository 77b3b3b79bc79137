from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from shared.domain.errors import ValidationFailed
from shared.domain.knowledge import KnowledgePack, load_pack_file, parse_pack
from tests.helpers import demo_pack

ROOT = Path(__file__).resolve().parents[2]


MINIMAL = {
    "tenant": {
        "id": "acme",
        "name": "Acme",
        "languages": ["pl", "en"],
        "default_language": "pl",
        "timezone": "Europe/Warsaw",
        "allowed_origins": ["https://acme.pl"],
        "persona": "Pomocny",
        "business_hours": {"mon-fri": "08:00-18:00", "sat": "09:00-14:00"},
    },
    "packages": [{"id": "standard", "name": "Standard", "price_per_m2": 1200, "currency": "PLN"}],
    "faq": [{"id": "warranty", "intent": "warranty", "lang": "pl", "questions": ["Jaka jest gwarancja?"], "answer": "3 lata."}],
    "documents": [{"id": "rules", "kind": "policy", "title": "Zasady", "text": "Tekst."}],
}


def _details(text: str) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        parse_pack(text)
    return {d["field"]: d["message"] for d in caught.value.details}


def test_yaml_and_json_packs_are_both_accepted() -> None:
    from_yaml = parse_pack(yaml.safe_dump(MINIMAL, allow_unicode=True))
    from_json = parse_pack(json.dumps(MINIMAL))
    assert from_yaml == from_json
    assert from_json.packages[0].unit_price == Decimal(1200)


def test_validation_lists_every_bad_field_not_just_the_first() -> None:
    bad = json.loads(json.dumps(MINIMAL))
    bad["tenant"]["id"] = "Not A Slug"
    bad["tenant"]["default_language"] = "de"
    bad["tenant"]["business_hours"] = {"monday": "8-18"}
    bad["packages"].append({"id": "standard", "name": "Again"})
    bad["faq"] += [
        {"id": "x", "intent": "x", "lang": "pl", "questions": ["?"], "answer": "a"},
        {"id": "x", "intent": "x", "lang": "fr", "questions": ["Q"], "answer": "   "},
    ]
    details = _details(json.dumps(bad))
    assert {
        "tenant.id",
        "tenant.default_language",
        "tenant.business_hours",
        "packages.1",
        "packages.1.id",
        "faq.2.id",
        "faq.2.lang",
        "faq.2.answer",
    } <= set(details)
    assert "price_per_m2 or price_per_night" in details["packages.1"]


def test_every_error_has_a_field_and_a_message() -> None:
    bad = json.loads(json.dumps(MINIMAL))
    bad["faq"][0]["answer"] = ""
    with pytest.raises(ValidationFailed) as caught:
        parse_pack(json.dumps(bad))
    assert caught.value.details == [{"field": "faq.0.answer", "message": "String should have at least 1 character"}]


def test_business_hours_accept_day_ranges_and_closed_days() -> None:
    good = json.loads(json.dumps(MINIMAL))
    good["tenant"]["business_hours"] = {"mon-fri": "08:00-18:00", "sat": "09:00-14:00", "sun": "closed"}
    pack = parse_pack(json.dumps(good))
    assert pack.tenant.opening_hours()["wed"] == "08:00-18:00"
    assert pack.tenant.opening_hours()["sun"] == "closed"


def test_business_hours_reject_backwards_ranges_and_bad_times() -> None:
    bad = json.loads(json.dumps(MINIMAL))
    bad["tenant"]["business_hours"] = {"fri-mon": "08:00-18:00", "sat": "18:00-09:00"}
    message = _details(json.dumps(bad))["tenant.business_hours"]
    assert "forwards" in message and "before closing" in message


def test_unknown_keys_are_reported_as_typos() -> None:
    bad = json.loads(json.dumps(MINIMAL))
    bad["faq"][0]["anwser"] = bad["faq"][0].pop("answer")
    assert set(_details(json.dumps(bad))) == {"faq.0.answer", "faq.0.anwser"}


def test_a_hotel_room_is_priced_per_night() -> None:
    hotel = json.loads(json.dumps(MINIMAL))
    hotel["packages"] = [{"id": "double", "name": "Double", "price_per_night": "420.50"}]
    room = parse_pack(json.dumps(hotel)).packages[0]
    assert room.quote_unit == "night"
    assert room.unit_price == Decimal("420.50")


def test_a_package_with_both_prices_must_say_which_unit_quotes_use() -> None:
    both = json.loads(json.dumps(MINIMAL))
    both["packages"][0]["price_per_night"] = 300
    assert "unit" in _details(json.dumps(both))["packages.0"]
    both["packages"][0]["unit"] = "night"
    assert parse_pack(json.dumps(both)).packages[0].unit_price == Decimal(300)


def test_malformed_yaml_is_a_validation_failure_with_a_location() -> None:
    details = _details("tenant: {id: acme\nfaq: [")
    assert details["(pack)"].startswith("line ")


def test_related_faq_ids_must_exist() -> None:
    bad = json.loads(json.dumps(MINIMAL))
    bad["faq"][0]["related"] = ["nope"]
    assert "nope" in _details(json.dumps(bad))["faq.0.related.0"]


def test_direct_construction_still_checks_consistency() -> None:
    bad = json.loads(json.dumps(MINIMAL))
    bad["tenant"]["default_language"] = "de"
    with pytest.raises(ValueError, match="default_language"):
        KnowledgePack.model_validate(bad)


@pytest.mark.parametrize("tenant", ["novahouse", "hotel"])
def test_demo_packs_load_and_are_rich(tenant: str) -> None:
    pack = load_pack_file(ROOT / "data" / "tenants" / f"{tenant}.yaml")
    assert len(pack.faq) >= 25
    assert len(pack.packages) >= 4
    assert pack.documents


def test_novahouse_prices_standard_at_1200_zl_per_m2() -> None:
    standard = demo_pack("novahouse").package("standard")
    assert standard is not None and standard.price_per_m2 == Decimal(1200) and standard.currency == "PLN"


def test_load_pack_file_reads_json_too(tmp_path: Path) -> None:
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(MINIMAL), encoding="utf-8")
    assert load_pack_file(path).tenant.id == "acme"
