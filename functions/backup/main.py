"""`backup` function: answers `backup-requests` (Cloud Scheduler nightly, or an admin's export).

Raising makes Pub/Sub redeliver; returning acknowledges. The backup id comes from the message, so a
redelivered request finds its manifest and does nothing; a run that died before the manifest is redone.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from shared import logs
from shared.bootstrap import container

_log = logs.get_logger("chatdesk.backup")


def backup(cloud_event: Any) -> None:
    """Entry point (signature type: cloudevent)."""
    from pydantic import ValidationError

    from shared.domain.backup import BackupRequest
    from shared.domain.errors import BadRequestError

    message = cloud_event.data.get("message", {})
    message_id = str(message.get("messageId") or cloud_event["id"])
    try:
        request = BackupRequest.model_validate_json(base64.b64decode(message.get("data", "")) or b"{}")
    except (ValueError, ValidationError, BadRequestError):
        # A malformed request will never succeed: acknowledge it rather than retry forever.
        _log.warning("dropping malformed backup request", extra={"fields": {"message_id": message_id}})
        return
    token = logs.bind(function="backup", tenant=request.tenant or "*")
    try:
        for outcome in container().backup_runner.handle(request, message_id, _published_at(message, cloud_event)):
            _log.info(
                f"backup {outcome.backup} of {outcome.tenant}: {outcome.status}",
                extra={"fields": {"message_id": message_id, "documents": outcome.documents, "expired": list(outcome.deleted)}},
            )
    finally:
        logs.reset(token)


def _published_at(message: dict[str, Any], cloud_event: Any) -> datetime:
    raw = message.get("publishTime") or cloud_event["time"]
    try:
        return datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)
