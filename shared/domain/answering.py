"""What the knowledge alone can answer: a computed quote, a confident FAQ, or nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from shared.domain.answer_gate import AnswerGate, default_gate
from shared.domain.assistant import Passage
from shared.domain.knowledge import FaqEntry, KnowledgePack, Package
from shared.domain.quotes import (
    Quote,
    QuoteRequest,
    compute_quotes,
    extract_quote_request,
    format_quote,
    format_unit_quantity,
    unit_price_label,
)
from shared.domain.retrieval import DEFAULT_FAQ_THRESHOLD, Kind, KnowledgeIndex
from shared.domain.text import content_tokens, question_cues, unique

Source = Literal["tool", "faq", "none"]

_MAX_PASSAGES = 4
_ALL: tuple[Kind, ...] = ("faq", "package", "document")
_MAX_SUGGESTIONS = 3
_PACKAGE_ONLY_MAX_WORDS = 4  # "pakiet premium?" asks about the package; longer texts go to the FAQ
_PASSAGE_MIN_CONFIDENCE = 0.15  # for suggestions only: they are offered, not asserted
# Below this relevance no passage goes to the model and the guest hears an honest "I don't know".
# Calibrated with ``python -m tools.evaluate --calibrate`` on the TUNING sets only (the lowest floor
# at which ≤ 5 % of out-of-scope questions still reach a passage); held-out sets only report it.
RELEVANCE_FLOOR = 0.47

DONT_KNOW = {
    "pl": "Tego niestety nie wiem — czy przekazać Cię do konsultanta?",
    "en": "I don't know that — shall I pass you to a person?",
}
_PART_UNKNOWN = {
    "pl": "Na pytanie „{part}” nie znam odpowiedzi — mogę przekazać je konsultantowi.",
    "en": "I can't answer “{part}” — I can pass that question to a person.",
}
_OTHER_LANGUAGE = {
    "pl": "(Tę odpowiedź mamy tylko w innym języku:)",
    "en": "(We only have this answer in another language:)",
}
_MIN_PART_WORDS = 2  # "ok?" is not a question of its own


@dataclass(frozen=True)
class KnowledgeAnswer:
    """The knowledge-only decision for one guest message."""

    source: Source
    text: str  # the reply, in the guest's language; empty when source is "none"
    intent: str | None = None
    faq_id: str | None = None
    package_ids: list[str] = field(default_factory=list)
    confidence: float = 0.0
    passages: list[Passage] = field(default_factory=list)  # for the model when source is "none"
    suggestions: list[str] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)  # totals the reply states; the only amounts it may add
    used: list[str] = field(default_factory=list)  # FAQ, package and document ids the reply rests on

    @property
    def declined(self) -> bool:
        """Nothing in the knowledge is relevant enough: the guest gets an honest "I don't know"."""
        return self.source == "none" and not self.passages


def dont_know(language: str) -> str:
    """The honest reply when the knowledge has nothing relevant, offering a person."""
    return DONT_KNOW.get(language, DONT_KNOW["en"])


def _pl(language: str) -> bool:
    return language == "pl"


def _unit_question(package: Package, language: str) -> str:
    if package.quote_unit == "m2":
        return (
            "Podaj metraż mieszkania, a policzę łączny koszt."
            if _pl(language)
            else "Tell me the area in m² and I'll work out the total."
        )
    return "Na ile nocy? Policzę łączną cenę." if _pl(language) else "For how many nights? I'll work out the total."


def _package_label(package: Package, language: str) -> str:
    if package.quote_unit == "m2":
        return f"Pakiet {package.name}" if _pl(language) else f"The {package.name} package"
    return f"{package.name}"


def _price_text(package: Package, language: str) -> str:
    label = _package_label(package, language)
    price = unit_price_label(package, language)
    if _pl(language):
        return f"{label} kosztuje {price}. {_unit_question(package, language)}"
    return f"{label} costs {price}. {_unit_question(package, language)}"


def _duration_text(package: Package, language: str, request: QuoteRequest | None = None) -> str:
    label = _package_label(package, language)
    if package.duration_weeks is None:
        return _describe(package, language)
    weeks = package.duration_weeks
    if request is not None and request.quantity is not None and request.unit == package.quote_unit:
        # The guest gave an area: speak about that area, never a default one.
        qty = format_unit_quantity(request.quantity, request.unit, language)
        if _pl(language):
            return (
                f"{label} dla {qty}: typowo kilka tygodni (ok. {weeks} tyg. dla mieszkania ok. 60 m²); "
                f"dokładny termin dla {qty} podamy po bezpłatnym pomiarze i wpiszemy do umowy."
            )
        return (
            f"{label} for {qty}: typically a few weeks (about {weeks} for a ~60 m² apartment); "
            f"we give the exact time for {qty} after a free measurement visit and put it in the contract."
        )
    if _pl(language):
        few = weeks % 10 in (2, 3, 4) and weeks % 100 not in (12, 13, 14)
        word = "tydzień" if weeks == 1 else ("tygodnie" if few else "tygodni")
        return (
            f"{label} realizujemy zwykle w ok. {weeks} {word} (dla mieszkania ok. 60 m²); "
            f"cena: {unit_price_label(package, language)}. Dokładny termin wpisujemy do umowy."
        )
    return (
        f"{label} usually takes about {weeks} week{'s' if weeks != 1 else ''} for a ~60 m² apartment; "
        f"price: {unit_price_label(package, language)}. The exact completion date goes into the contract."
    )


def _describe(package: Package, language: str) -> str:
    label = _package_label(package, language)
    parts = [f"{label} — {unit_price_label(package, language)}."]
    if package.description:
        parts.append(package.description.strip())
    if package.includes:
        head = "W cenie" if _pl(language) else "Included"
        parts.append(f"{head}: " + "; ".join(package.includes) + ".")
    if package.duration_weeks and package.quote_unit == "m2":
        parts.append(
            f"Czas realizacji: ok. {package.duration_weeks} tyg."
            if _pl(language)
            else f"Typical duration: about {package.duration_weeks} weeks."
        )
    parts.append(_unit_question(package, language))
    return " ".join(parts)


_QUOTE_NOTES = {
    ("m2", "pl"): "To cena orientacyjna z cennika; wiążący kosztorys przygotujemy po bezpłatnym pomiarze.",
    ("m2", "en"): "This is an estimate from the price list; the binding quote follows a free measurement visit.",
    ("night", "pl"): "Cena pobytu według cennika; dostępność potwierdzi recepcja.",
    ("night", "en"): "Price for the stay from our rate card; reception will confirm availability.",
}


def _quote_text(quotes: list[Quote], request: QuoteRequest, language: str) -> str:
    lines = [format_quote(q, language) for q in quotes]
    if len(quotes) == 1:
        note = _QUOTE_NOTES[(quotes[0].unit, "pl" if _pl(language) else "en")]
        return f"{lines[0]}. {note}"
    assert request.quantity is not None and request.unit is not None
    qty = format_unit_quantity(request.quantity, request.unit, language)
    head = f"Dla {qty}:" if _pl(language) else f"For {qty}:"
    return head + "\n" + "\n".join(f"• {line}" for line in lines)


def _in_language(entry: FaqEntry, language: str, index: KnowledgeIndex) -> FaqEntry:
    """The same-intent entry in the guest's language, when the pack has one."""
    if entry.lang == language:
        return entry
    twin = next((e for e in index.faq_entries() if e.intent == entry.intent and e.lang == language), None)
    return twin or entry


def _suggestions(
    index: KnowledgeIndex, language: str, *, matched: FaqEntry | None, message: str, intent: str | None
) -> list[str]:
    chosen: list[FaqEntry] = []
    if matched is not None:
        for ref in matched.related:
            related = index.faq_entry(ref)
            if related is not None:
                chosen.append(_in_language(related, language, index))
    if intent is not None and not chosen:
        anchor = next((e for e in index.faq_entries() if e.intent == intent and e.lang == language), None)
        if anchor is not None:
            chosen += [_in_language(e, language, index) for ref in anchor.related if (e := index.faq_entry(ref))]
    for hit in index.search(message, language, k=8):
        if hit.kind == "faq" and hit.lang == language and hit.confidence >= _PASSAGE_MIN_CONFIDENCE:
            entry = index.faq_entry(hit.id)
            if entry is not None:
                chosen.append(entry)
    chosen += [e for e in index.faq_entries() if e.lang == language]
    skip = {matched.id} if matched is not None else set()
    # Never suggest what was just answered: neither the entry nor another of its intent.
    questions = [e.questions[0] for e in chosen if e.id not in skip and (intent is None or e.intent != intent)]
    return unique(questions)[:_MAX_SUGGESTIONS]


def starter_suggestions(index: KnowledgeIndex, language: str, count: int = _MAX_SUGGESTIONS) -> list[str]:
    """Questions to offer with the greeting: the first FAQ topics in the guest's language."""
    entries = [e for e in index.faq_entries() if e.lang == language] or index.faq_entries()
    seen: set[str] = set()
    chosen = []
    for entry in entries:
        if entry.intent not in seen:
            seen.add(entry.intent)
            chosen.append(entry.questions[0])
    return chosen[:count]


def _passages(index: KnowledgeIndex, message: str, language: str, floor: float) -> list[Passage]:
    hits = [h for h in index.search(message, language, k=_MAX_PASSAGES * 2) if h.confidence >= floor]
    passages = []
    for hit in hits[:_MAX_PASSAGES]:
        text = hit.text if hit.kind != "faq" else f"Q: {hit.title}\nA: {hit.text}"
        passages.append(Passage(id=hit.id, kind=hit.kind, title=hit.title, text=text))
    return passages


def _quote_answer(pack: KnowledgePack, request: QuoteRequest, language: str, confidence: float) -> KnowledgeAnswer | None:
    """The computed totals for the request, or None when nothing can be priced."""
    quotes = compute_quotes(pack, request)
    if not quotes:
        return None
    return KnowledgeAnswer(
        source="tool",
        text=_quote_text(quotes, request, language),
        intent="pricing",
        package_ids=[q.package_id for q in quotes],
        confidence=confidence,
        quotes=quotes,
    )


def _package_answer(pack: KnowledgePack, request: QuoteRequest, message: str, language: str) -> KnowledgeAnswer | None:
    packages = [p for pid in request.package_ids if (p := pack.package(pid)) is not None]
    if not packages:
        return None
    if request.asks_duration and not request.asks_price:
        text = " ".join(_duration_text(p, language, request) for p in packages)
        return KnowledgeAnswer(source="tool", text=text, intent="duration", package_ids=[p.id for p in packages], confidence=0.9)
    if request.quantity is not None and request.unit is not None:
        quoted = _quote_answer(pack, request, language, confidence=1.0)
        if quoted is not None:
            return quoted
    if request.asks_price:
        text = " ".join(_price_text(p, language) for p in packages)
        return KnowledgeAnswer(source="tool", text=text, intent="pricing", package_ids=[p.id for p in packages], confidence=0.95)
    if request.asks_duration:
        text = " ".join(_duration_text(p, language, request) for p in packages)
        return KnowledgeAnswer(source="tool", text=text, intent="duration", package_ids=[p.id for p in packages], confidence=0.9)
    words = content_tokens(message, language)
    if request.asks_includes or len(words) <= _PACKAGE_ONLY_MAX_WORDS:
        text = " ".join(_describe(p, language) for p in packages)
        return KnowledgeAnswer(source="tool", text=text, intent="package", package_ids=[p.id for p in packages], confidence=0.85)
    return None


def _answer_one(
    pack: KnowledgePack,
    index: KnowledgeIndex,
    message: str,
    language: str,
    faq_threshold: float,
    floor: float,
    gate: AnswerGate,
) -> KnowledgeAnswer:
    request = extract_quote_request(message, pack, language)
    cues = question_cues(message, language)
    # A price asked about someone else's goods ("how much is a flat in Kazimierz to buy") or by someone who
    # is not a guest is not a quote, whatever package word it contains.
    if request is not None and not (cues["third_party"] or cues["not_a_guest"]):
        answer = _package_answer(pack, request, message, language)
        if answer is None and not request.package_ids and request.quantity is not None and request.asks_price:
            answer = _quote_answer(pack, request, language, confidence=0.9)
        described = answer is not None and answer.intent == "package"
        if described and not gate.admits(index.gate_features(message, language, ("package",))):
            answer = None  # a package word in a question about something else is no question about the package
        if answer is not None:
            suggestions = _suggestions(index, language, matched=None, message=message, intent=answer.intent)
            return replace(answer, suggestions=suggestions, used=list(answer.package_ids))
    # The one answerability decision: a package description, an FAQ entry, or passages for the model are
    # used only when the gate admits the message with its best candidate of that kind; below it, an honest
    # "I don't know". Prices, durations and quotes asked of a named package need no gate.
    match = None
    if gate.admits(index.gate_features(message, language)):
        match = index.answer_faq(message, language, threshold=faq_threshold)
    if match is not None:
        entry = _in_language(match.entry, language, index)
        text = entry.answer
        if entry.lang != language:
            # Never mix languages silently: the guest is told the answer is in another language.
            text = f"{_OTHER_LANGUAGE['pl' if _pl(language) else 'en']}\n{text}"
        return KnowledgeAnswer(
            source="faq",
            text=text,
            intent=match.intent,
            faq_id=match.id,
            package_ids=[p.id for p in pack.packages if p.id in (request.package_ids if request else [])],
            confidence=match.confidence,
            suggestions=_suggestions(index, language, matched=match.entry, message=message, intent=match.intent),
            used=[match.id],
        )
    hits = index.search(message, language, k=1)
    passages = _passages(index, message, language, floor) if gate.admits(index.gate_features(message, language, _ALL)) else []
    return KnowledgeAnswer(
        source="none",
        text="",
        package_ids=request.package_ids if request else [],
        confidence=hits[0].confidence if hits else 0.0,
        passages=passages,
        suggestions=_suggestions(index, language, matched=None, message=message, intent=None),
        used=[p.id for p in passages],
    )


def question_parts(message: str) -> list[str]:
    """The separate questions of a message ("Ile kosztuje X? A gwarancja?"); one part when it asks one."""
    pieces = [p.strip() for p in re.split(r"(?<=\?)\s+|\n+", message) if p.strip()]
    parts: list[str] = []
    for piece in pieces:
        # A fragment without a question mark ("to pod Warszawą") belongs to the question before it.
        if parts and (not piece.endswith("?") or len(piece.split()) < _MIN_PART_WORDS):
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    if sum(1 for p in parts if p.endswith("?") and len(p.split()) >= _MIN_PART_WORDS) < 2:
        return [message]
    return parts


def answer_from_knowledge(
    pack: KnowledgePack,
    index: KnowledgeIndex,
    message: str,
    language: str,
    faq_threshold: float = DEFAULT_FAQ_THRESHOLD,
    floor: float = RELEVANCE_FLOOR,
    gate: AnswerGate | None = None,
) -> KnowledgeAnswer:
    """Answer from the pack alone: a computed quote, a confident FAQ entry, or ``none`` (with passages above the floor).

    FAQ entries and passages are used only when the answerability ``gate`` (by default the committed
    one, ``shared.domain.answer_gate``) admits the message. A message with several questions gets each
    answered, and names the ones the knowledge cannot answer.
    """
    gate = gate if gate is not None else default_gate()
    parts = question_parts(message)
    if len(parts) == 1:
        return _answer_one(pack, index, message, language, faq_threshold, floor, gate)
    answers = [_answer_one(pack, index, part, language, faq_threshold, floor, gate) for part in parts]
    known = [a for a in answers if a.source != "none"]
    if not known:
        return _answer_one(pack, index, message, language, faq_threshold, floor, gate)
    texts = unique(a.text for a in known)
    template = _PART_UNKNOWN["pl" if _pl(language) else "en"]
    texts += [
        template.format(part=part.rstrip("?").strip()) for part, a in zip(parts, answers, strict=True) if a.source == "none"
    ]
    first = known[0]
    return replace(
        first,
        source="tool" if any(a.source == "tool" for a in known) else "faq",
        text="\n\n".join(texts),
        confidence=min(a.confidence for a in known),
        package_ids=unique(pid for a in known for pid in a.package_ids),
        quotes=[q for a in known for q in a.quotes],
        used=unique(u for a in known for u in a.used),
        suggestions=first.suggestions,
    )
