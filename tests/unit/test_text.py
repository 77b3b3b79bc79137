from __future__ import annotations

from shared.domain.text import analyze, closest_word, fold, stem, tokenize


def test_polish_diacritics_are_folded() -> None:
    assert fold("Zażółć gęślą jaźń ŁÓDŹ") == "zazolc gesla jazn lodz"


def test_superscripts_fold_to_plain_digits() -> None:
    assert tokenize("60m² i 70 m2") == ["60m2", "i", "70", "m2"]


def test_hyphenated_words_are_joined_so_both_spellings_match() -> None:
    assert tokenize("Check-in, wi-fi") == tokenize("checkin wifi")


def test_digit_ranges_keep_their_numbers_apart() -> None:
    assert tokenize("3-5 tygodni") == ["3", "5", "tygodni"]


def test_inflected_polish_forms_share_a_stem() -> None:
    assert stem("pakietu", "pl") == stem("pakiet", "pl") == stem("pakiety", "pl")
    assert stem("gwarancji", "pl") == stem("gwarancja", "pl")


def test_text_with_and_without_diacritics_analyses_the_same() -> None:
    assert analyze("Ile kosztuje wykończenie łazienki?", "pl") == analyze("ile kosztuje wykonczenie lazienki", "pl")


def test_function_words_are_dropped() -> None:
    assert analyze("Czy macie jakieś pakiety?", "pl") == [stem("pakiety", "pl")]
    assert analyze("Is the price with VAT?", "en") == ["price", "vat"]


def test_typos_are_mapped_to_the_nearest_known_word() -> None:
    vocabulary = ["gwarancja", "parking", "sniadanie"]
    assert closest_word("gwarancjaa", vocabulary) == "gwarancja"
    assert closest_word("parkign", vocabulary) == "parking"
    assert closest_word("telewizor", vocabulary) is None


def test_stemming_is_safe_from_many_threads_at_once() -> None:
    # One function instance answers concurrent requests; a shared Snowball stemmer corrupted words.
    from concurrent.futures import ThreadPoolExecutor

    from shared.domain import text

    words = [f"{base}{suffix}" for base in ("wykonczen", "kosztow", "gwarancj", "finish", "includ") for suffix in "aeiouy"]
    expected = {(w, lang): text._stemmer(lang).stemWord(w) for w in words for lang in ("pl", "en")}  # type: ignore[union-attr]

    def stem_all(_: int) -> dict[tuple[str, str], str]:
        return {(w, lang): text._stemmer(lang).stemWord(w) for w in words for lang in ("pl", "en")}  # type: ignore[union-attr]

    with ThreadPoolExecutor(max_workers=8) as pool:
        for result in pool.map(stem_all, range(200)):
            assert result == expected
