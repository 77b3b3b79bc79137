"""V4 signed Cloud Storage URLs, with a private key where the credentials hold one and through IAM signBlob where not."""

from __future__ import annotations

from typing import Any

from shared import logs

_log = logs.get_logger("chatdesk.storage")


def signed_url(client: Any, blob: Any, what: str, **options: Any) -> str | None:
    """``blob.generate_signed_url(version="v4", **options)``; None when these credentials cannot sign."""
    credentials = client._credentials
    extra: dict[str, Any] = {}
    if not hasattr(credentials, "sign_bytes"):
        # Cloud Functions' default credentials hold no private key: sign through IAM signBlob instead.
        from google.auth.transport.requests import Request

        try:
            credentials.refresh(Request())
        except Exception:  # noqa: BLE001 - anonymous (emulator) credentials cannot sign at all
            _log.warning(f"cannot sign a {what} URL")
            return None
        extra = {"service_account_email": credentials.service_account_email, "access_token": credentials.token}
    try:
        url: str = blob.generate_signed_url(version="v4", **options, **extra)
    except Exception:  # noqa: BLE001 - no signing permission: the caller takes another way
        _log.warning(f"cannot sign a {what} URL")
        return None
    return url
