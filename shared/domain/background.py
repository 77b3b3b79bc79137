"""The background: generic off-topic messages people type into any business's chat widget.

A message about the weather, a phone's price or the distance between two cities can share a word or
two with a tenant's FAQ; how closely it resembles something *nobody's* FAQ answers is evidence the
lexical match is a coincidence. ``background/<language>.txt`` holds a few hundred such messages per
language, written for no tenant and no evaluation set. ``similarity`` is the weighted overlap (Dice)
of a message with its closest background message, words weighted by how rare they are in the
language; the answerability gate (``shared.domain.answer_gate``) weighs it with the other features.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from shared.domain.text import FRAME_WORDS, content_tokens, stem, word_frequency

BACKGROUND_DIR = Path(__file__).resolve().parent / "background"

_COMMON_ZIPF = 7.0  # a word as common as "the" says nothing about the topic ...
_ZIPF_SPAN = 3.0  # ... one at Zipf 4 ("dentist") or rarer weighs fully
_FLOOR = 0.3
_FRAME_WEIGHT = 0.4


def _weights(text: str, language: str) -> dict[str, float]:
    frame = FRAME_WORDS.get(language, frozenset())
    weights: dict[str, float] = {}
    for token in content_tokens(text, language):
        if token.isdigit():
            continue
        zipf = word_frequency(token, language)
        weight = 1.0 if zipf is None else min(1.0, max(_FLOOR, (_COMMON_ZIPF - zipf) / _ZIPF_SPAN))
        if token in frame:
            weight *= _FRAME_WEIGHT
        term = stem(token, language)
        weights[term] = max(weights.get(term, 0.0), weight)
    return weights


@dataclass(frozen=True)
class Background:
    """Background messages of one language, as weighted term sets with an inverted index."""

    messages: tuple[dict[str, float], ...]
    masses: tuple[float, ...]
    postings: dict[str, tuple[int, ...]]
    language: str

    @classmethod
    def of(cls, lines: Iterable[str], language: str) -> Background:
        """Index these messages (blank lines and ``#`` comments skipped)."""
        texts = (line for line in lines if line.strip() and not line.startswith("#"))
        messages = tuple(weights for weights in (_weights(text, language) for text in texts) if weights)
        postings: dict[str, list[int]] = {}
        for number, message in enumerate(messages):
            for term in message:
                postings.setdefault(term, []).append(number)
        masses = tuple(sum(m.values()) for m in messages)
        return cls(messages, masses, {t: tuple(n) for t, n in postings.items()}, language)

    def similarity(self, text: str) -> float:
        """Weighted Dice overlap of ``text`` with its closest background message, in [0, 1]."""
        query = _weights(text, self.language)
        mass = sum(query.values())
        if not mass:
            return 0.0
        shared: dict[int, float] = {}
        for term, weight in query.items():
            for number in self.postings.get(term, ()):
                shared[number] = shared.get(number, 0.0) + weight + self.messages[number][term]
        return max((overlap / (mass + self.masses[n]) for n, overlap in shared.items()), default=0.0)


@cache
def background(language: str) -> Background:
    """The committed background of ``language`` (empty when there is none), read on first use."""
    path = BACKGROUND_DIR / f"{language}.txt"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return Background.of(lines, language)
