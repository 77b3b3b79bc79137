"""Lexical retrieval over a tenant's knowledge: BM25 on folded, stemmed, typo-repaired terms.

A pack holds tens to a few hundred short texts, so a plain in-process BM25 is faster to
build (a few ms) and to query than any index library, and needs nothing heavy at import.
Ranking uses BM25; the *confidence* of a hit is a separate, bounded measure of how much
of the question the entry explains (IDF-weighted term overlap with the entry and with
its closest question wording), so one threshold means the same thing for every tenant.

Words the pack does not know are judged against a general word list of the language
(``shared.domain.text.word_frequency``): a typo is repaired onto the pack's vocabulary, but a
real word or a name is "news" — a topic the pack never mentions — weighted by how rare it is,
and it withholds the bonus an entry gets for clearly beating the others. Measured with
``python -m tools.evaluate`` (tune, near-miss and held-out sets; see the README).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

from shared.domain.background import background
from shared.domain.knowledge import FaqEntry, KnowledgePack
from shared.domain.text import FRAME_WORDS, closest_word, content_tokens, question_cues, stem, word_frequency

Kind = Literal["faq", "package", "document"]

DEFAULT_FAQ_THRESHOLD = 0.48  # chosen on tests/eval: both tenants meet accuracy ≥ 90 %, false accepts ≤ 5 %
_K1 = 1.2
_B = 0.5  # FAQ entries differ in length mostly by how many wordings they list, not topic
_ANSWER_WEIGHT = 0.5  # a word only in the answer says less about the question than one in it
_OTHER_LANGUAGE_FACTOR = 0.85
_FRAME_WEIGHT = 0.4
_MARGIN_WEIGHT = 0.5
_MARGIN_CAP = 0.3
_RELATIVE_PREFIX = 4  # letters a real word must share with a pack word to be its other form ...
_RELATIVE_SHARE = 0.6  # ... and this share of the word ("trwał" / "trwa", not "nightclub" / "night")
_MAX_ENDING = 3
_RELATIVE_SCORE = 60.0
_NAME_LETTERS = 5
_SHORT_LETTERS = 3
_SHORT_WEIGHT = 0.6
_NEWS_WEIGHT = 1.0  # no margin bonus once the message is all about things the pack never mentions
# A word unknown to the pack weighs as a rare pack word up to Zipf 4 ("dentist"), falling to 0.3 by
# Zipf 6.1 ("should"); chosen on the tuning sets with the FAQ threshold below.
_COMMON_ZIPF = 7.0
_ZIPF_SPAN = 3.0
_COMMON_WORD_FLOOR = 0.3
# Polish marks aspect with prefixes ("posprzątać" / "sprzątać", "zrobić" / "robić").
_PL_VERB_PREFIXES = ("prze", "przy", "roz", "wy", "za", "po", "na", "do", "od", "u", "z", "s")


@dataclass(frozen=True)
class Hit:
    """One retrieved piece of knowledge."""

    kind: Kind
    id: str
    score: float  # BM25, comparable only within one query
    confidence: float  # in [0, 1]: how much of the question this entry explains
    title: str
    text: str
    lang: str
    intent: str | None = None


@dataclass(frozen=True)
class FaqMatch:
    """A FAQ entry confident enough to answer with."""

    entry: FaqEntry
    confidence: float
    score: float
    fallback_language: bool  # answered from another language's entry

    @property
    def id(self) -> str:
        """The FAQ entry's id."""
        return self.entry.id

    @property
    def answer(self) -> str:
        """The FAQ entry's answer."""
        return self.entry.answer

    @property
    def intent(self) -> str:
        """The FAQ entry's intent."""
        return self.entry.intent


@dataclass
class _Doc:
    kind: Kind
    id: str
    lang: str
    title: str
    text: str
    intent: str | None
    tf: dict[str, float]
    length: float
    question_terms: frozenset[str] = frozenset()
    variants: list[frozenset[str]] = field(default_factory=list)


def _weighted_terms(parts: Iterable[tuple[str, float]], lang: str) -> dict[str, float]:
    counts: dict[str, float] = {}
    for text, weight in parts:
        for token in content_tokens(text, lang):
            term = stem(token, lang)
            counts[term] = counts.get(term, 0.0) + weight
    return counts


class KnowledgeIndex:
    """Searchable view of one knowledge pack; build once per (tenant, knowledge version)."""

    def __init__(self, docs: list[_Doc], languages: list[str]) -> None:
        self._docs = docs
        self._languages = languages
        self._df: Counter[str] = Counter()
        self._surface: dict[str, list[str]] = {lang: [] for lang in languages}
        for doc in docs:
            self._df.update(doc.tf.keys())
        self._avg_length = sum(d.length for d in docs) / len(docs) if docs else 1.0
        self._n = len(docs)
        self._faq: dict[str, FaqEntry] = {}
        self._by_id = {(doc.kind, doc.id): doc for doc in docs}
        self._frame = {lang: frozenset(stem(w, lang) for w in FRAME_WORDS.get(lang, ())) for lang in languages}

    @classmethod
    def build(cls, pack: KnowledgePack) -> KnowledgeIndex:
        """Index every FAQ entry, package and document of ``pack``."""
        docs: list[_Doc] = []
        surface: dict[str, set[str]] = {lang: set() for lang in pack.tenant.languages}
        for entry in pack.faq:
            lang = entry.lang
            parts = [(q, 1.0) for q in entry.questions] + [(entry.answer, _ANSWER_WEIGHT)]
            tf = _weighted_terms(parts, lang)
            variants = [frozenset(stem(t, lang) for t in content_tokens(q, lang)) for q in entry.questions]
            docs.append(
                _Doc(
                    "faq",
                    entry.id,
                    lang,
                    entry.questions[0],
                    entry.answer,
                    entry.intent,
                    dict(tf),
                    sum(tf.values()),
                    frozenset().union(*variants),
                    variants,
                )
            )
            for text, _ in parts:
                surface.setdefault(lang, set()).update(content_tokens(text, lang))
        for package in pack.packages:
            lang = pack.language_of(package)
            head = " ".join([package.name, *package.aliases])
            body = " ".join([package.description, *package.includes])
            tf = _weighted_terms([(head, 2.0), (body, _ANSWER_WEIGHT)], lang)
            names = frozenset(stem(t, lang) for t in content_tokens(head, lang))
            docs.append(
                _Doc(
                    "package",
                    package.id,
                    lang,
                    package.name,
                    f"{package.name}: {body}",
                    None,
                    dict(tf),
                    sum(tf.values()),
                    names,
                    [names],
                )
            )
            surface.setdefault(lang, set()).update(content_tokens(f"{head} {body}", lang))
        for document in pack.documents:
            lang = pack.language_of(document)
            tf = _weighted_terms([(document.title, 1.0), (document.text, _ANSWER_WEIGHT)], lang)
            title_terms = frozenset(stem(t, lang) for t in content_tokens(document.title, lang))
            docs.append(
                _Doc(
                    "document",
                    document.id,
                    lang,
                    document.title,
                    document.text,
                    document.kind,
                    dict(tf),
                    sum(tf.values()),
                    title_terms,
                    [title_terms],
                )
            )
            surface.setdefault(lang, set()).update(content_tokens(f"{document.title} {document.text}", lang))
        index = cls(docs, list(dict.fromkeys([*pack.tenant.languages, *surface])))
        index._surface = {lang: sorted(words) for lang, words in surface.items()}
        index._faq = {entry.id: entry for entry in pack.faq}
        return index

    def faq_entry(self, faq_id: str) -> FaqEntry | None:
        """The indexed FAQ entry with this id, if any."""
        return self._faq.get(faq_id)

    def faq_entries(self) -> list[FaqEntry]:
        """Every indexed FAQ entry, in pack order."""
        return list(self._faq.values())

    def __len__(self) -> int:
        return len(self._docs)

    # ------------------------------------------------------------------ query side

    def _idf(self, term: str) -> float:
        df = self._df.get(term, 0)
        return math.log(1.0 + (self._n - df + 0.5) / (df + 0.5))

    def _query_terms(self, query: str, lang: str) -> list[str]:
        """Stemmed query terms in ``lang``, misspellings mapped onto the index's vocabulary."""
        return self._analyse(query, lang)[0]

    def _analyse(self, query: str, lang: str) -> tuple[list[str], dict[str, float]]:
        """The query's terms, and those that are real words the pack never uses ("dentist"), with their frequency."""
        terms: list[str] = []
        news: dict[str, float] = {}
        for token in content_tokens(query, lang):
            term = stem(token, lang)
            if token.isdigit():
                continue  # quantities are the quote tool's business, not a topic
            if term not in self._df:
                term = self._repair(token, term, lang)
                if term not in self._df:
                    zipf = word_frequency(token, lang)
                    if zipf is not None:
                        news[term] = zipf
                    elif len(token) >= _NAME_LETTERS and token.isalpha():
                        news[term] = 0.0  # too rare for the word list and no typo of a pack word: a name
            if term not in terms:
                terms.append(term)
        return terms, news

    def _weights(self, terms: list[str], news: dict[str, float], lang: str) -> dict[str, float]:
        """How much each query term says about the topic: IDF in the pack, framing words less.

        A real word the pack never uses has no IDF of its own; how rare it is in the language
        stands in for it: "dentist" names a topic, "should" or "exactly" hardly do.
        """
        frame = self._frame.get(lang, frozenset())
        weights = {}
        for term in terms:
            weight = self._idf(term) * (_FRAME_WEIGHT if term in frame else 1.0)
            if term in news:
                weight *= min(1.0, max(_COMMON_WORD_FLOOR, (_COMMON_ZIPF - news[term]) / _ZIPF_SPAN))
            elif term not in self._df and len(term) <= _SHORT_LETTERS:
                weight *= _SHORT_WEIGHT  # "pol", "tel", "uk": too short to name a topic the pack lacks
            weights[term] = weight
        return weights

    def _news_share(self, query: str, lang: str) -> float:
        """How much of the query is about things the pack never mentions (real words it lacks)."""
        terms, news = self._analyse(query, lang)
        weights = self._weights(terms, news, lang)
        total = sum(weights.values())
        return sum(weights[t] for t in news) / total if total else 0.0

    def _repair(self, token: str, term: str, lang: str) -> str:
        # Inflections the stemmer leaves apart ("kosztow" / "koszt") share a long prefix; a real word
        # loses an ending, not half of itself ("nightclub" is not "night").
        real = word_frequency(token, lang) is not None
        if len(term) >= 6:
            shortest = max(4, len(term) - _MAX_ENDING) if real else 4
            for known in (term[:cut] for cut in range(len(term) - 1, shortest, -1)):
                if known in self._df:
                    return known
        # A stem cut shorter than the indexed one ("zajm" / "zajmuj"): take the shortest extension.
        # ... but a short real word is itself, not a cut stem ("sing" is not "single").
        if len(term) >= 4 and (len(token) >= 6 or not real):
            longer = [known for known in self._df if known.startswith(term) and len(known) - len(term) <= 3]
            if longer:
                return min(longer, key=lambda known: (len(known), known))
        if lang == "pl":
            for prefix in _PL_VERB_PREFIXES:
                if term.startswith(prefix) and len(term) - len(prefix) >= 5 and term[len(prefix) :] in self._df:
                    return term[len(prefix) :]
        vocabulary = self._surface.get(lang, [])
        if real:
            if len(token) <= _RELATIVE_PREFIX:
                return term
            # A real word or a name the pack lacks is news, not a misspelt pack word ("poland" is
            # not "land"); it may still be another form of a pack word ("zaprojektujecie" /
            # "zaprojektować"), which shares the word's beginning.
            head = token[: max(_RELATIVE_PREFIX, math.ceil(_RELATIVE_SHARE * len(token)))]
            vocabulary = [word for word in vocabulary if word.startswith(head)]
            nearest = closest_word(token, vocabulary, min_score=_RELATIVE_SCORE)
            return stem(nearest, lang) if nearest is not None else term
        nearest = closest_word(token, vocabulary)
        return stem(nearest, lang) if nearest is not None else term

    def _bm25(self, doc: _Doc, terms: list[str]) -> float:
        score = 0.0
        norm = _K1 * (1 - _B + _B * doc.length / self._avg_length)
        for term in terms:
            tf = doc.tf.get(term)
            if tf:
                score += self._idf(term) * tf * (_K1 + 1) / (tf + norm)
        return score

    def _confidence(self, doc: _Doc, terms: list[str], weights: dict[str, float]) -> float:
        if not terms:
            return 0.0
        frame = self._frame.get(doc.lang, frozenset())
        total = sum(weights.values())
        # Share of the question the entry explains; answer-only words count for less.
        covered = sum(w if t in doc.question_terms else (_ANSWER_WEIGHT * w if t in doc.tf else 0.0) for t, w in weights.items())
        coverage = covered / total
        topic = {t: w for t, w in weights.items() if t not in frame}
        topic_total = sum(topic.values())
        topic_covered = sum(w for t, w in topic.items() if t in doc.tf)
        if topic_covered == 0:
            # Only framing words matched ("what is 2+2" vs "what are your prices"): no topic in common.
            coverage *= 0.3
        elif topic_total:
            # An entry that explains under half of the message's topic words ("tax" of "help with my
            # tax return") is answering a different question.
            coverage *= min(1.0, 0.5 + topic_covered / topic_total)
        # Closest wording: overlap relative to both the question and that wording (Dice).
        best_dice = 0.0
        for variant in doc.variants:
            if not variant:
                continue
            shared = sum(w for t, w in weights.items() if t in variant)
            variant_mass = sum(self._idf(t) * (_FRAME_WEIGHT if t in frame else 1.0) for t in variant)
            best_dice = max(best_dice, 2 * shared / (total + variant_mass))
        return max(0.0, min(1.0, 0.6 * coverage + 0.4 * best_dice))

    def _rank(self, query: str, language: str, kinds: tuple[Kind, ...], *, margin: bool = True) -> list[Hit]:
        analysed = {lang: self._analyse(query, lang) for lang in self._languages}
        weights_by_lang = {lang: self._weights(*analysed[lang], lang) for lang in self._languages}
        hits = []
        for doc in self._docs:
            if doc.kind not in kinds:
                continue
            if doc.lang not in analysed:
                analysed[doc.lang] = self._analyse(query, doc.lang)
                weights_by_lang[doc.lang] = self._weights(*analysed[doc.lang], doc.lang)
            terms = analysed[doc.lang][0]
            score = self._bm25(doc, terms)
            if score <= 0:
                continue
            confidence = self._confidence(doc, terms, weights_by_lang[doc.lang])
            if doc.lang != language:
                score *= _OTHER_LANGUAGE_FACTOR
            hits.append(Hit(doc.kind, doc.id, score, confidence, doc.title, doc.text, doc.lang, doc.intent))
        hits.sort(key=lambda h: (h.confidence, h.score), reverse=True)
        return self._with_margin(hits, self._news_share(query, language)) if margin else hits

    @staticmethod
    def _with_margin(hits: list[Hit], news: float = 0.0) -> list[Hit]:
        # An entry that clearly beats every other topic is more likely right than one tied
        # with a different intent; out-of-scope messages tend to touch several topics weakly.
        # Beating the pack's other entries says nothing, though, when the message is about a
        # thing the pack never mentions ("recommend a dentist"): the bonus shrinks with that share.
        if not hits:
            return hits
        best = hits[0]
        rival = next((h.confidence for h in hits[1:] if (h.intent, h.kind) != (best.intent, best.kind)), 0.0)
        bonus = _MARGIN_WEIGHT * min(best.confidence - rival, _MARGIN_CAP) * max(0.0, 1.0 - _NEWS_WEIGHT * news)
        boosted = replace(best, confidence=min(1.0, best.confidence + bonus))
        return [boosted, *hits[1:]]

    def search(self, query: str, language: str, k: int = 5) -> list[Hit]:
        """The ``k`` most relevant FAQ entries, packages and documents, best first."""
        hits = self._rank(query, language, ("faq", "package", "document"))
        hits.sort(key=lambda h: h.score * (0.5 + h.confidence), reverse=True)
        return hits[:k]

    def gate_features(self, query: str, language: str, kinds: tuple[Kind, ...] = ("faq",)) -> dict[str, float]:
        """What the answerability gate (``shared.domain.answer_gate``) weighs for the best candidate of ``kinds``.

        All bounded and cheap: the candidate's confidence with and without the margin bonus, its
        margin over the best entry of another intent, how much of the message's topic the candidate's
        text covers, how much of the message is about words the pack never uses (and how rare they
        are, and how many look like names), question-type cues (about the bot itself, about third
        parties, from someone who is not a guest), the message's length, and how closely it resembles a
        generic off-topic message no business answers (``shared.domain.background``).
        """
        terms, news = self._analyse(query, language)
        weights = self._weights(terms, news, language)
        total = sum(weights.values())
        ranked = self._rank(query, language, kinds, margin=False)
        pool = [h for h in ranked if h.lang == language] or ranked
        cues = question_cues(query, language)
        features = {
            "confidence": 0.0,
            "raw_confidence": 0.0,
            "margin": 0.0,
            "topic_coverage": 0.0,
            "question_coverage": 0.0,
            "news_share": sum(weights[t] for t in news) / total if total else 0.0,
            "rare_news": sum(min(1.0, max(0.0, (_COMMON_ZIPF - 2.0 - zipf) / _ZIPF_SPAN)) for zipf in news.values()),
            "names": float(sum(1 for zipf in news.values() if zipf == 0.0)),
            "unknown_share": sum(1 for t in terms if t not in self._df) / len(terms) if terms else 1.0,
            "about_bot": float(cues["about_bot"]),
            "third_party": float(cues["third_party"]),
            "not_a_guest": float(cues["not_a_guest"]),
            "length": math.log1p(len(terms)),
            "background": background(language).similarity(query),
        }
        if not pool or not total:
            return features
        best = pool[0]
        doc = self._by_id[(best.kind, best.id)]
        frame = self._frame.get(language, frozenset())
        topic = {t: w for t, w in weights.items() if t not in frame}
        rival = next((h.confidence for h in pool[1:] if (h.intent, h.kind) != (best.intent, best.kind)), 0.0)
        features.update(
            confidence=self._with_margin(pool, features["news_share"])[0].confidence,
            raw_confidence=best.confidence,
            margin=best.confidence - rival,
            topic_coverage=sum(w for t, w in topic.items() if t in doc.tf) / sum(topic.values()) if topic else 0.0,
            question_coverage=sum(w for t, w in weights.items() if t in doc.question_terms) / total,
        )
        return features

    def answer_faq(self, query: str, language: str, threshold: float = DEFAULT_FAQ_THRESHOLD) -> FaqMatch | None:
        """The best FAQ entry when its confidence reaches ``threshold``, preferring the guest's language."""
        hits = self._rank(query, language, ("faq",))
        if not hits:
            return None
        ranked = self._rank(query, language, ("faq",), margin=False)
        own = self._with_margin([h for h in ranked if h.lang == language], self._news_share(query, language))
        for pool, fallback in ((own, False), (hits, True)):
            if pool and pool[0].confidence >= threshold:
                best = pool[0]
                return FaqMatch(self._faq[best.id], round(best.confidence, 4), best.score, fallback and best.lang != language)
        return None
