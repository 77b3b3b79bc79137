"""Canned responses: a tenant's short replies that agents insert by typing "/" (Chatwoot's canned responses).

A response is a short code (``price-list``), a title, the text and optionally its language. A tenant's
set is the aggregate: codes are unique within it and it holds at most ``MAX_PER_TENANT`` responses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.domain.errors import ConflictError, NotFoundError, ValidationFailed
from shared.domain.validation import LANGUAGE, clean_text

# Lowercase letters, digits and inner hyphens: what an agent types after "/" without thinking about case.
CODE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
MAX_CODE = 40
MAX_TITLE = 80
MAX_TEXT = 2000
MAX_PER_TENANT = 200
FIELDS = frozenset({"code", "title", "text", "language"})


class CannedResponse(BaseModel):
    """One canned response as stored with its tenant."""

    model_config = ConfigDict(frozen=True)

    code: str
    title: str
    text: str
    language: str | None = None
    updated_at: datetime
    updated_by: str


def parse_code(raw: Any) -> str:
    """A valid short code, or a 400 saying what a code may contain."""
    if not isinstance(raw, str) or not CODE.fullmatch(raw):
        message = f"must be 1–{MAX_CODE} lowercase letters, digits or hyphens (not first or last), e.g. price-list"
        raise ValidationFailed(f"code {message}", details=[{"field": "code", "message": message}])
    return raw


def parse_response(
    code: Any, body: Mapping[str, Any], *, languages: Iterable[str] | None, now: datetime, actor: str
) -> CannedResponse:
    """A validated response from a client's fields; a 400 lists every bad field at once.

    ``languages`` are the tenant's own (None when its pack is not known yet: any two-letter code then).
    """
    details: list[dict[str, str]] = []

    def check(field: str, parse: Any) -> Any:
        try:
            return parse()
        except ValidationFailed as err:
            details.extend(err.details or [{"field": field, "message": err.message}])
            return None

    unknown = sorted(set(body) - FIELDS)
    if unknown:
        details.append({"field": ", ".join(unknown), "message": "unknown field(s); allowed: title, text, language"})
    if "code" in body and body["code"] != code:
        details.append({"field": "code", "message": "must match the code in the path"})
    valid_code = check("code", lambda: parse_code(code))
    title = check("title", lambda: clean_text(body.get("title"), "title", MAX_TITLE))
    text = check("text", lambda: clean_text(body.get("text"), "text", MAX_TEXT))
    language = check("language", lambda: _language(body.get("language"), languages))
    if details:
        reasons = "; ".join(f"{d['field']} {d['message']}" for d in details)
        raise ValidationFailed(f"Invalid canned response: {reasons}", details=details)
    return CannedResponse(code=valid_code, title=title, text=text, language=language, updated_at=now, updated_by=actor)


def parse_set(
    entries: Iterable[Mapping[str, Any]],
    *,
    languages: Iterable[str] | None,
    now: datetime,
    actor: str,
    limit: int = MAX_PER_TENANT,
) -> CannedSet:
    """A whole set from a file or a seed (each entry names its ``code``); the first bad entry is a 400 naming it."""
    responses = []
    for n, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise ValidationFailed(
                f"entry {n + 1} must be a mapping", details=[{"field": f"[{n}]", "message": "must be a mapping"}]
            )
        try:
            responses.append(parse_response(entry.get("code"), entry, languages=languages, now=now, actor=actor))
        except ValidationFailed as err:
            details = [{**d, "field": f"[{n}].{d['field']}"} for d in err.details or []]
            raise ValidationFailed(f"entry {n + 1} ({entry.get('code')!r}): {err.message}", details=details) from None
    return CannedSet(responses, limit=limit)


def _language(raw: Any, languages: Iterable[str] | None) -> str | None:
    if raw in (None, ""):
        return None
    allowed = sorted(languages) if languages is not None else None
    if not isinstance(raw, str) or not LANGUAGE.fullmatch(raw) or (allowed is not None and raw not in allowed):
        message = f"must be one of the business's languages ({', '.join(allowed)})" if allowed else "must be a two-letter code"
        raise ValidationFailed(f"language {message}", details=[{"field": "language", "message": message}])
    return raw


class CannedSet:
    """A tenant's canned responses: unique codes, at most ``limit`` of them, listed by code."""

    def __init__(self, responses: Iterable[CannedResponse] = (), *, limit: int = MAX_PER_TENANT) -> None:
        self.limit = limit
        self._by_code: dict[str, CannedResponse] = {}
        for response in responses:
            if response.code in self._by_code:
                raise ValidationFailed(
                    f"code {response.code!r} appears twice",
                    details=[{"field": "code", "message": f"{response.code!r} appears twice; codes are unique"}],
                )
            self._by_code[response.code] = response
        if len(self._by_code) > limit:
            raise ValidationFailed(
                f"At most {limit} canned responses per business",
                details=[{"field": "canned_responses", "message": f"at most {limit}"}],
            )

    @property
    def responses(self) -> list[CannedResponse]:
        return [self._by_code[code] for code in sorted(self._by_code)]

    def __len__(self) -> int:
        return len(self._by_code)

    def put(self, response: CannedResponse) -> bool:
        """Add or replace by code; True when it is new. A new one beyond the limit is a 409."""
        created = response.code not in self._by_code
        if created and len(self._by_code) >= self.limit:
            raise ConflictError(f"This business already has {self.limit} canned responses; delete one first")
        self._by_code[response.code] = response
        return created

    def remove(self, code: str) -> CannedResponse:
        """Drop one by code; 404 when there is none."""
        try:
            return self._by_code.pop(code)
        except KeyError:
            raise NotFoundError(f"No canned response {code!r}") from None

    def for_language(self, language: str | None) -> list[CannedResponse]:
        """Those in ``language`` and those for any language (all when ``language`` is None)."""
        return [r for r in self.responses if language is None or r.language in (None, language)]
