"""`backup` function: answers `backup-requests` (Cloud Scheduler nightly, or an admin's export).

Raising makes Pub/Sub redeliver; returning acknowledges. The backup id comes from the message, so a
redelivered request finds its manifest and does nothing; a run that died before the manifest is redone.
"""

from __future__ import annotations

from typing import Any

from shared import logs
from shared.bootstrap import container

_log = logs.get_logger("chatdesk.backup")


def backup(cloud_event: Any) -> None:
    """Entry point (signature type: cloudevent)."""
    from pydantic import ValidationError

    from shared.cloud_events import pubsub_message
    from shared.domain.backup import BackupRequest
    from shared.domain.errors import BadRequestError

    try:
        message = pubsub_message(cloud_event)
        request = BackupRequest.model_validate_json(message.data or b"{}")
    except (ValueError, ValidationError, BadRequestError):
        # A malformed request will never succeed: acknowledge it rather than retry forever.
        _log.warning("dropping malformed backup request", extra={"fields": {"event_id": str(cloud_event["id"])}})
        return
    token = logs.bind(function="backup", tenant=request.tenant or "*")
    try:
        for outcome in container().backup_runner.handle(request, message.id, message.published_at):
            fields = {"message_id": message.id, "documents": outcome.documents, "expired": list(outcome.deleted)}
            if outcome.status == "written":
                fields["event"] = "backup.completed"  # the log-based metric the 26 h "backup missing" alert counts
            _log.info(f"backup {outcome.backup} of {outcome.tenant}: {outcome.status}", extra={"fields": fields})
    finally:
        logs.reset(token)
