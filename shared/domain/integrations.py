"""A tenant's integrations (Twilio for WhatsApp, Monday.com for leads): what is secret and what is not.

Secrets (auth tokens) live in Secret Manager; the tenant's config holds only the secret's name and
the non-secret settings (the WhatsApp number, the board id). Nothing here is ever logged.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field, SecretStr

IntegrationKind = Literal["twilio", "monday"]
KINDS: tuple[IntegrationKind, ...] = ("twilio", "monday")
WHATSAPP_ADDRESS = re.compile(r"^whatsapp:\+[1-9]\d{6,14}$")
PHONE = re.compile(r"^\+[1-9]\d{6,14}$")


def secret_id_for(tenant: str, kind: IntegrationKind) -> str:
    """The Secret Manager secret id that holds a tenant's credentials for one integration."""
    return f"chatdesk-{tenant}-{kind}"


def whatsapp_address(phone: str) -> str:
    """``+48600100200`` → ``whatsapp:+48600100200`` (already-prefixed addresses pass through)."""
    return phone if phone.startswith("whatsapp:") else f"whatsapp:{phone}"


class TwilioAccount(BaseModel):
    """A tenant's Twilio account and WhatsApp sender."""

    account_sid: str = Field(pattern=r"^AC[0-9a-zA-Z]{32}$")
    auth_token: SecretStr
    whatsapp_from: str = Field(pattern=WHATSAPP_ADDRESS.pattern)


class MondayBoard(BaseModel):
    """A tenant's Monday.com board for leads, and which column holds Chatdesk's lead id."""

    api_token: SecretStr
    board_id: str = Field(pattern=r"^\d{1,20}$")
    lead_id_column: str = Field("text", pattern=r"^[a-z0-9_]{1,64}$")
    phone_column: str = Field("phone", pattern=r"^[a-z0-9_]{1,64}$")
    email_column: str = Field("email", pattern=r"^[a-z0-9_]{1,64}$")
    details_column: str = Field("long_text", pattern=r"^[a-z0-9_]{1,64}$")


class IntegrationRef(BaseModel):
    """What the tenant's config stores for one integration: the secret's name and non-secret settings."""

    secret: str = Field(pattern=r"^[A-Za-z0-9_-]{1,255}$")
    settings: dict[str, str] = Field(default_factory=dict)
