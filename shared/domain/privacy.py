"""Guests' personal data (GDPR / RODO): who a request is about, and what an erasure leaves behind."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from shared.domain.validation import CONVERSATION_ID, invalid

ContactKind = Literal["conversation", "email", "phone"]
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")
_PHONE = re.compile(r"^\+?[0-9]{6,15}$")
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")


@dataclass(frozen=True)
class ContactRef:
    """A guest named the way a data request names them: a phone number, an e-mail or a conversation id."""

    kind: ContactKind
    value: str


def parse_contact(raw: object) -> ContactRef:
    """The contact a request is about; phone numbers lose their separators, e-mails their case."""
    if not isinstance(raw, str) or not raw.strip() or len(raw) > 256:
        raise invalid("contact", "must be a phone number, an e-mail address or a conversation id")
    text = raw.strip()
    if CONVERSATION_ID.fullmatch(text):
        return ContactRef("conversation", text)
    if _EMAIL.fullmatch(text):
        return ContactRef("email", text.lower())
    phone = _PHONE_SEPARATORS.sub("", text)
    if _PHONE.fullmatch(phone):
        return ContactRef("phone", phone)
    raise invalid("contact", "must be a phone number, an e-mail address or a conversation id")


def phone_variants(phone: str) -> list[str]:
    """How the same number may have been stored: with or without +, with or without Poland's 48, as a WhatsApp address."""
    digits = phone.lstrip("+")
    variants = {phone, digits, "+" + digits}
    if len(digits) == 9:
        variants |= {"48" + digits, "+48" + digits}
    if digits.startswith("48") and len(digits) == 11:
        variants.add(digits[2:])
    # A WhatsApp conversation keeps the guest's address as Twilio gives it: whatsapp:+48…
    variants |= {f"whatsapp:{v}" for v in variants if v.startswith("+")}
    return sorted(variants)


ErasureReason = Literal["request", "retention"]


class Erasure(BaseModel):
    """The record an erasure leaves: when, who and how much, never whose data it was."""

    id: str
    at: datetime
    actor: str
    reason: ErasureReason
    contact_kind: ContactKind | None = None
    conversations: int
    documents: int


def new_erasure_id(moment: datetime) -> str:
    """Sortable by time, unique without coordination."""
    return f"{moment.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(4)}"
