"""Delivery status of a message sent on the guest's channel (WhatsApp), and the rule that orders reports."""

from __future__ import annotations

from typing import Any, Literal, get_args

DeliveryStatus = Literal["queued", "sent", "delivered", "read", "failed", "undelivered"]
DELIVERY_STATUSES: tuple[str, ...] = get_args(DeliveryStatus)

# Progress of a message that gets through; a later report of an earlier step changes nothing.
_PROGRESS = {"queued": 0, "sent": 1, "delivered": 2, "read": 3}
# Nothing follows these: a failure is final, and a read message cannot fail any more.
_FINAL = frozenset({"failed", "undelivered", "read"})
_FAILURES = frozenset({"failed", "undelivered"})


def parse_delivery_status(raw: Any) -> DeliveryStatus | None:
    """A status Twilio reports, or None for one we do not show (``accepted``, ``sending``, garbage)."""
    value = str(raw or "").strip().lower()
    return value if value in DELIVERY_STATUSES else None  # type: ignore[return-value]  # checked against the Literal


def next_delivery_status(current: str | None, reported: DeliveryStatus) -> DeliveryStatus | None:
    """The status after a report, or None when the report changes nothing.

    Twilio's callbacks arrive out of order and are retried: a repeat is a no-op, nothing moves
    backwards (read never becomes delivered), a failure is final, and a message already delivered
    does not become failed.
    """
    if current == reported or current in _FINAL:
        return None
    if reported in _FAILURES:
        return reported if _PROGRESS.get(current or "", -1) < _PROGRESS["delivered"] else None
    return reported if _PROGRESS[reported] > _PROGRESS.get(current or "", -1) else None
