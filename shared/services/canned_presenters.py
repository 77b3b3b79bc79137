"""Presenters: canned responses as the admin API and the agents' reply box receive them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from shared.domain.canned import CannedResponse


def item(response: CannedResponse) -> dict[str, Any]:
    return {
        "code": response.code,
        "title": response.title,
        "text": response.text,
        "language": response.language,
        "updated_at": response.updated_at.isoformat(),
        "updated_by": response.updated_by,
    }


def listing(tenant: str, responses: Iterable[CannedResponse], limit: int, languages: list[str]) -> dict[str, Any]:
    """The admin page's list, with what its form offers (the tenant's languages) and the limit."""
    items = [item(r) for r in responses]
    return {"tenant": tenant, "limit": limit, "count": len(items), "languages": languages, "canned_responses": items}


def deleted(code: str) -> dict[str, Any]:
    return {"success": True, "deleted": code}


def for_agents(responses: Iterable[CannedResponse]) -> dict[str, Any]:
    """Only what the reply box needs: who edited it last stays on the admin page."""
    return {"canned_responses": [{"code": r.code, "title": r.title, "text": r.text, "language": r.language} for r in responses]}
