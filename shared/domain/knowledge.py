"""The knowledge pack a business imports: tenant settings, priced packages, FAQ, documents."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from shared.domain.errors import ValidationFailed
from shared.domain.upload_tickets import MAX_ATTACHMENT_MB

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$")]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Origin = Annotated[str, StringConstraints(pattern=r"^https?://[A-Za-z0-9.-]+(?::\d{1,5})?$")]
PageUrl = Annotated[str, StringConstraints(pattern=r"^https?://[A-Za-z0-9.-]+(?::\d{1,5})?(?:/[^\s\"'<>]*)?$", max_length=500)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Price = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]
Unit = Literal["m2", "night"]
DocumentKind = Literal["portfolio", "review", "policy", "info"]

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_KEY = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)(?:-(mon|tue|wed|thu|fri|sat|sun))?$")
_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class _Strict(BaseModel):
    # Unknown keys are refused: in a hand-written pack they are nearly always typos
    # ("anwser"), and silently dropping them would lose the business's content.
    # defer_build: the validators are built on first use, not at import (cold-start budget).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Tenant(_Strict):
    """Who the business is and how its bot behaves."""

    id: Slug
    name: NonEmpty
    languages: list[Language] = Field(min_length=1)
    default_language: Language
    timezone: str = "Europe/Warsaw"
    allowed_origins: list[Origin] = Field(default_factory=list)
    persona: str = ""
    business_hours: dict[str, str] = Field(default_factory=dict)
    greeting: dict[Language, NonEmpty] = Field(default_factory=dict)
    handoff_keywords: list[NonEmpty] = Field(default_factory=list)
    model: str | None = None
    # GDPR: conversations idle longer than this are deleted (Firestore TTL + a daily sweep).
    retention_days: int = Field(365, ge=1, le=3650)
    privacy_policy_url: PageUrl | None = None
    # Web widget attachments (photos, PDF): the largest file a guest may send, in MB.
    attachments_max_mb: int = Field(10, ge=1, le=MAX_ATTACHMENT_MB)

    @field_validator("languages")
    @classmethod
    def _languages_unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("languages must not repeat")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("business_hours")
    @classmethod
    def _hours_format(cls, value: dict[str, str]) -> dict[str, str]:
        problems: list[str] = []
        for key, hours in value.items():
            day = _DAY_KEY.match(key)
            if day is None:
                problems.append(f"{key!r} is not a day (mon..sun) or a range like 'mon-fri'")
            elif day.group(2) and _DAYS.index(day.group(2)) <= _DAYS.index(day.group(1)):
                problems.append(f"{key!r}: a range must run forwards, e.g. 'mon-fri'")
            spec = str(hours).strip().lower()
            if spec == "closed":
                continue
            match = _HOURS.match(spec)
            if match is None:
                problems.append(f"{key}: {hours!r} is not 'HH:MM-HH:MM' or 'closed'")
            elif (match.group(1), match.group(2)) >= (match.group(3), match.group(4)):
                problems.append(f"{key}: opening time must be before closing time")
        if problems:
            raise ValueError("; ".join(problems))
        return value

    def opening_hours(self) -> dict[str, str]:
        """Business hours expanded to one entry per day ("mon" → "08:00-18:00")."""
        days: dict[str, str] = {}
        for key, hours in self.business_hours.items():
            first, _, last = key.partition("-")
            span = _DAYS[_DAYS.index(first) : _DAYS.index(last or first) + 1]
            for day in span:
                days[day] = hours
        return days


class Package(_Strict):
    """A priced offer: a finishing package per m², or a hotel room per night."""

    id: Slug
    name: NonEmpty
    price_per_m2: Price | None = None
    price_per_night: Price | None = None
    unit: Unit | None = None  # which price a quote multiplies; inferred when only one is given
    currency: Currency = "PLN"
    description: str = ""
    includes: list[NonEmpty] = Field(default_factory=list)
    duration_weeks: int | None = Field(None, gt=0, le=104)
    capacity: int | None = Field(None, gt=0, le=50)  # guests a room sleeps
    aliases: list[NonEmpty] = Field(default_factory=list)  # other names guests use
    lang: Language | None = None

    @model_validator(mode="after")
    def _priced(self) -> Package:
        if self.price_per_m2 is None and self.price_per_night is None:
            raise ValueError("a package needs price_per_m2 or price_per_night")
        if self.unit == "m2" and self.price_per_m2 is None:
            raise ValueError("unit m2 needs price_per_m2")
        if self.unit == "night" and self.price_per_night is None:
            raise ValueError("unit night needs price_per_night")
        if self.unit is None and self.price_per_m2 is not None and self.price_per_night is not None:
            raise ValueError("both prices given: say which one quotes use with unit: m2|night")
        return self

    @property
    def quote_unit(self) -> Unit:
        """The unit a quote multiplies (m² or nights)."""
        if self.unit is not None:
            return self.unit
        return "m2" if self.price_per_m2 is not None else "night"

    @property
    def unit_price(self) -> Decimal:
        """The price of one unit (one m² or one night)."""
        price = self.price_per_m2 if self.quote_unit == "m2" else self.price_per_night
        assert price is not None  # guaranteed by _priced
        return price

    def prices(self) -> list[Decimal]:
        """Every price this package states."""
        return [p for p in (self.price_per_m2, self.price_per_night) if p is not None]


class FaqEntry(_Strict):
    """One question the business answers, with the ways guests ask it."""

    id: Slug
    intent: Slug
    lang: Language
    questions: list[NonEmpty] = Field(min_length=1)
    answer: NonEmpty
    related: list[Slug] = Field(default_factory=list)  # FAQ ids to suggest next


class Document(_Strict):
    """A longer text: a portfolio item, a review, a policy."""

    id: Slug
    kind: DocumentKind
    title: NonEmpty
    text: NonEmpty
    lang: Language | None = None


class KnowledgePack(_Strict):
    """Everything a tenant knows; importing one replaces the tenant's knowledge."""

    tenant: Tenant
    packages: list[Package] = Field(default_factory=list)
    faq: list[FaqEntry] = Field(default_factory=list)
    documents: list[Document] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> KnowledgePack:
        # parse_pack runs these checks on the raw data itself, so that they are reported
        # together with field errors; direct construction still gets them here.
        if isinstance(info.context, dict) and info.context.get("consistency_checked"):
            return self
        problems = consistency_errors(self.model_dump(mode="json"))
        if problems:
            raise ValueError("; ".join(f"{p['field']}: {p['message']}" for p in problems))
        return self

    def package(self, package_id: str) -> Package | None:
        """The package with this id, if any."""
        return next((p for p in self.packages if p.id == package_id), None)

    def faq_entry(self, faq_id: str) -> FaqEntry | None:
        """The FAQ entry with this id, if any."""
        return next((f for f in self.faq if f.id == faq_id), None)

    def language_of(self, item: Package | Document) -> str:
        """The language an item is written in (the tenant's default unless it says)."""
        return item.lang or self.tenant.default_language


def _items(data: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    section = data.get(key) if isinstance(data, dict) else None
    if not isinstance(section, list):
        return []
    return [(i, item) for i, item in enumerate(section) if isinstance(item, dict)]


def consistency_errors(data: Any) -> list[dict[str, str]]:
    """Cross-field problems of a raw pack (unique ids, languages, references), one per field."""
    problems: list[dict[str, str]] = []
    tenant = data.get("tenant") if isinstance(data, dict) else None
    languages: list[Any] = []
    if isinstance(tenant, dict):
        raw_languages = tenant.get("languages")
        languages = raw_languages if isinstance(raw_languages, list) else []
        default = tenant.get("default_language")
        if languages and default is not None and default not in languages:
            problems.append({"field": "tenant.default_language", "message": f"{default!r} is not one of languages {languages}"})
        greeting = tenant.get("greeting")
        if isinstance(greeting, dict) and languages:
            for lang in greeting:
                if lang not in languages:
                    problems.append(
                        {"field": f"tenant.greeting.{lang}", "message": f"{lang!r} is not one of languages {languages}"}
                    )
    for section in ("packages", "faq", "documents"):
        seen: dict[Any, int] = {}
        for i, item in _items(data, section):
            item_id = item.get("id")
            if item_id is not None and item_id in seen:
                problems.append(
                    {"field": f"{section}.{i}.id", "message": f"duplicate id {item_id!r} (also {section}.{seen[item_id]})"}
                )
            elif item_id is not None:
                seen[item_id] = i
            lang = item.get("lang")
            if languages and lang is not None and lang not in languages:
                problems.append(
                    {"field": f"{section}.{i}.lang", "message": f"{lang!r} is not one of the tenant's languages {languages}"}
                )
    faq_ids = {item.get("id") for _, item in _items(data, "faq")}
    for i, item in _items(data, "faq"):
        related = item.get("related")
        for j, ref in enumerate(related if isinstance(related, list) else []):
            if ref not in faq_ids:
                problems.append({"field": f"faq.{i}.related.{j}", "message": f"no FAQ entry with id {ref!r}"})
    return problems


def _field_errors(error: ValidationError) -> list[dict[str, str]]:
    problems = []
    for item in error.errors(include_url=False):
        field = ".".join(str(part) for part in item["loc"]) or "(pack)"
        message = str(item["msg"]).removeprefix("Value error, ")
        problems.append({"field": field, "message": message})
    return problems


def _load_text(text: str) -> Any:
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationFailed(
                "Knowledge pack is not valid JSON",
                details=[{"field": "(pack)", "message": f"line {exc.lineno}, column {exc.colno}: {exc.msg}"}],
            ) from None
    import yaml  # lazy: only imports pay for the YAML parser

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        raise ValidationFailed(
            "Knowledge pack is not valid YAML or JSON",
            details=[{"field": "(pack)", "message": f"{where}{getattr(exc, 'problem', None) or exc}"}],
        ) from None


def parse_pack(text: str) -> KnowledgePack:
    """Parse a YAML or JSON knowledge pack; ``ValidationFailed.details`` lists every bad field."""
    data = _load_text(text)
    if not isinstance(data, dict):
        expected = "expected a mapping with tenant, packages, faq, documents"
        raise ValidationFailed("Knowledge pack must be a mapping", details=[{"field": "(pack)", "message": expected}])
    problems = consistency_errors(data)
    pack: KnowledgePack | None = None
    try:
        pack = KnowledgePack.model_validate(data, context={"consistency_checked": True})
    except ValidationError as exc:
        problems = _field_errors(exc) + problems
    if problems or pack is None:
        raise ValidationFailed(f"Knowledge pack has {len(problems)} invalid field(s)", details=_unique(problems))
    return pack


def _unique(problems: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    seen: set[tuple[str, str]] = set()
    result = []
    for problem in problems:
        key = (problem["field"], problem["message"])
        if key not in seen:
            seen.add(key)
            result.append(problem)
    return result


def load_pack_file(path: str | Path) -> KnowledgePack:
    """Read and validate a knowledge pack file (YAML or JSON)."""
    return parse_pack(Path(path).read_text(encoding="utf-8"))
