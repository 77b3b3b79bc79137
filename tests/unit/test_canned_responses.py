"""Canned responses: the rules a tenant's set owns, and the use cases over the in-memory fake."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from shared.adapters.canned_store import InMemoryCannedResponseRepository
from shared.adapters.in_memory_store import InMemoryTenantRepository
from shared.domain.canned import MAX_PER_TENANT, CannedResponse, CannedSet, parse_code, parse_response
from shared.domain.errors import ConflictError, NotFoundError, ValidationFailed
from shared.services.canned_responses import CannedResponses
from tests.helpers import demo_pack

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
PRICES = {"title": "Cennik", "text": "Pakiet Standard kosztuje od 1200 zł/m².", "language": "pl"}


def response(code: str, **fields: Any) -> CannedResponse:
    return parse_response(code, {**PRICES, **fields}, languages=["pl", "en"], now=NOW, actor="key:k1")


@pytest.mark.parametrize("code", ["price-list", "a", "warranty2", "x" * 40, "24h"])
def test_a_short_code_of_lowercase_letters_digits_and_inner_hyphens_is_valid(code: str) -> None:
    assert parse_code(code) == code


@pytest.mark.parametrize("code", ["", "Price", "-price", "price-", "price list", "cena/zł", "x" * 41, "żółw", None, 7])
def test_a_malformed_short_code_is_refused_with_a_400_naming_the_field(code: Any) -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_code(code)
    assert err.value.status == 400 and err.value.details[0]["field"] == "code"


def test_a_valid_response_keeps_its_trimmed_fields_and_who_wrote_it() -> None:
    parsed = response("price-list", title="  Cennik ", text="Od 1200 zł/m²\nzapraszamy")
    assert (parsed.code, parsed.title, parsed.language) == ("price-list", "Cennik", "pl")
    assert parsed.text == "Od 1200 zł/m²\nzapraszamy"
    assert parsed.updated_by == "key:k1" and parsed.updated_at == NOW


def test_every_bad_field_is_listed_at_once() -> None:
    with pytest.raises(ValidationFailed) as err:
        body = {"title": "", "text": "x" * 2001, "language": "de", "colour": "red"}
        parse_response("Bad Code", body, languages=["pl"], now=NOW, actor="a")
    assert {d["field"] for d in err.value.details} == {"code", "title", "text", "language", "colour"}


def test_the_language_must_be_one_of_the_businesss_own() -> None:
    with pytest.raises(ValidationFailed, match=r"en, pl"):
        response("hello", language="de")
    assert response("hello", language=None).language is None
    assert response("hello", language="").language is None


def test_control_characters_in_the_text_are_refused() -> None:
    with pytest.raises(ValidationFailed):
        response("bell", text="ding\x07")


def test_a_code_in_the_body_must_match_the_path() -> None:
    with pytest.raises(ValidationFailed, match="code"):
        parse_response("price-list", {**PRICES, "code": "other"}, languages=None, now=NOW, actor="a")


def test_codes_are_unique_within_a_tenants_set() -> None:
    with pytest.raises(ValidationFailed, match="twice"):
        CannedSet([response("a"), response("a", title="Again")])


def test_putting_an_existing_code_replaces_it_and_a_new_one_is_added_in_code_order() -> None:
    canned = CannedSet([response("warranty"), response("hours")])
    assert canned.put(response("price-list")) is True
    assert canned.put(response("hours", title="Godziny")) is False
    assert [r.code for r in canned.responses] == ["hours", "price-list", "warranty"]
    assert canned.responses[0].title == "Godziny"


def test_a_new_response_beyond_the_limit_is_a_conflict_but_replacing_one_is_fine() -> None:
    canned = CannedSet([response(f"r{n}") for n in range(3)], limit=3)
    with pytest.raises(ConflictError, match="3 canned responses"):
        canned.put(response("one-more"))
    assert canned.put(response("r1", title="Zmieniony")) is False
    assert len(canned) == 3


def test_the_default_limit_is_200_per_tenant() -> None:
    assert MAX_PER_TENANT == 200
    with pytest.raises(ValidationFailed, match="At most 200"):
        CannedSet([response(f"r{n}") for n in range(201)])


def test_removing_an_unknown_code_is_a_404() -> None:
    with pytest.raises(NotFoundError):
        CannedSet().remove("nothing")


def test_an_agents_language_filter_keeps_language_free_responses() -> None:
    canned = CannedSet([response("pl-only"), response("en-only", language="en"), response("any", language=None)])
    assert [r.code for r in canned.for_language("en")] == ["any", "en-only"]
    assert len(canned.for_language(None)) == 3


@pytest.fixture()
def service() -> CannedResponses:
    novahouse = demo_pack("novahouse")
    return CannedResponses(InMemoryCannedResponseRepository(), InMemoryTenantRepository(novahouse), clock=lambda: NOW, limit=3)


def test_an_admin_creates_replaces_lists_and_deletes_by_code(service: CannedResponses) -> None:
    body, created = service.put("novahouse", "price-list", PRICES, "key:k1")
    assert created and body["code"] == "price-list" and body["updated_at"] == NOW.isoformat()
    _, created = service.put("novahouse", "price-list", {**PRICES, "title": "Cennik 2026"}, "user:u1")
    assert not created
    listed = service.list("novahouse")
    assert listed["count"] == 1 and listed["limit"] == 3
    assert listed["canned_responses"][0]["title"] == "Cennik 2026" and listed["canned_responses"][0]["updated_by"] == "user:u1"
    assert service.delete("novahouse", "price-list") == {"success": True, "deleted": "price-list"}
    assert service.list("novahouse")["canned_responses"] == []


def test_refused_input_changes_nothing(service: CannedResponses) -> None:
    service.put("novahouse", "price-list", PRICES, "key:k1")
    before = service.list("novahouse")
    for code, body in [("price-list", {"title": "", "text": "x"}), ("Bad!", PRICES), ("hello", {**PRICES, "language": "de"})]:
        with pytest.raises(ValidationFailed):
            service.put("novahouse", code, body, "key:k1")
    for code in ("unknown", "Bad!"):
        with pytest.raises((NotFoundError, ValidationFailed)):
            service.delete("novahouse", code)
    assert service.list("novahouse") == before


def test_the_limit_refuses_a_new_code_and_stores_nothing(service: CannedResponses) -> None:
    for n in range(3):
        service.put("novahouse", f"r{n}", PRICES, "a")
    with pytest.raises(ConflictError):
        service.put("novahouse", "r3", PRICES, "a")
    assert service.list("novahouse")["count"] == 3


def test_agents_get_their_own_tenants_responses_without_editing_metadata(service: CannedResponses) -> None:
    service.put("novahouse", "price-list", PRICES, "a")
    service.put("hotel", "parking", {"title": "Parking", "text": "Parking costs 80 zł a night."}, "a")  # no pack: any language
    staff = service.for_staff("novahouse")
    assert staff == {"canned_responses": [{"code": "price-list", "title": "Cennik", "text": PRICES["text"], "language": "pl"}]}
    assert service.for_staff("novahouse", "en")["canned_responses"] == []


def test_a_seed_replaces_the_whole_set_or_nothing(service: CannedResponses) -> None:
    service.put("novahouse", "old", PRICES, "a")
    assert service.replace_all("novahouse", [{"code": "a", **PRICES}, {"code": "b", **PRICES}], "seed") == 2
    assert [r["code"] for r in service.list("novahouse")["canned_responses"]] == ["a", "b"]
    with pytest.raises(ValidationFailed):
        service.replace_all("novahouse", [{"code": "c", **PRICES}, {"code": "c", **PRICES}], "seed")
    assert [r["code"] for r in service.list("novahouse")["canned_responses"]] == ["a", "b"]
