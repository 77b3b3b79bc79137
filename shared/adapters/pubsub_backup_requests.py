"""Backup requests published to ``backup-requests``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.domain.backup import BackupRequest
from shared.services.backup_ports import BackupRequests

if TYPE_CHECKING:
    from google.cloud.pubsub_v1 import PublisherClient


class PubSubBackupRequests(BackupRequests):
    def __init__(self, publisher: PublisherClient, topic_path: str) -> None:
        self._publisher = publisher
        self._topic = topic_path

    def publish(self, request: BackupRequest) -> str:
        data = request.model_dump_json(exclude_none=True).encode()
        message_id: str = self._publisher.publish(self._topic, data).result(timeout=30)
        return message_id
