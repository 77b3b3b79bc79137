"""Schema versions of every stored document kind.

Firestore keeps no schema, but the documents have one: each carries ``schema_version``. Writers
stamp the current version (``stamp``); ``python -m tools.migrate`` brings older documents up to
it with the migrations in ``shared/services/migrations.py``. A change to a kind's shape bumps its
version here and adds the migration that produces it, in the same commit.
"""

from __future__ import annotations

from typing import Any, Final

SCHEMA_FIELD: Final = "schema_version"

# kind → current version; a document without the field is version 0 (written before versions).
SCHEMA_VERSIONS: Final[dict[str, int]] = {
    "tenant": 1,
    "conversation": 2,  # 2: search_terms (issue 9)
    "message": 1,
    "note": 1,
    "lead": 1,
    "assignment": 1,
    "canned_response": 1,
}

# Where each kind lives, as collection names from the root ("*" is any document id).
KIND_PATHS: Final[dict[str, tuple[str, ...]]] = {
    "tenant": ("tenants",),
    "conversation": ("tenants", "conversations"),
    "message": ("tenants", "conversations", "messages"),
    "note": ("tenants", "conversations", "notes"),
    "lead": ("tenants", "leads"),
    "assignment": ("tenants", "conversations", "assignments"),
    "canned_response": ("tenants", "canned_responses"),
}


def version_of(data: dict[str, Any]) -> int:
    """The schema version a stored document was written with."""
    value = data.get(SCHEMA_FIELD, 0)
    return value if isinstance(value, int) else 0


def stamp(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with the current schema version of ``kind``, ready to write."""
    return {**data, SCHEMA_FIELD: SCHEMA_VERSIONS[kind]}
