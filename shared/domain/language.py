"""Language of a guest's message, chosen among the tenant's languages.

Chat messages are short ("parking?", "ile kosztuje standard"), often typed without
diacritics, and a tenant supports two or three languages. Cheap signals settle almost
all of them: Polish letters, and function and chat words of each language. The
statistical detector (``lingua``, restricted to the candidate languages) costs ~1 s and
~100 MB to build, and on one- or two-word messages it is confidently wrong about as often
as it is right ("parking?" → English, "standard 60m2" → English); it is consulted only
for longer messages the cheap signals leave undecided, or for languages they do not know,
and only if it is installed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from shared.domain.text import fold, words_of

_POLISH_LETTERS = re.compile(r"[ąćęłńśźż]", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:'[a-z]+)?")

# Folded words that, in a customer chat, nearly always mean one language. Words the
# two languages share ("parking", "standard", "portfolio", "ok") are in neither list.
_WORDS: dict[str, frozenset[str]] = {
    "pl": words_of(
        """a aby ale albo bardzo bedzie beda bez bo by byc byl byla chce chcialbym chcialabym ci cie co czy
        czesc dla do dobry dobrze dzien dziekuje dzieki gdzie go ich ile im ja jak jaka jaki jakie jakis
        jest jestem juz kiedy kto ktora ktore ktory lub ma macie mam mamy mi mnie moge mozecie mozna moze mu
        na nad nam nas nie nic o od oraz po pod prosze przez przy sa sie tak takze tam te tego tej ten to tu
        tylko u w wam was we witam wiec wszystko z za ze zeby cena ceny cene koszt kosztuje kosztow kosztuja
        pakiet pakietu pakiecie pakiety metr metrow metry mieszkanie mieszkania mieszkaniu wykonczenie
        wykonczenia remont remontu gwarancja gwarancji termin terminy platnosc zaliczka raty pomiar wycena
        wyceny lazienka lazienki kuchnia kuchni pokoj pokoju noc noce nocy doba doby sniadanie sniadania
        pies psem psa zwierzeta hotel hotelu pokoje parkingu zameldowanie wymeldowanie ktorej godzinie
        godzina godziny jutro dzisiaj robicie macie dajecie jestescie dzialacie ludzie trzeba musze mozemy"""
    ),
    "en": words_of(
        """a about an and any are as at be can could do does did for from get have has hello hey hi how i if in
        is it its me much my need no not of on or our please price prices rate rates room rooms should so
        than thank thanks that the there this to want was we what whats when where which who why will with
        would yes you your yours cost costs breakfast night nights check checkin checkout included include
        including pets dog allowed available book booking cancel cancellation pay free much many long time
        flat apartment finishing renovation warranty works work quote quotes square meters metres meter much
        tell know like just also too get got lands arrive arrival leave"""
    ),
}
# Short words that exist in both lists' languages as different words ("a", "to", "no",
# "do", "i") count for little: "a" is Polish "and" and English "a".
_WEAK = frozenset({"a", "i", "to", "no", "do", "on", "we", "so", "be", "u", "o", "w", "z", "go", "mi", "ma"})
_POLISH_CLUSTERS = re.compile(r"(?:sz|cz|rz|dz|ie|ow|ych|ego|emy|acie|osc|nie)")
_ENGLISH_CLUSTERS = re.compile(r"(?:th|wh|ing\b|ee|oo|ou|ay|ck)")

_MIN_MARGIN = 1.0
_LINGUA_MIN_WORDS = 3
_LINGUA_MIN_CONFIDENCE = 0.8


def _scores(text: str, candidates: Sequence[str]) -> dict[str, float]:
    scores = dict.fromkeys(candidates, 0.0)
    if "pl" in scores and _POLISH_LETTERS.search(text):
        scores["pl"] += 3.0  # no English word has these letters
    for word in _WORD.findall(fold(text)):
        weight = 0.5 if word in _WEAK else 1.0
        for lang in candidates:
            if word in _WORDS.get(lang, frozenset()):
                scores[lang] += weight
        # Letter clusters break ties on words neither list knows ("wykonczenie", "weekend").
        if len(word) >= 4:
            if "pl" in scores:
                scores["pl"] += 0.25 * min(2, len(_POLISH_CLUSTERS.findall(word)))
            if "en" in scores:
                scores["en"] += 0.25 * min(2, len(_ENGLISH_CLUSTERS.findall(word)))
    return scores


@lru_cache(maxsize=8)
def _lingua_detector(candidates: tuple[str, ...]) -> Any:
    try:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder  # type: ignore[import-not-found, unused-ignore]
    except ImportError:  # optional: without it, the cheap signals decide alone
        return None
    languages = []
    for code in candidates:
        try:
            languages.append(Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())))
        except (AttributeError, ValueError):
            continue
    if len(languages) < 2:
        return None
    return LanguageDetectorBuilder.from_languages(*languages).build()


def _lingua_guess(text: str, candidates: Sequence[str]) -> str | None:
    detector = _lingua_detector(tuple(sorted(candidates)))
    if detector is None:
        return None
    values = detector.compute_language_confidence_values(text)
    if not values or values[0].value < _LINGUA_MIN_CONFIDENCE:
        return None
    code = str(values[0].language.iso_code_639_1.name).lower()
    return code if code in candidates else None


def detect_language(text: str, supported: Sequence[str], default: str) -> str:
    """The language of ``text`` among ``supported``; ``default`` when not confident."""
    candidates = list(dict.fromkeys(code.lower() for code in supported))
    if default not in candidates:
        candidates.insert(0, default)
    if len(candidates) == 1 or not text.strip():
        return default
    scores = _scores(text, candidates)
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top - second >= _MIN_MARGIN:
        return best
    unknown = [code for code in candidates if code not in _WORDS]
    if unknown or len(_WORD.findall(text)) >= _LINGUA_MIN_WORDS:
        guess = _lingua_guess(text, candidates)
        if guess is not None:
            return guess
    if top - second > 0 and top >= 1.0:
        return best
    return default
