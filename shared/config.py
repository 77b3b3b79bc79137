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

    twilio_auth_token: SecretStr | None = Field(None, alias="TWILIO_AUTH_TOKEN")
    twilio_base_url: str | None = Field(None, alias="TWILIO_BASE_URL")
    monday_api_token: SecretStr | None = Field(None, alias="MONDAY_API_TOKEN")
    monday_api_url: str = Field("https://api.monday.com/v2", alias="MONDAY_API_URL")

    @model_validator(mode="after")
    def _no_emulators_in_production(self) -> Settings:
        # A production deployment that talks to an emulator or a stand-in loses data, and firebase-admin
        # skips signature checks when FIREBASE_AUTH_EMULATOR_HOST is set: refuse to start at all.
        if self.environment == "production":
            offending = stand_in_variables(self)
            if offending:
                raise ValueError(f"{', '.join(offending)} must not be set when CHATDESK_ENV=production")
        return self

    @property
    def extra_origins(self) -> frozenset[str]:
        if self.environment == "production":
            return frozenset()
        return frozenset(o.strip() for o in self.dev_origins.split(",") if o.strip())

    @property
    def ai_enabled(self) -> bool:
        return self.gemini_use_vertex or self.gemini_api_key is not None

    def secret_values(self) -> list[str]:
        """Every configured secret, so logs can scrub them."""
        secrets = (self.gemini_api_key, self.twilio_auth_token, self.monday_api_token)
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
