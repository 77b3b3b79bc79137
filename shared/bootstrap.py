"""The composition root: builds adapters and services from settings, once per process, on first use."""

from __future__ import annotations

import secrets
import threading
from functools import cached_property
from typing import TYPE_CHECKING

from shared import logs
from shared.adapters.clients import GoogleClients

if TYPE_CHECKING:
    # pydantic is imported on first use, not at import time: it is most of a cold start.
    from shared.adapters.firebase_auth import FirebaseTokenVerifier
    from shared.adapters.firestore_store import Deadline
    from shared.config import Settings
    from shared.services.agent import AgentService
    from shared.services.chat import ChatService, IpRateLimiter
    from shared.services.events import EventHandler, EventLedger
    from shared.services.health import Check
    from shared.services.outbox import OutboxRelay
    from shared.services.ports import ConversationRepository, EventPublisher, LanguageModel, TenantRepository


class Container:
    """Everything a function needs, wired from settings; nothing connects until used."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.clients = GoogleClients(settings)

    @cached_property
    def language_model(self) -> LanguageModel:
        from shared.adapters.gemini import build_language_model

        return build_language_model(self.settings)

    @cached_property
    def tenants(self) -> TenantRepository:
        from shared.adapters.firestore_store import FirestoreTenantRepository

        return FirestoreTenantRepository(
            self.clients.firestore, ttl_seconds=self.settings.tenant_cache_seconds, deadline=self.deadline
        )

    @cached_property
    def conversations(self) -> ConversationRepository:
        from shared.adapters.firestore_store import FirestoreConversationRepository

        return FirestoreConversationRepository(self.clients.firestore, deadline=self.deadline)

    @cached_property
    def deadline(self) -> Deadline:
        from shared.adapters.firestore_store import Deadline

        return Deadline(self.settings.firestore_deadline_seconds)

    @cached_property
    def events(self) -> EventPublisher:
        from shared.adapters.pubsub_events import PubSubEventPublisher

        return PubSubEventPublisher(self.clients.publisher, self.clients.topic_path(self.settings.chat_events_topic))

    @cached_property
    def outbox_relay(self) -> OutboxRelay:
        from shared.adapters.firestore_store import FirestoreConversationRepository
        from shared.services.outbox import OutboxRelay, RelaySettings

        outbox = self.conversations
        assert isinstance(outbox, FirestoreConversationRepository)  # the repository keeps the outbox
        relay_settings = RelaySettings(
            wait_seconds=self.settings.outbox_wait_seconds, sweep_after_seconds=self.settings.outbox_sweep_after_seconds
        )
        return OutboxRelay(self.events, outbox, relay_settings)

    @cached_property
    def session_secret(self) -> bytes:
        secret = self.settings.session_secret
        return secret.get_secret_value().encode() if secret is not None else secrets.token_bytes(32)

    @cached_property
    def chat(self) -> ChatService:
        from shared.adapters.firebase_tokens import FirebaseTokenIssuer
        from shared.services.chat import ChatService, ChatSettings

        settings = self.settings
        return ChatService(
            self.tenants,
            self.conversations,
            self.language_model,
            self.events,
            FirebaseTokenIssuer(self.clients.auth, self.clients.firebase_app),
            ChatSettings(
                session_turns_per_minute=settings.session_turns_per_minute,
                default_model=settings.gemini_model,
                dev_origins=settings.extra_origins,
                session_secret=self.session_secret,
            ),
            ai_enabled=settings.ai_enabled,
            relay=self.outbox_relay,
        )

    @cached_property
    def agent(self) -> AgentService:
        from shared.services.agent import AgentService

        return AgentService(self.tenants, self.conversations, self.events, relay=self.outbox_relay)

    @cached_property
    def verifier(self) -> FirebaseTokenVerifier:
        from shared.adapters.firebase_auth import FirebaseTokenVerifier

        return FirebaseTokenVerifier(self.clients.auth, self.clients.firebase_app)

    @cached_property
    def ip_limiter(self) -> IpRateLimiter:
        from shared.services.chat import IpRateLimiter

        return IpRateLimiter(self.settings.ip_turns_per_minute)

    @cached_property
    def event_ledger(self) -> EventLedger:
        from shared.adapters.event_ledger import FirestoreEventLedger

        return FirestoreEventLedger(self.clients.firestore, self.deadline)

    def event_handlers(self) -> dict[str, EventHandler]:
        """What the ``events`` function does for each event type."""
        from shared.domain.events import OUTBOX_SWEEP

        return {OUTBOX_SWEEP: self._sweep_outbox}

    def _sweep_outbox(self, _event: object) -> None:
        # Cloud Scheduler publishes an ``outbox.sweep`` event every minute (infra/resources.yaml).
        self.outbox_relay.sweep()

    def health_checks(self) -> dict[str, Check]:
        """The deep health checks, one per dependency, named as DESIGN.md's contract names them."""
        from shared.adapters import health_checks as hc

        timeout = self.settings.health_check_timeout_seconds
        return {
            "database": hc.firestore_check(self.clients, timeout),
            "storage": hc.storage_check(self.clients, self.settings.backup_bucket, timeout),
            "pubsub": hc.pubsub_check(self.clients, self.settings.chat_events_topic, timeout),
            "search": hc.search_check(),
            "ai": self.language_model.check,
        }


_container: Container | None = None
_lock = threading.Lock()


def container() -> Container:
    """The process-wide container; configures logging the first time."""
    global _container
    if _container is None:
        with _lock:
            if _container is None:
                from shared.config import get_settings

                settings = get_settings()
                logs.configure(settings.log_level)
                logs.register_secrets(settings.secret_values())
                _container = Container(settings)
    return _container


def reset_container() -> None:
    """Forget the container (tests that change the environment)."""
    from shared.config import get_settings

    global _container
    with _lock:
        _container = None
    get_settings.cache_clear()
