from __future__ import annotations

import pytest

from shared.domain import language
from shared.domain.language import detect_language

PL_EN = ["pl", "en"]


@pytest.mark.parametrize(
    "text",
    ["Ile kosztuje?", "cena pakietu standard", "ile kosztuje wykonczenie", "gwarancja", "Czy macie parking?", "dzieki", "Zażółć"],
)
def test_polish_messages_are_polish_even_short_and_without_diacritics(text: str) -> None:
    assert detect_language(text, PL_EN, "en") == "pl"


@pytest.mark.parametrize(
    "text", ["hi", "how much is standard", "thanks!", "what time is check-in?", "hello, is the flat finishing done in 6 weeks?"]
)
def test_english_messages_are_english_even_when_the_default_is_polish(text: str) -> None:
    assert detect_language(text, PL_EN, "pl") == "en"


@pytest.mark.parametrize("text", ["parking?", "portfolio", "ok", "standard 60m2", "", "123"])
def test_words_both_languages_share_fall_back_to_the_default(text: str) -> None:
    assert detect_language(text, PL_EN, "pl") == "pl"
    assert detect_language(text, PL_EN, "en") == "en"


def test_a_single_language_tenant_always_gets_its_language() -> None:
    assert detect_language("Ile kosztuje pokój?", ["en"], "en") == "en"


def test_languages_the_cheap_signals_do_not_know_ask_the_statistical_detector(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def fake_guess(text: str, candidates: list[str]) -> str:
        asked.append(text)
        return "de"

    monkeypatch.setattr(language, "_lingua_guess", fake_guess)
    assert detect_language("Wie viel kostet das Zimmer?", ["en", "de"], "en") == "de"
    assert asked == ["Wie viel kostet das Zimmer?"]


def test_without_a_confident_detector_the_default_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(language, "_lingua_guess", lambda text, candidates: None)
    assert detect_language("Wie viel kostet das Zimmer?", ["en", "de"], "en") == "en"
