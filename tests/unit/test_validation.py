"""Free text from clients: what validation lets through before anything is stored or a model is paid for."""

from __future__ import annotations

import pytest

from shared.domain.errors import ValidationFailed
from shared.domain.validation import clean_text, whole_number


@pytest.mark.parametrize("text", ["\ud800", "hej \udfff", "a\udc00b"])
def test_a_lone_surrogate_is_refused(text: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        clean_text(text, "message", 2000)
    assert err.value.details == [{"field": "message", "message": "must be valid Unicode text"}]


@pytest.mark.parametrize(
    "text", ["\u200b", "\ufeff", "\u200b\u200c\u200d\u2060", " \ufeff \u200b ", "\u3164", "\u2800\u00ad", "\u180e"]
)
def test_a_message_made_only_of_invisible_characters_is_refused(text: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        clean_text(text, "message", 2000)
    assert err.value.details == [{"field": "message", "message": "must not be empty"}]


@pytest.mark.parametrize("text", ["Ile kosztuje łazienka?", "👍", "👩\u200d👩\u200d👧", "a\u200bb", "مرحبا", "日本語"])
def test_visible_text_with_joiners_passes_unchanged(text: str) -> None:
    assert clean_text(text, "message", 2000) == text


def test_invisible_text_is_fine_when_the_field_is_optional() -> None:
    assert clean_text("\u200b", "comment", 100, required=False) == ""


def test_control_characters_and_length_are_still_checked() -> None:
    with pytest.raises(ValidationFailed):
        clean_text("bell\x07", "message", 100)
    with pytest.raises(ValidationFailed):
        clean_text("a" * 101, "message", 100)
    assert clean_text("a" * 100, "message", 100) == "a" * 100
    assert clean_text(" line\n\tnext ", "message", 100) == "line\n\tnext"
    with pytest.raises(ValidationFailed):
        clean_text(5, "message", 100)
    assert clean_text(None, "comment", 100, required=False) == ""
    with pytest.raises(ValidationFailed):
        clean_text(None, "message", 100)


@pytest.mark.parametrize("raw", ["²", "٣", "1" * 5000, " 5", "5_0", "-1", "0", "101", "x", "1.5"])
def test_a_whole_number_parameter_outside_plain_digits_or_its_range_is_a_400_naming_it(raw: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        whole_number(raw, "limit", default=50, low=1, high=100)
    assert refused.value.details == [{"field": "limit", "message": "must be a whole number from 1 to 100"}]


def test_a_whole_number_parameter_left_out_takes_its_default() -> None:
    assert [whole_number(raw, "limit", default=50, low=1, high=100) for raw in (None, "", "1", "100")] == [50, 50, 1, 100]


@pytest.mark.parametrize("raw", ["²", "9" * 5000])
def test_widget_days_and_limits_refuse_digits_int_cannot_read_instead_of_failing(raw: str) -> None:
    from shared.domain.widgets import parse_days

    with pytest.raises(ValidationFailed):
        parse_days(raw)
