"""Settings: every environment variable Chatdesk reads is named here, once."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "test", "production"]


class Settings(BaseSettings):
    """Runtime configuration, read from the environment (Secret Manager mounts in production)."""

    # hide_input_in_errors: a refused configuration must not print the secrets it was given into the logs.
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, frozen=True, hide_input_in_errors=True)

    environment: Environment = Field("production", alias="CHATDESK_ENV")
    project_id: str = Field("demo-chatdesk", alias="GOOGLE_CLOUD_PROJECT")
    region: str = Field("europe-central2", alias="CHATDESK_REGION")
    log_level: str = Field("INFO", alias="LOG_LEVEL")
    revision: str = Field("local", alias="K_REVISION")  # set by Cloud Run for every deployed revision

    # Standard emulator variables; the Google client libraries read them too.
    firestore_emulator_host: str | None = Field(None, alias="FIRESTORE_EMULATOR_HOST")
    pubsub_emulator_host: str | None = Field(None, alias="PUBSUB_EMULATOR_HOST")
    storage_emulator_host: str | None = Field(None, alias="STORAGE_EMULATOR_HOST")
    firebase_auth_emulator_host: str | None = Field(None, alias="FIREBASE_AUTH_EMULATOR_HOST")

    chat_events_topic: str = Field("chat-events", alias="CHAT_EVENTS_TOPIC")
    backup_requests_topic: str = Field("backup-requests", alias="BACKUP_REQUESTS_TOPIC")
    backup_bucket: str = Field("demo-chatdesk-backups", alias="BACKUP_BUCKET")
    uploads_bucket: str = Field("demo-chatdesk-uploads", alias="UPLOADS_BUCKET")

    # Backups: retention (the bucket's lifecycle rule in infra/resources.yaml is the backstop), cursor
    # page size, the days of metric shards looked for at least (their day documents do not exist, so
    # days are probed back to the first conversation), the local Scheduler stand-in.
    backup_retention_days: int = Field(30, alias="BACKUP_RETENTION_DAYS", gt=0)
    backup_page_size: int = Field(1000, alias="BACKUP_PAGE_SIZE", gt=0)
    backup_metrics_lookback_days: int = Field(35, alias="BACKUP_METRICS_LOOKBACK_DAYS", gt=0)
    cloud_scheduler_emulator_host: str | None = Field(None, alias="CLOUD_SCHEDULER_EMULATOR_HOST")

    # Gemini: an API key, or Vertex AI; neither means the bot runs on knowledge alone.
    gemini_api_key: SecretStr | None = Field(None, alias="GEMINI_API_KEY")
    gemini_use_vertex: bool = Field(False, alias="GOOGLE_GENAI_USE_VERTEXAI")
    gemini_base_url: str | None = Field(None, alias="GEMINI_BASE_URL")
    gemini_model: str = Field("gemini-2.5-flash", alias="GEMINI_MODEL")
    gemini_timeout_seconds: float = Field(8.0, alias="GEMINI_TIMEOUT_SECONDS", gt=0, le=60)

    max_body_bytes: int = Field(64 * 1024, alias="MAX_BODY_BYTES", gt=0)
    health_check_timeout_seconds: float = Field(2.0, alias="HEALTH_CHECK_TIMEOUT_SECONDS", gt=0)
    session_turns_per_minute: int = Field(20, alias="RATE_LIMIT_SESSION_PER_MINUTE", gt=0)
    ip_turns_per_minute: int = Field(120, alias="RATE_LIMIT_IP_PER_MINUTE", gt=0)
    # Edge (issue 10): proxies that append to X-Forwarded-For in front of the functions (Google's front end = 1).
    trusted_proxies: int = Field(1, alias="CHATDESK_TRUSTED_PROXIES", ge=0, le=5)
    poll_per_minute: int = Field(240, alias="RATE_LIMIT_POLL_PER_MINUTE", gt=0)
    auth_cache_seconds: float = Field(30.0, alias="AUTH_CACHE_SECONDS", ge=0, le=300)
    event_max_age_seconds: int = Field(3600, alias="EVENT_MAX_AGE_SECONDS", gt=0)

    # Extra web origins allowed for every tenant outside production (the local demo pages).
    dev_origins: str = Field("", alias="CHATDESK_DEV_ORIGINS")
    tenant_cache_seconds: float = Field(10.0, alias="TENANT_CACHE_SECONDS", ge=0)

    # Reliability (turns, outbox, deadlines). Without a session secret outside production, each
    # process makes one (the local stack serves every function from one process).
    session_secret: SecretStr | None = Field(None, alias="CHATDESK_SESSION_SECRET")
    firestore_deadline_seconds: float = Field(4.0, alias="FIRESTORE_DEADLINE_SECONDS", gt=0, le=30)
    outbox_wait_seconds: float = Field(1.0, alias="OUTBOX_WAIT_SECONDS", ge=0, le=10)
    outbox_sweep_after_seconds: float = Field(10.0, alias="OUTBOX_SWEEP_AFTER_SECONDS", gt=0)
    # Admin API: how long an instance trusts a key it read (a revoke elsewhere takes this long to bite).
    api_key_cache_seconds: float = Field(30.0, alias="API_KEY_CACHE_SECONDS", ge=0)
    # Price table (USD) for the widgets' estimated_cost_usd.
    price_input_per_million_tokens: float = Field(0.30, alias="PRICE_INPUT_PER_MILLION_TOKENS", ge=0)
    price_output_per_million_tokens: float = Field(2.50, alias="PRICE_OUTPUT_PER_MILLION_TOKENS", ge=0)
    price_firestore_reads_per_100k: float = Field(0.06, alias="PRICE_FIRESTORE_READS_PER_100K", ge=0)
    price_firestore_writes_per_100k: float = Field(0.18, alias="PRICE_FIRESTORE_WRITES_PER_100K", ge=0)

    # Channels and integrations: per-tenant Twilio/Monday credentials live in Secret Manager, not here.
    secret_manager_emulator_host: str | None = Field(None, alias="SECRET_MANAGER_EMULATOR_HOST")
    twilio_base_url: str | None = Field(None, alias="TWILIO_BASE_URL")
    monday_base_url: str | None = Field(None, alias="MONDAY_BASE_URL")
    integration_cache_seconds: float = Field(60.0, alias="INTEGRATION_CACHE_SECONDS", ge=0)
    media_bucket: str = Field("demo-chatdesk-media", alias="MEDIA_BUCKET")
    # Web attachments go to the media bucket by V4 signed URL ("signed"), or through the chat function
    # ("function": the storage emulator cannot sign). Unset: "function" with a storage emulator, else "signed".
    media_uploads: Literal["signed", "function"] | None = Field(None, alias="MEDIA_UPLOADS")
    public_url: str | None = Field(None, alias="PUBLIC_URL")  # Hosting's URL, for Twilio status callbacks
    dead_letter_topic: str = Field("chat-events-dead-letter", alias="CHAT_EVENTS_DEAD_LETTER_TOPIC")

    @model_validator(mode="after")
    def _no_emulators_in_production(self) -> Settings:
        # A production deployment that talks to an emulator or a stand-in loses data, and firebase-admin
        # skips signature checks when FIREBASE_AUTH_EMULATOR_HOST is set: refuse to start at all.
        if self.environment == "production":
            offending = stand_in_variables(self)
            if offending:
                raise ValueError(f"{', '.join(offending)} must not be set when CHATDESK_ENV=production")
            if self.session_secret is None:
                # Session ids are verified by this secret; one per instance would refuse other instances' guests.
                raise ValueError("CHATDESK_SESSION_SECRET must be set when CHATDESK_ENV=production (Secret Manager)")
        if self.session_secret is not None and len(self.session_secret.get_secret_value()) < 32:
            raise ValueError("CHATDESK_SESSION_SECRET must be at least 32 characters")
        return self

    @model_validator(mode="after")
    def _no_scheduler_stand_in_in_production(self) -> Settings:
        # Backup schedules changed on a local stand-in would silently never run.
        if self.environment == "production" and self.cloud_scheduler_emulator_host:
            raise ValueError("CLOUD_SCHEDULER_EMULATOR_HOST must not be set when CHATDESK_ENV=production")
        return self

    @property
    def extra_origins(self) -> frozenset[str]:
        if self.environment == "production":
            return frozenset()
        return frozenset(o.strip() for o in self.dev_origins.split(",") if o.strip())

    @property
    def upload_buckets(self) -> tuple[str, ...]:
        """Buckets holding guests' files (an erasure deletes theirs)."""
        return (self.uploads_bucket, self.media_bucket)

    @property
    def uploads_through_function(self) -> bool:
        """Whether browsers PUT attachments through the chat function instead of a signed Cloud Storage URL."""
        return (self.media_uploads or ("function" if self.storage_emulator_host else "signed")) == "function"

    @property
    def ai_enabled(self) -> bool:
        return self.gemini_use_vertex or self.gemini_api_key is not None

    def secret_values(self) -> list[str]:
        """Every configured secret, so logs can scrub them."""
        secrets = (self.gemini_api_key, self.session_secret)
        return [s.get_secret_value() for s in secrets if s is not None and s.get_secret_value()]


# Settings (and environment variables) named like this point at emulators or local stand-ins, never at Google.
STAND_IN_SUFFIXES = ("_EMULATOR_HOST", "_BASE_URL")


def stand_in_variables(settings: BaseSettings) -> list[str]:
    """Every configured emulator host or stand-in base URL: declared settings, and any such variable in the environment."""
    names = {
        str(field.alias)
        for name, field in type(settings).model_fields.items()
        if field.alias and field.alias.endswith(STAND_IN_SUFFIXES) and getattr(settings, name)
    }
    names |= {key for key, value in os.environ.items() if key.upper().endswith(STAND_IN_SUFFIXES) and value.strip()}
    return sorted(names)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
