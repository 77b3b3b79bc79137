from __future__ import annotations

import time

from shared.domain.retrieval import DEFAULT_FAQ_THRESHOLD, KnowledgeIndex
from tests.helpers import demo_index, demo_pack


def test_index_builds_for_a_demo_pack_well_under_100_ms() -> None:
    pack = demo_pack("novahouse")
    KnowledgeIndex.build(pack)  # the stemmer loads once per process
    started = time.perf_counter()
    index = KnowledgeIndex.build(pack)
    elapsed_ms = (time.perf_counter() - started) * 1000
    print(f"novahouse index ({len(index)} entries) built in {elapsed_ms:.1f} ms")
    assert elapsed_ms < 100


def test_faq_is_found_without_diacritics() -> None:
    match = demo_index("novahouse").answer_faq("jaka jest gwarancja na wykonczenie", "pl")
    assert match is not None and match.id == "warranty"


def test_faq_is_found_despite_a_typo() -> None:
    match = demo_index("novahouse").answer_faq("na ile lat jest gwarancjaa", "pl")
    assert match is not None and match.id == "warranty"


def test_faq_is_found_through_inflection() -> None:
    match = demo_index("novahouse").answer_faq("potrzebuję pomiaru mieszkania, czy pomiar jest płatny", "pl")
    assert match is not None and match.id == "measurement-visit"


def test_guest_language_entry_is_preferred() -> None:
    index = demo_index("novahouse")
    english = index.answer_faq("What warranty do you give?", "en")
    assert english is not None and english.id == "en-warranty" and not english.fallback_language


def test_another_language_entry_is_a_fallback() -> None:
    match = demo_index("novahouse").answer_faq("Czy wystawiacie fakturę VAT?", "en")
    assert match is not None and match.id == "invoice-vat" and match.fallback_language


def test_out_of_scope_question_gets_no_faq() -> None:
    assert demo_index("hotel").answer_faq("who won the champions league", "en") is None
    assert demo_index("novahouse").answer_faq("napisz mi wiersz o kotach", "pl") is None


def test_threshold_is_a_parameter() -> None:
    index = demo_index("hotel")
    assert index.answer_faq("is there parking", "en", threshold=DEFAULT_FAQ_THRESHOLD) is not None
    assert index.answer_faq("is there parking", "en", threshold=1.01) is None


def test_search_returns_every_kind_with_confidence_between_zero_and_one() -> None:
    hits = demo_index("novahouse").search("pakiet premium projekt wnętrza realizacja Wilanów", "pl", k=10)
    assert {"faq", "package", "document"} <= {h.kind for h in hits}
    assert all(0.0 <= h.confidence <= 1.0 for h in hits)
    assert hits == sorted(hits, key=lambda h: h.score * (0.5 + h.confidence), reverse=True)


def test_search_respects_k() -> None:
    assert len(demo_index("hotel").search("room with a view", "en", k=2)) == 2


def test_confidence_is_higher_for_a_close_paraphrase_than_for_a_vague_one() -> None:
    index = demo_index("hotel")
    close = index.answer_faq("what time is check-in", "en", threshold=0)
    vague = index.answer_faq("what time is it in New York", "en", threshold=0)
    assert close is not None and vague is not None
    assert close.confidence > 0.8 > 0.3 > vague.confidence


def test_a_real_word_the_pack_lacks_is_not_repaired_into_a_pack_word() -> None:
    index = demo_index("hotel")
    assert index.search("poland", "en") == []  # not a misspelt "land" (early check-in)
    assert index._query_terms("do you have a nightclub", "en") == ["nightclub"]  # not "night"
    assert index._query_terms("sing me a song", "en") == ["sing", "song"]  # not "single"


def test_another_form_of_a_pack_word_is_still_found() -> None:
    index = demo_index("novahouse")
    assert "trwa" in index._query_terms("jak długo trwał remont", "pl")  # "trwał" is a form of "trwa"
    assert index.search("jak długo trwał remont", "pl", k=1)[0].id == "duration"


def test_a_message_about_something_the_pack_never_mentions_gets_no_faq() -> None:
    assert demo_index("hotel").answer_faq("can you recommend a dentist", "en") is None


def test_check_out_written_as_two_words_is_check_out() -> None:
    match = demo_index("hotel").answer_faq("by when do we have to check out", "en")
    assert match is not None and match.id == "check-out"


def test_the_word_list_loads_only_when_a_message_has_a_word_the_pack_does_not_know() -> None:
    import subprocess
    import sys

    probe = (
        "from shared.domain import text\n"
        "from tests.helpers import demo_index\n"
        "index = demo_index('hotel')\n"
        "index.search('is there parking', 'en')\n"
        "before = text._vocabulary.cache_info().currsize\n"
        "index.search('is there a dentist', 'en')\n"
        "print(before, text._vocabulary.cache_info().currsize)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "1"]


def test_the_word_lists_tell_real_words_and_names_from_typos() -> None:
    from shared.domain.text import is_real_word, word_frequency

    assert is_real_word("dentist", "en") and is_real_word("poland", "en")
    assert is_real_word("wykonczenie", "pl")  # folded like the index folds "wykończenie"
    assert not is_real_word("pasword", "en") and not is_real_word("gwarancjaa", "pl")
    assert (word_frequency("should", "en") or 0) > (word_frequency("dentist", "en") or 0)


def test_gate_features_are_bounded_and_see_a_question_about_a_third_party() -> None:
    index = demo_index("hotel")
    square = index.gate_features("how old is the main square", "en")
    parking = index.gate_features("is there parking", "en")
    assert square["third_party"] == 1.0 and parking["third_party"] == 0.0
    for features in (square, parking):
        assert all(0.0 <= features[name] <= 1.0 for name in ("confidence", "raw_confidence", "topic_coverage", "news_share"))
    assert parking["topic_coverage"] == 1.0 and parking["confidence"] > square["confidence"]
