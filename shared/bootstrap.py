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
    from shared.domain.events import ChatEvent
    from shared.services.agent import AgentService
    from shared.services.channel_ports import CrmBoard, WhatsAppGateway
    from shared.services.chat import ChatService, IpRateLimiter
    from shared.services.dead_letters import DeadLetters
    from shared.services.events import EventHandler, EventLedger
    from shared.services.health import Check
    from shared.services.integrations import Integrations
    from shared.services.media import MediaStore
    from shared.services.outbox import OutboxRelay
    from shared.services.ports import ConversationRepository, EventPublisher, LanguageModel, TenantRepository
    from shared.services.whatsapp import WhatsAppChannel


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

        return FirestoreEventLedger(self.clients.firestore)

    @cached_property
    def integrations(self) -> Integrations:
        from shared.adapters.secrets import FirestoreIntegrationRefs, SecretManagerStore
        from shared.services.integrations import Integrations

        store = SecretManagerStore(self.settings.project_id, self.settings.secret_manager_emulator_host)
        refs = FirestoreIntegrationRefs(self.clients.firestore)
        return Integrations(store, refs, ttl_seconds=self.settings.integration_cache_seconds)

    @cached_property
    def whatsapp_gateway(self) -> WhatsAppGateway:
        from shared.adapters.twilio_gateway import TwilioWhatsAppGateway

        return TwilioWhatsAppGateway(self.settings.twilio_base_url)

    @cached_property
    def crm_board(self) -> CrmBoard:
        from shared.adapters.monday_board import MondayGraphQLBoard

        return MondayGraphQLBoard(self.settings.monday_base_url)

    @cached_property
    def media(self) -> MediaStore:
        from shared.adapters.whatsapp_records import GcsMediaStore

        return GcsMediaStore(self.clients.storage, self.settings.media_bucket)

    @cached_property
    def whatsapp(self) -> WhatsAppChannel:
        from shared.adapters.whatsapp_records import FirestoreWhatsAppRecords
        from shared.services.whatsapp import WhatsAppChannel

        records = FirestoreWhatsAppRecords(self.clients.firestore)
        return WhatsAppChannel(self.integrations, self.whatsapp_gateway, self.events, self.media, records)

    @cached_property
    def dead_letters(self) -> DeadLetters:
        from shared.adapters.delivery_records import FirestoreDeadLetters

        return FirestoreDeadLetters(self.clients.firestore)

    def conversation_url(self, tenant: str, conversation_id: str) -> str:
        """Where an agent opens a conversation (the CRM item links to it)."""
        return f"{(self.settings.public_url or '').rstrip('/')}/dashboard?conversation={conversation_id}"

    def event_handlers(self) -> dict[str, EventHandler]:
        """What the ``events`` function does for each event type."""
        from shared.adapters.delivery_records import FirestoreLeadDeliveries
        from shared.domain.events import AGENT_REPLIED, LEAD_CAPTURED, OUTBOX_SWEEP
        from shared.services.crm import LeadToCrm
        from shared.services.whatsapp import WHATSAPP_INBOUND

        deliveries = FirestoreLeadDeliveries(self.clients.firestore)
        base = (self.settings.public_url or "").rstrip("/")

        def callback(tenant: str) -> str | None:
            return f"{base}/api/whatsapp/{tenant}/status" if base else None

        def whatsapp_inbound(event: ChatEvent) -> None:
            self.whatsapp.handle_inbound(event, self.chat, callback(event.tenant))

        return {
            OUTBOX_SWEEP: self._sweep_outbox,
            LEAD_CAPTURED: LeadToCrm(self.integrations, self.crm_board, deliveries, self.conversation_url),
            WHATSAPP_INBOUND: whatsapp_inbound,
            AGENT_REPLIED: lambda event: self.whatsapp.send_agent_reply(event, callback(event.tenant)),
        }

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
