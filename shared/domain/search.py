"""Search terms: what a conversation can be found by, as one bounded array Firestore can query.

A conversation document keeps ``search_terms``: folded tokens of the guest's words (and their
prefixes, so "lazien" finds "łazienka"), plus the lead's name, e-mail and phone. One
``array-contains`` query then finds conversations by a word, scoped to the tenant's collection and
ordered by activity. The array is capped: every element is an index entry (Firestore allows 40,000
per document and 7.5 KiB per entry), and the guest reads this document live, so it must stay small.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from shared.domain.text import tokenize

MAX_TERMS = 400  # elements in the array; ~5 KB at most, far below Firestore's limits
MAX_TERM_CHARS = 20  # longer words are indexed (and searched) by their first 20 letters
MIN_PREFIX = 3  # "laz" finds "lazienka"; shorter prefixes would match almost everything
MIN_WORD = 2  # whole words from two characters ("m2", "wc")
MAX_QUERY_CHARS = 100
PHONE_TAIL = 9  # a Polish number without its country code
_PHONE_LIKE = re.compile(r"^\+?[\d\s().-]{7,25}$")


def word_terms(word: str) -> list[str]:
    """A folded word and its prefixes from MIN_PREFIX letters (each at most MAX_TERM_CHARS)."""
    word = word[:MAX_TERM_CHARS]
    if len(word) < MIN_WORD:
        return []
    return [word[:n] for n in range(MIN_PREFIX, len(word))] + [word]


def text_terms(text: str) -> list[str]:
    """Every term a guest's message adds: its folded words and their prefixes, in order, without repeats."""
    terms: dict[str, None] = {}
    for word in tokenize(text):
        for term in word_terms(word):
            terms.setdefault(term, None)
    return list(terms)


def phone_terms(phone: str) -> list[str]:
    """A phone number as searched: all its digits, and its last nine (typed without the country code)."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 7:
        return []
    return list(dict.fromkeys([digits[-MAX_TERM_CHARS:], digits[-PHONE_TAIL:]]))


def contact_terms(name: str | None, email: str | None, phone: str | None) -> list[str]:
    """The lead's name, e-mail (its parts) and phone as terms."""
    terms: list[str] = []
    for text in (name, email):
        if text:
            terms += text_terms(text)
    if phone:
        terms += phone_terms(phone)
    return list(dict.fromkeys(terms))


def merged_terms(current: Iterable[str], new: Iterable[str], *, first: bool = False) -> list[str]:
    """``current`` with ``new`` added (in front when ``first``, e.g. the lead), without repeats, capped.

    When full, the newest message terms are the ones left out: a conversation is remembered by
    what it began with and by who the guest is.
    """
    ordered = [*new, *current] if first else [*current, *new]
    return list(dict.fromkeys(ordered))[:MAX_TERMS]


def query_terms(query: str) -> list[str]:
    """The terms a search query must all match: a phone-like query is one number, otherwise its folded words."""
    text = query.strip()[:MAX_QUERY_CHARS]
    if _PHONE_LIKE.fullmatch(text) and sum(c.isdigit() for c in text) >= 7:
        digits = re.sub(r"\D", "", text)
        return [digits[-PHONE_TAIL:]] if len(digits) > PHONE_TAIL else [digits]
    words = [_inflected(w[:MAX_TERM_CHARS]) for w in tokenize(text)]
    return list(dict.fromkeys(w for w in words if len(w) >= MIN_WORD))


def _inflected(word: str) -> str:
    """A longer word without its last letter, so "łazienka" also finds "łazienkę" and "łazienki" (Polish endings)."""
    return word[:-1] if len(word) >= 6 and word.isalpha() else word


def key_term(terms: list[str]) -> str:
    """The term to query by: the longest (likely the rarest); the others are checked in memory."""
    return max(terms, key=len)


def matches_all(terms: Iterable[str], indexed: Iterable[str]) -> bool:
    """Whether every query term is among a conversation's search terms."""
    have = set(indexed)
    return all(term in have for term in terms)
