"""Settings: every environment variable Chatdesk reads is named here, once."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "test", "production"]


class Settings(BaseSettings):
    """Runtime configuration, read from the environment (Secret Manager mounts in production)."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, frozen=True)

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

    twilio_auth_token: SecretStr | None = Field(None, alias="TWILIO_AUTH_TOKEN")
    twilio_base_url: str | None = Field(None, alias="TWILIO_BASE_URL")
    monday_api_token: SecretStr | None = Field(None, alias="MONDAY_API_TOKEN")
    monday_api_url: str = Field("https://api.monday.com/v2", alias="MONDAY_API_URL")

    @model_validator(mode="after")
    def _no_emulators_in_production(self) -> Settings:
        # A production deployment that silently talks to a local emulator loses data.
        if self.environment == "production" and self.firestore_emulator_host:
            raise ValueError("FIRESTORE_EMULATOR_HOST must not be set when CHATDESK_ENV=production")
        if self.environment == "production" and self.session_secret is None:
            # Session ids are verified by this secret; one per instance would refuse other instances' guests.
            raise ValueError("CHATDESK_SESSION_SECRET must be set when CHATDESK_ENV=production (Secret Manager)")
        if self.session_secret is not None and len(self.session_secret.get_secret_value()) < 32:
            raise ValueError("CHATDESK_SESSION_SECRET must be at least 32 characters")
        return self

    @property
    def extra_origins(self) -> frozenset[str]:
        if self.environment == "production":
            return frozenset()
        return frozenset(o.strip() for o in self.dev_origins.split(",") if o.strip())

    @property
    def upload_buckets(self) -> tuple[str, ...]:
        """Buckets holding guests' files (an erasure deletes theirs)."""
        return (self.uploads_bucket,)

    @property
    def ai_enabled(self) -> bool:
        return self.gemini_use_vertex or self.gemini_api_key is not None

    def secret_values(self) -> list[str]:
        """Every configured secret, so logs can scrub them."""
        secrets = (self.gemini_api_key, self.twilio_auth_token, self.monday_api_token, self.session_secret)
        return [s.get_secret_value() for s in secrets if s is not None and s.get_secret_value()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
