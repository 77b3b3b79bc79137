"""Text normalisation for retrieval: case and diacritic folding, tokens, stems, typo repair.

Snowball (``snowballstemmer`` ≥ 3.0) stems both Polish and English in pure Python and
imports in ~50 ms with a few MB of memory; the Polish lemmatisers we measured
(``simplemma``, ``pystempel``) each took ~8 s and 190-430 MB to load their
dictionaries, far beyond a cold start, for no accuracy gain on our evaluation sets.
The stemmer and ``rapidfuzz`` are imported on first use so importing this module is cheap.
"""

from __future__ import annotations

import gzip
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Protocol

# ł does not decompose under NFKD, so it is mapped by hand; the rest fall out of NFKD.
_HAND_FOLD = str.maketrans({"ł": "l", "Ł": "l", "ß": "ss", "æ": "ae", "ø": "o", "đ": "d"})
_TOKEN = re.compile(r"[^\W_]+")
# "check-in", "wi-fi", "e-mail" are written with and without the hyphen; join them.
_HYPHENATED = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")
# ... and "check in" / "check out" as two words, which would otherwise leave a bare "check".
_CHECK_IN_OUT = re.compile(r"\bcheck\s+(in|out)\b")

_SNOWBALL_NAMES = {
    "pl": "polish",
    "en": "english",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "it": "italian",
    "cs": "czech",
    "ru": "russian",
    "nl": "dutch",
    "pt": "portuguese",
    "sv": "swedish",
    "lt": "lithuanian",
}


def words_of(text: str) -> frozenset[str]:
    """The whitespace-separated words of a word-list literal."""
    return frozenset(text.split())


# Folded function words: they carry no topic, and counting them would let any chatty
# message look like a match. Question words that decide the topic ("ile", "kiedy",
# "how long") are kept out of this list on purpose.
STOPWORDS: dict[str, frozenset[str]] = {
    "pl": words_of(
        """a aby ale albo bo by byc bym bys chce chcialbym chcialabym chcialem chcemy co czy dla do go i ich im
        ja jak jaka jaki jakie jakis jej jest jestem jestescie ja jego juz ma macie mam mamy mi mnie moj
        moja moge mozna moze mozecie mu my na nad nam nas nasz nasze nie nim no o od oraz po pod prosze
        przez przy sa sie so ta tak takze tam te tego tej ten to tu ty u w we wam was wy z za ze zeby lub
        tez jeszcze czyli wiec bardzo pan pani panstwo hej czesc dzien dobry witam dziekuje dzieki moglbym
        moglabym mozna mogli chcialbym prosze ok okej oki tez ktory ktora ktore da cos ktos taki takie
        takiej taka moje mojej moim mojego twoj tym tych jesli jezeli gdy pytanie pytanko info hmm hej halo
        jakies jakas jakiegos jakichs"""
    ),
    "en": words_of(
        """a an and are as at be been but by can could do does did for from have has had hi hello hey i if in
        into is it its me my of on or our please so that the their them there these they this to us was we
        were will with would you your yours i'm im am any some just also too ok okay thanks thank there's
        what's which who whom whose about tell know let like want wanted need get got any chance possible
        pls plz some that's hmm hiya question out up off being"""
    ),
}

# Words that frame a question rather than name its topic ("ile kosztuje ...", "what time
# ..."): they count for less when judging whether an entry explains a message, so that
# "ile kosztuje iphone" is not taken for a question about the price list.
FRAME_WORDS: dict[str, frozenset[str]] = {
    "pl": words_of(
        """ile koszt kosztuje kosztuja kosztow kosztowac cena ceny cene kiedy gdzie dlugo czas robicie macie
        oferujecie dajecie potrzebuje trzeba kto firma wasz wasza wasze waszych was wami mozliwe mozliwosc
        informacja informacje"""
    ),
    "en": words_of(
        """how much what when where why time cost costs price prices offer offers do does have your you there
        available info information way"""
    ),
}


def phrases_of(text: str) -> tuple[str, ...]:
    """The comma-separated phrases of a phrase-list literal."""
    return tuple(p.strip() for p in text.split(",") if p.strip())


# Phrases that ask about something other than the business: the bot itself ("do you like your job")
# or a third party ("how old is the main square", "ile mieszkańców ma Kraków"), or come from someone who is
# not a guest (job applications, partnership and sales offers). Folded; matched on
# whole words ("ulubion*": any ending). A signal for the answerability gate, weighed with the others.
QUESTION_CUES: dict[str, dict[str, tuple[str, ...]]] = {
    "about_bot": {
        "pl": phrases_of(
            """jak masz na imie, jak sie nazywasz, lubisz, jestes, twoja, twoje, twoj, twoim, zart, kawal, wiersz,
            myslisz, sadzisz, ulubion*, ile masz lat, masz lat, mieszkasz, czujesz, pogadaj, zaspiewaj, piosenk*,
            nudze sie, smiesznego, zonaty, zonata, dziewczyn*, chlopak*, znasz, wiesz cos"""
        ),
        "en": phrases_of(
            """your name, do you like, you like, are you, how are you, your favourite, your favorite, do you think,
            joke, poem, tell me about yourself, you feel, how old are you, are you single, are you married,
            your real name, do you ever, were you born, ur funny, you funny, entertain me, knock knock, im bored, i m bored,
            i am bored, sing, girlfriend, boyfriend, something funny, something interesting"""
        ),
    },
    "third_party": {
        "pl": phrases_of(
            """ile lat ma, ile mieszkancow, kto zaprojektowal, kto zbudowal, kto wygral, kto jest, najblizszy,
            najblizsza, najblizsze, numer telefonu do, stolica, historia, ile kilometrow, jak daleko, kiedy zbudowano,
            kiedy powstal*, godziny otwarcia, otwieraja, zamykaja, ile ludzi, ile osob mieszka, urzad*, pogotowie, urzed*,
            za ile sprzedam, sprzedac, hektar, dzialki, najmu, kredytu hipotecznego, uzywan*,
            z czego, kto wynalazl, okres wypowiedzenia, zeznanie podatkowe"""
        ),
        "en": phrases_of(
            """how old, population, who built, who designed, who won, who is, nearest, closest, capital of,
            history of, phone number of, number for the, how far is, when was, built, what time does the,
            opening hours of, how many people, which bus, last tram, who was, what year, to buy, monthly rent,
            rent for a, used car, plot of land, boiling point, in prague, my bank, my flight, subscription"""
        ),
    },
    "not_a_guest": {
        "pl": phrases_of(
            """szukam pracy, pracy jako, prace jako, zatrudniacie, zatrudnicie, rekrutac*, praktykant*, praktyki,
            staz, stazu, cv, podwykonawca, nawiazac wspolprace, wspolprace jako, wspolpraca z, jestem elektrykiem,
            jestem hydraulikiem, jestem projektantem, hurtownia, jako dostawca"""
        ),
        "en": phrases_of(
            """hiring, apply for, a job, job as, jobs, interns, internship, partnership, commission, in exchange for,
            purchasing manager, we sell, we are a, influencer, cv, resume, subcontract*"""
        ),
    },
}


@lru_cache(maxsize=4096)
def question_cues(text: str, language: str) -> dict[str, bool]:
    """Which question-type cues (``QUESTION_CUES``) a message shows, in its language and in English."""
    folded = " " + " ".join(tokenize(text)) + " "
    found = {}
    for cue, phrases in QUESTION_CUES.items():
        candidates = phrases.get(language, ()) + (phrases["en"] if language != "en" else ())
        found[cue] = any(f" {p[:-1]}" in folded if p.endswith("*") else f" {p} " in folded for p in candidates)
    return found


class _Stemmer(Protocol):
    def stemWord(self, word: str) -> str: ...  # the library's (camel-case) name


def fold(text: str) -> str:
    """Lower-case and strip diacritics ("Łazienkę" → "lazienke", "m²" → "m2")."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_HAND_FOLD).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokenize(text: str) -> list[str]:
    """Folded word tokens of ``text`` (letters and digits of any script)."""
    return _TOKEN.findall(_CHECK_IN_OUT.sub(r"check\1", _HYPHENATED.sub("", fold(text))))


# Snowball stemmer objects keep per-word state: one per thread, since an instance serves
# concurrent requests (the benchmark caught two threads corrupting a shared one).
_stemmers = threading.local()


def _stemmer(language: str) -> _Stemmer | None:
    name = _SNOWBALL_NAMES.get(language)
    if name is None:
        return None
    cache: dict[str, _Stemmer] = _stemmers.__dict__.setdefault("by_language", {})
    if language not in cache:
        import snowballstemmer  # type: ignore[import-untyped]  # lazy: cold starts that never stem skip it

        cache[language] = snowballstemmer.stemmer(name)
    return cache[language]


@lru_cache(maxsize=65536)
def stem(token: str, language: str) -> str:
    """Stem one folded token with the language's Snowball stemmer (identity if unsupported)."""
    if token.isdigit() or len(token) <= 3:
        return token
    stemmer = _stemmer(language)
    return stemmer.stemWord(token) if stemmer is not None else token


def is_stopword(token: str, language: str) -> bool:
    """Whether a folded token is a function word in ``language``."""
    return token in STOPWORDS.get(language, frozenset())


def content_tokens(text: str, language: str) -> list[str]:
    """Folded tokens of ``text`` without the language's function words."""
    return [t for t in tokenize(text) if not is_stopword(t, language)]


def analyze(text: str, language: str) -> list[str]:
    """Index terms: folded, function words dropped, stemmed for ``language``."""
    return [stem(t, language) for t in content_tokens(text, language)]


# General vocabularies (tools/wordlists.py builds them from wordfreq): a word found there is a real
# word, or a name, and typo repair must leave it alone ("poland" is not a misspelt "land").
WORDLIST_DIR = Path(__file__).resolve().parent / "wordlists"
WORDLIST_LANGUAGES = ("pl", "en")


@cache
def _vocabulary(language: str) -> dict[str, float]:
    path = WORDLIST_DIR / f"{language}.txt.gz"
    if not path.exists():
        return {}
    # Loaded on the first word the pack does not know, never at import: cold starts skip it.
    # One line per frequency band: "zipf word word ...".
    words: dict[str, float] = {}
    for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines():
        zipf, *band = line.split()
        words.update(dict.fromkeys(band, float(zipf)))
    return words


def word_frequency(token: str, language: str) -> float | None:
    """A folded token's Zipf frequency in general use (3 ≈ once per million words); None if not a word."""
    return _vocabulary(language).get(token)


def is_real_word(token: str, language: str) -> bool:
    """Whether a folded token is a word of the language (or a name) in general use, not a typo."""
    return token in _vocabulary(language)


def closest_word(word: str, vocabulary: Sequence[str], *, min_score: float | None = None) -> str | None:
    """The vocabulary word nearest to a misspelt ``word``, or None when nothing is close enough."""
    if len(word) < 4 or not vocabulary:
        return None
    from rapidfuzz import fuzz, process  # lazy: only misspelt queries pay for it

    # Short words have little room for error: one typo in four letters is 25 %.
    cutoff = min_score if min_score is not None else (86.0 if len(word) <= 5 else 80.0)
    found: Any = process.extractOne(word, vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff)
    return str(found[0]) if found is not None else None


def unique(items: Iterable[str]) -> list[str]:
    """Items in first-seen order without repeats."""
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)
