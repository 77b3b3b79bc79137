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
    from shared.adapters.firestore_backup import FirestoreTenantDocuments
    from shared.adapters.firestore_store import Deadline
    from shared.adapters.gcs_backup_store import GcsBackupStore
    from shared.config import Settings
    from shared.domain.events import ChatEvent
    from shared.services.admin_experiments import ExperimentService
    from shared.services.admin_keys import ApiKeyService
    from shared.services.admin_knowledge import KnowledgeService
    from shared.services.admin_widgets import WidgetService
    from shared.services.agent import AgentService
    from shared.services.attachments import WebAttachments
    from shared.services.backup_admin import BackupAdmin
    from shared.services.backups import BackupRestorer, BackupRunner
    from shared.services.canned_responses import CannedResponses
    from shared.services.channel_ports import CrmBoard, WhatsAppGateway
    from shared.services.chat import ChatService
    from shared.services.dead_letters import DeadLetters
    from shared.services.events import EventHandler, EventLedger
    from shared.services.health import Check
    from shared.services.integrations import Integrations
    from shared.services.media import MediaStore
    from shared.services.outbox import OutboxRelay
    from shared.services.ports import ConversationRepository, EventPublisher, LanguageModel, TenantRepository
    from shared.services.privacy import PrivacyService
    from shared.services.rate_limits import IpRateLimiter
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

        return FirebaseTokenVerifier(self.clients.auth, self.clients.firebase_app, cache_seconds=self.settings.auth_cache_seconds)

    @cached_property
    def api_keys(self) -> ApiKeyService:
        from shared.adapters.api_keys_store import FirestoreApiKeyRepository
        from shared.services.admin_keys import ApiKeyService

        return ApiKeyService(FirestoreApiKeyRepository(self.clients.firestore), cache_seconds=self.settings.api_key_cache_seconds)

    @cached_property
    def widgets(self) -> WidgetService:
        from shared.adapters.metrics_store import FirestoreActiveSessionCounter, FirestoreMetricsReader
        from shared.domain.widgets import Prices
        from shared.services.admin_widgets import WidgetService

        s = self.settings
        prices = Prices(
            s.price_input_per_million_tokens,
            s.price_output_per_million_tokens,
            s.price_firestore_reads_per_100k,
            s.price_firestore_writes_per_100k,
        )
        db = self.clients.firestore
        return WidgetService(self.tenants, FirestoreMetricsReader(db), FirestoreActiveSessionCounter(db), prices)

    @cached_property
    def experiments(self) -> ExperimentService:
        from shared.adapters.experiments_store import FirestoreExperimentRepository
        from shared.adapters.metrics_store import FirestoreMetricsReader
        from shared.services.admin_experiments import ExperimentService

        db = self.clients.firestore
        return ExperimentService(FirestoreExperimentRepository(db), self.tenants, FirestoreMetricsReader(db))

    @cached_property
    def knowledge(self) -> KnowledgeService:
        from shared.services.admin_knowledge import KnowledgeService

        return KnowledgeService(self.tenants)

    @cached_property
    def canned(self) -> CannedResponses:
        from shared.adapters.canned_store import FirestoreCannedResponseRepository
        from shared.services.canned_responses import CannedResponses

        return CannedResponses(FirestoreCannedResponseRepository(self.clients.firestore, self.deadline), self.tenants)

    @cached_property
    def ip_limiter(self) -> IpRateLimiter:
        from shared.services.rate_limits import IpRateLimiter

        return IpRateLimiter(self.settings.ip_turns_per_minute)

    @cached_property
    def poll_limiter(self) -> IpRateLimiter:
        from shared.services.rate_limits import IpRateLimiter

        return IpRateLimiter(self.settings.poll_per_minute, "Too many requests from this address")

    @cached_property
    def event_ledger(self) -> EventLedger:
        from shared.adapters.event_ledger import FirestoreEventLedger

        return FirestoreEventLedger(self.clients.firestore, self.deadline)

    @cached_property
    def backup_documents(self) -> FirestoreTenantDocuments:
        from shared.adapters.firestore_backup import FirestoreTenantDocuments

        settings = self.settings
        # The local Firestore ignores cursors: read each collection as one stream there.
        page = 0 if settings.firestore_emulator_host else settings.backup_page_size
        return FirestoreTenantDocuments(self.clients.firestore, settings.backup_metrics_lookback_days, page)

    @cached_property
    def backup_store(self) -> GcsBackupStore:
        from shared.adapters.gcs_backup_store import GcsBackupStore

        # The local storage server cannot check a signature: stream instead of redirecting there.
        return GcsBackupStore(self.clients.storage, self.settings.backup_bucket, can_sign=not self.settings.storage_emulator_host)

    @cached_property
    def backup_runner(self) -> BackupRunner:
        from shared.services.backups import BackupRunner

        return BackupRunner(self.backup_documents, self.backup_store, self.settings.backup_retention_days)

    @cached_property
    def backup_restorer(self) -> BackupRestorer:
        from shared.services.backups import BackupRestorer

        return BackupRestorer(self.backup_documents, self.backup_store)

    @cached_property
    def backups(self) -> BackupAdmin:
        from shared.adapters.cloud_scheduler import CloudBackupScheduler, scheduler_client
        from shared.adapters.pubsub_backup_requests import PubSubBackupRequests
        from shared.services.backup_admin import BackupAdmin

        settings = self.settings
        topic = settings.backup_requests_topic
        return BackupAdmin(
            self.backup_store,
            PubSubBackupRequests(self.clients.publisher, self.clients.topic_path(topic)),
            CloudBackupScheduler(
                scheduler_client(settings.cloud_scheduler_emulator_host), settings.project_id, settings.region, topic
            ),
        )

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
    def attachments(self) -> WebAttachments:
        from shared.domain.upload_tickets import UploadTickets
        from shared.services.attachments import WebAttachments

        tickets = UploadTickets(self.session_secret)
        return WebAttachments(self.chat, self.media, tickets, through_function=self.settings.uploads_through_function)

    @cached_property
    def whatsapp(self) -> WhatsAppChannel:
        from shared.adapters.whatsapp_records import FirestoreWhatsAppRecords
        from shared.services.whatsapp import WhatsAppChannel

        records = FirestoreWhatsAppRecords(self.clients.firestore)
        return WhatsAppChannel(self.integrations, self.whatsapp_gateway, self.events, self.media, records, self.conversations)

    @cached_property
    def dead_letters(self) -> DeadLetters:
        from shared.adapters.delivery_records import FirestoreDeadLetters

        return FirestoreDeadLetters(self.clients.firestore)

    def conversation_url(self, tenant: str, conversation_id: str) -> str:
        """Where an agent opens a conversation (the CRM item links to it)."""
        return f"{(self.settings.public_url or '').rstrip('/')}/dashboard?conversation={conversation_id}"

    @cached_property
    def privacy(self) -> PrivacyService:
        from shared.adapters.firestore_privacy import FirestorePersonalDataStore
        from shared.services.privacy import PrivacyService

        store = FirestorePersonalDataStore(self.clients.firestore, self.clients.storage, self.settings.upload_buckets)
        return PrivacyService(store)

    def event_handlers(self) -> dict[str, EventHandler]:
        """What the ``events`` function does for each event type."""
        from shared.adapters.delivery_records import FirestoreLeadDeliveries
        from shared.domain.events import AGENT_REPLIED, LEAD_CAPTURED, OUTBOX_SWEEP, RETENTION_SWEEP
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
            RETENTION_SWEEP: lambda _event: self._sweep_retention(),
            LEAD_CAPTURED: LeadToCrm(self.integrations, self.crm_board, deliveries, self.conversation_url),
            WHATSAPP_INBOUND: whatsapp_inbound,
            AGENT_REPLIED: lambda event: self.whatsapp.send_agent_reply(event, callback(event.tenant)),
        }

    def _sweep_retention(self) -> None:
        # Cloud Scheduler publishes a daily ``retention.sweep`` (infra/resources.yaml); TTL does the same in production.
        self.privacy.sweep()

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
                logs.set_service_context(version=settings.revision)
                _container = Container(settings)
    return _container


def reset_container() -> None:
    """Forget the container (tests that change the environment)."""
    from shared.config import get_settings

    global _container
    with _lock:
        _container = None
    get_settings.cache_clear()
