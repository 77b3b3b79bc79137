from __future__ import annotations

from shared.domain.background import BACKGROUND_DIR, Background, background


def test_each_language_has_a_background_of_a_few_hundred_generic_messages() -> None:
    for language in ("pl", "en"):
        assert len(background(language).messages) >= 250
        assert (BACKGROUND_DIR / f"{language}.txt").read_text(encoding="utf-8").startswith("# Generic off-topic")


def test_a_message_like_a_background_one_resembles_it_more_than_a_question_about_a_business() -> None:
    english = background("en")
    assert english.similarity("what is the capital of australia") > 0.9
    assert english.similarity("how tall is mount everest in meters") > english.similarity("what time is check-in")
    polish = background("pl")
    assert polish.similarity("kto wynalazl zarowke") > polish.similarity("ile kosztuje wykonczenie lazienki pod klucz")


def test_comments_blank_lines_and_function_words_alone_give_no_resemblance() -> None:
    made = Background.of(["# a comment", "", "why is the sky blue"], "en")
    assert len(made.messages) == 1
    assert made.similarity("is the") == 0.0
    assert made.similarity("") == 0.0
    assert 0.0 < made.similarity("the sky at night") < 1.0


def test_a_language_without_a_background_resembles_nothing() -> None:
    assert background("xx").similarity("anything at all") == 0.0
