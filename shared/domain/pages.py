"""The page a web guest is on: where the chat started, shown to agents on the contact card."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

MAX_PAGE_URL_CHARS = 500


def clean_page_url(raw: Any, allowed_origins: set[str] | frozenset[str]) -> str | None:
    """The page's origin and path when it is an http(s) URL on one of the tenant's origins; else None.

    The widget already drops the query and fragment (they can carry tokens); the server drops them
    again rather than trust it. Anything else — another site, a script URL, an overlong or malformed
    value — is dropped silently: the page is a nicety and must never fail a guest's turn.
    """
    if not isinstance(raw, str) or not raw or len(raw) > 2 * MAX_PAGE_URL_CHARS:
        return None
    try:
        parts = urlsplit(raw.strip())
        port = parts.port  # raises on a malformed port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        return None
    host = parts.hostname if port is None else f"{parts.hostname}:{port}"
    origin = f"{parts.scheme}://{host}"
    if origin not in allowed_origins:
        return None
    path = parts.path or "/"
    if any(ord(c) < 32 or ord(c) == 127 for c in path):
        return None
    url = origin + path
    return url if len(url) <= MAX_PAGE_URL_CHARS else url[:MAX_PAGE_URL_CHARS]
