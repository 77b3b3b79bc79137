"""When a guest wants a person, and when the business can answer."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared.domain.knowledge import Tenant
from shared.domain.text import fold, tokenize

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Folded (no diacritics, lower case) phrases that ask for a human in Polish or English.
_GENERIC = re.compile(
    r"\b("
    r"konsultant\w*|czlowiek\w*|czlowiekiem|doradc\w*|pracownik\w*|agent\w*|operator\w*|"
    r"(porozmawiac|rozmawiac|polacz\w*|przelacz\w*) z (kims|osoba|czlowiekiem|konsultantem|doradca)|"
    r"zywa osoba|zywym|human|real person|a person|someone real|live agent|speak to (someone|somebody)|"
    r"talk to (someone|somebody|a person|an agent|a human|staff)|customer service|front desk|receptionist"
    r")\b"
)


def wants_human(message: str, keywords: list[str], offered: str | None = None) -> bool:
    """True when the guest asks for a person (generic phrases, the tenant's keywords, or "yes" to the bot's offer)."""
    if _GENERIC.search(fold(message)):
        return True
    if offered and _YES.search(fold(message)):
        return True
    text = f" {' '.join(tokenize(message))} "
    return any(f" {' '.join(tokenize(word))} " in text for word in keywords if tokenize(word))


def _window(hours: str) -> tuple[int, int] | None:
    if hours.strip().lower() == "closed":
        return None
    start, end = hours.split("-")
    sh, sm = (int(x) for x in start.split(":"))
    eh, em = (int(x) for x in end.split(":"))
    return sh * 60 + sm, eh * 60 + em


def is_open(tenant: Tenant, now: datetime) -> bool:
    """Whether ``now`` falls in the tenant's business hours; no hours configured means always open."""
    days = tenant.opening_hours()
    if not days:
        return True
    local = now.astimezone(ZoneInfo(tenant.timezone))
    window = _window(days.get(_DAYS[local.weekday()], "closed"))
    minute = local.hour * 60 + local.minute
    return window is not None and window[0] <= minute < window[1]


def next_opening(tenant: Tenant, now: datetime) -> datetime | None:
    """The next time the business opens (in its time zone), or None if it never does."""
    days = tenant.opening_hours()
    if not days:
        return None
    local = now.astimezone(ZoneInfo(tenant.timezone))
    for offset in range(8):
        day = local + timedelta(days=offset)
        window = _window(days.get(_DAYS[day.weekday()], "closed"))
        if window is None:
            continue
        opening = day.replace(hour=window[0] // 60, minute=window[0] % 60, second=0, microsecond=0)
        if opening > local:
            return opening
    return None


_PL_DAYS = ("w poniedziałek", "we wtorek", "w środę", "w czwartek", "w piątek", "w sobotę", "w niedzielę")
_EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def handoff_notice(tenant: Tenant, now: datetime, language: str) -> str:
    """What the guest is told when asking for a person: connecting now, or honestly when we'll reply."""
    if is_open(tenant, now):
        if language == "pl":
            return "Przekazuję rozmowę konsultantowi — ktoś z naszego zespołu zaraz się odezwie."
        return "I'm passing you to a member of our team — someone will be with you shortly."
    opening = next_opening(tenant, now)
    if opening is None:
        if language == "pl":
            return "Nasz zespół jest teraz niedostępny. Zostaw wiadomość, a odpiszemy najszybciej, jak to możliwe."
        return "Our team is not available right now. Leave a message and we'll reply as soon as we can."
    local_now = now.astimezone(ZoneInfo(tenant.timezone))
    same_day = opening.date() == local_now.date()
    tomorrow = opening.date() == (local_now + timedelta(days=1)).date()
    time = opening.strftime("%H:%M")
    if language == "pl":
        when = f"dziś o {time}" if same_day else f"jutro o {time}" if tomorrow else f"{_PL_DAYS[opening.weekday()]} o {time}"
        return f"Nasz zespół jest teraz poza godzinami pracy. Odpiszemy {when}. Zostaw wiadomość — nic nie zginie."
    when = (
        f"today at {time}" if same_day else f"tomorrow at {time}" if tomorrow else f"on {_EN_DAYS[opening.weekday()]} at {time}"
    )
    return f"Our team is outside business hours right now. We'll reply {when}. Leave a message and nothing will be lost."


# The bot's "shall I pass you to a person?" (answering.DONT_KNOW) and the fallbacks end in an offer;
# a plain "yes" right after it accepts.
_OFFER = re.compile(r"(konsultant\w*|a person|our team)\W*$|\?\s*$")
_YES = re.compile(r"^\W*(?:(?:tak|poprosze|prosze|jasne|ok|okay|dobrze|chetnie|yes|please|sure|yep|yeah)\b\W*)+$")


def accepts_offer(recent: Sequence[Any]) -> str | None:
    """The bot's last offer of a person when it was the last thing said, for ``wants_human(offered=...)``."""
    if not recent:
        return None
    last = recent[-1]
    if getattr(last, "role", None) != "bot":
        return None
    text = fold(str(getattr(last, "text", "")))
    return text if ("konsultant" in text or "person" in text) and _OFFER.search(text) else None


_ZONE_NAMES = {
    "pl": {"Europe/Warsaw": "czasu polskiego"},
    "en": {"Europe/Warsaw": "Polish time"},
}


def zone_label(tenant: Tenant, language: str) -> str:
    """The tenant's time zone as a guest reads it ("czasu polskiego", "Europe/London time")."""
    named = _ZONE_NAMES.get(language, {}).get(tenant.timezone)
    if named:
        return named
    city = tenant.timezone.split("/")[-1].replace("_", " ")
    return f"czasu {city}" if language == "pl" else f"{city} time"


def availability(tenant: Tenant, now: datetime, language: str) -> dict[str, object]:
    """Whether people answer now and, when not, when they next do (local time, named zone) — for the widget."""
    open_now = is_open(tenant, now)
    opening = None if open_now else next_opening(tenant, now)
    text = ""
    if not open_now:
        if opening is None:
            text = (
                "Nasz zespół jest teraz niedostępny — asystent odpowie od razu."
                if language == "pl"
                else "Our team is away right now — the assistant answers straight away."
            )
        else:
            local_now = now.astimezone(ZoneInfo(tenant.timezone))
            time = opening.strftime("%H:%M")
            zone = zone_label(tenant, language)
            if language == "pl":
                day = (
                    "dziś"
                    if opening.date() == local_now.date()
                    else "jutro"
                    if opening.date() == (local_now + timedelta(days=1)).date()
                    else _PL_DAYS[opening.weekday()]
                )
                text = f"Poza godzinami pracy. Konsultanci wracają {day} o {time} ({zone}); asystent odpowie od razu."
            else:
                day = (
                    "today"
                    if opening.date() == local_now.date()
                    else "tomorrow"
                    if opening.date() == (local_now + timedelta(days=1)).date()
                    else f"on {_EN_DAYS[opening.weekday()]}"
                )
                text = f"Outside business hours. Our team is back {day} at {time} ({zone}); the assistant answers now."
    return {
        "open": open_now,
        "next_opening": opening.isoformat() if opening else None,
        "timezone": tenant.timezone,
        "text": text,
    }


def waiting_ack(tenant: Tenant, now: datetime, language: str, contact_left: bool) -> str:
    """While the guest waits for a person: their message is passed on; off-hours, an offer to leave a contact."""
    pl = language == "pl"
    head = "Twoja wiadomość jest przekazana konsultantowi." if pl else "Your message is passed on to our team."
    if contact_left:
        return head + (
            " Dziękujemy za dane kontaktowe — odezwiemy się." if pl else " Thanks for your contact details — we'll be in touch."
        )
    if is_open(tenant, now):
        return head + (" Ktoś zaraz dołączy." if pl else " Someone will join shortly.")
    return head + (
        " Jesteśmy poza godzinami pracy — zostaw e-mail lub numer telefonu, a oddzwonimy."
        if pl
        else " We're outside business hours — leave your e-mail or phone number and we'll get back to you."
    )
