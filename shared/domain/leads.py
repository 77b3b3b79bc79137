"""Contact details a guest gives in the conversation: they become a lead for the business's CRM."""

from __future__ import annotations

import re

from shared.domain.assistant import LeadFields
from shared.domain.conversation import LeadInterest
from shared.domain.quotes import Quote, format_quote

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# Polish and international numbers: 9+ digits with optional +48 and separators.
_PHONE = re.compile(r"(?<![\d\w])(\+?\d[\d \-()]{7,16}\d)(?![\d\w])")
_NAME = re.compile(
    r"(?i)\b(?:nazywam się|mam na imię|jestem|tu|my name is|i am|i'm|this is)\s+"
    r"([A-ZŁŚŻŹĆŃÓĄĘ][a-ząćęłńóśźż]+(?:\s+[A-ZŁŚŻŹĆŃÓĄĘ][a-ząćęłńóśźż-]+)?)"
)


def _digits(raw: str) -> str:
    return re.sub(r"[^\d+]", "", raw)


def extract_lead(text: str) -> LeadFields:
    """Name, phone and e-mail stated in a message (a phone needs at least 9 digits)."""
    email = _EMAIL.search(text)
    phone = None
    for match in _PHONE.finditer(_EMAIL.sub(" ", text)):
        digits = _digits(match.group(1))
        if 9 <= len(digits.lstrip("+")) <= 15:
            phone = digits
            break
    name = _NAME.search(text)
    return LeadFields(
        name=name.group(1).strip() if name else None,
        phone=phone,
        email=email.group(0).lower() if email else None,
    )


def merge_leads(*leads: LeadFields) -> LeadFields:
    """The first non-empty value of each field."""
    return LeadFields(
        name=next((lead.name for lead in leads if lead.name), None),
        phone=next((lead.phone for lead in leads if lead.phone), None),
        email=next((lead.email for lead in leads if lead.email), None),
    )


def is_contactable(lead: LeadFields) -> bool:
    """A lead is worth sending to the CRM once there is a way to reach the guest."""
    return bool(lead.phone or lead.email)


def lead_interest(quotes: list[Quote], language: str) -> LeadInterest | None:
    """The first quote a reply gives, as the interest a later lead carries to the CRM."""
    if not quotes:
        return None
    quote = quotes[0]
    area = float(quote.quantity) if quote.unit == "m2" else None
    return LeadInterest(package=quote.package_name, area_m2=area, quote=format_quote(quote, language))
