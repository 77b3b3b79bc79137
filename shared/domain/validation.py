"""Input rules shared by every use case: ids, languages and free text from clients."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from shared.domain.errors import ValidationFailed

TENANT_ID = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$")
SESSION_ID = re.compile(r"^s_[A-Za-z0-9_-]{16,64}$")
CONVERSATION_ID = re.compile(r"^[a-z0-9_-]{1,64}\.[0-9a-f]{24}$")
LANGUAGE = re.compile(r"^[a-z]{2}$")
# A whole-number query parameter: plain ASCII digits, short enough for int() ("²" and 5 000 digits are not).
_WHOLE_NUMBER = re.compile(r"^[0-9]{1,9}$")
# Characters that render as nothing outside the format (Cf) category: fillers and blanks people use to fake a message.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")


def invalid(field: str, message: str) -> ValidationFailed:
    """A validation error naming the field."""
    return ValidationFailed(f"{field} {message}", details=[{"field": field, "message": message}])


def whole_number(raw: Any, field: str, *, default: int, low: int, high: int) -> int:
    """A whole-number parameter (``?limit=``, ``?days=``) in [low, high]; left out, the default; else a 400 naming it."""
    if raw in (None, ""):
        return default
    text = str(raw)
    if not _WHOLE_NUMBER.fullmatch(text) or not low <= int(text) <= high:
        raise invalid(field, f"must be a whole number from {low} to {high}")
    return int(text)


def clean_text(value: Any, field: str, max_chars: int, *, required: bool = True) -> str:
    """Trimmed text without control characters (newlines and tabs are fine) within the length limit."""
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise invalid(field, "must be a string")
    if any(unicodedata.category(c) == "Cs" for c in value):
        # A lone surrogate cannot be stored (the Firestore encoder rejects it): refuse it before any work is done.
        raise invalid(field, "must be valid Unicode text")
    text = value.strip()
    if not _visible(text):
        if required:
            raise invalid(field, "must not be empty")
        return ""
    if len(text) > max_chars:
        raise invalid(field, f"must be at most {max_chars} characters")
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text):
        raise invalid(field, "must not contain control characters")
    return text


def _visible(text: str) -> bool:
    """Whether any character would show: zero-width, BOM, soft hyphen and blank fillers alone make no message."""
    return any(not c.isspace() and unicodedata.category(c) != "Cf" and c not in _INVISIBLE for c in text)


def matching(pattern: re.Pattern[str], value: Any, field: str) -> str:
    """``value`` when it is a string matching ``pattern``; otherwise a validation error."""
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise invalid(field, "is missing or malformed")
    return value
