"""Lazy Google clients. Nothing connects, and no SDK is imported, until first use.

Each client library honours the standard emulator variables itself (FIRESTORE_EMULATOR_HOST,
PUBSUB_EMULATOR_HOST, STORAGE_EMULATOR_HOST, FIREBASE_AUTH_EMULATOR_HOST), so the same code runs
against the local servers and against Google Cloud.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from firebase_admin import App
    from google.cloud import firestore, storage  # type: ignore[attr-defined]  # storage ships no type hints
    from google.cloud.pubsub_v1 import PublisherClient, SubscriberClient

    from shared.config import Settings


class GoogleClients:
    """One instance per process (per function instance); each client is built on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()

    @cached_property
    def firestore(self) -> firestore.Client:
        from google.cloud import firestore

        with self._lock:
            return firestore.Client(project=self.settings.project_id)

    @cached_property
    def storage(self) -> storage.Client:
        from google.cloud import storage  # type: ignore[attr-defined]

        with self._lock:
            return storage.Client(project=self.settings.project_id)

    @cached_property
    def publisher(self) -> PublisherClient:
        from google.cloud import pubsub_v1

        with self._lock:
            # Turns are latency-bound; don't hold a message back to fill a batch.
            return pubsub_v1.PublisherClient(batch_settings=pubsub_v1.types.BatchSettings(max_latency=0.0))

    @cached_property
    def subscriber(self) -> SubscriberClient:
        from google.cloud import pubsub_v1

        with self._lock:
            return pubsub_v1.SubscriberClient()

    @cached_property
    def firebase_app(self) -> App:
        import firebase_admin

        with self._lock:
            name = f"chatdesk-{self.settings.project_id}"
            try:
                return firebase_admin.get_app(name)
            except ValueError:
                return firebase_admin.initialize_app(options={"projectId": self.settings.project_id}, name=name)

    @property
    def auth(self) -> Any:
        """The ``firebase_admin.auth`` module; pass ``app=clients.firebase_app`` to its calls."""
        from firebase_admin import auth

        return auth

    def topic_path(self, topic: str) -> str:
        return f"projects/{self.settings.project_id}/topics/{topic}"
