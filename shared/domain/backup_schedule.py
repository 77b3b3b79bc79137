"""A backup schedule is a cron expression in a named time zone; both are checked before the Scheduler sees them."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter  # type: ignore[import-untyped]  # ships no type hints

from shared.domain.errors import ValidationFailed

NIGHTLY_JOB = "nightly-backup"


def tenant_job(tenant: str) -> str:
    """A tenant's own backup job (in addition to the nightly one that covers every tenant)."""
    return f"backup-{tenant}"


def check_schedule(cron: object, timezone: object) -> tuple[str, str]:
    """(cron, timezone) when both are valid; otherwise a 400 naming what is wrong."""
    problems = []
    if not isinstance(cron, str) or len(cron.split()) != 5 or not croniter.is_valid(cron):
        problems.append({"field": "cron", "message": "must be a five-field cron expression, e.g. '0 3 * * *'"})
    try:
        if not isinstance(timezone, str) or not timezone or timezone.startswith("/"):
            raise ZoneInfoNotFoundError(str(timezone))
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append({"field": "timezone", "message": "must be an IANA time zone, e.g. 'Europe/Warsaw'"})
    if problems:
        raise ValidationFailed("Invalid backup schedule", details=problems)
    assert isinstance(cron, str) and isinstance(timezone, str)
    return cron, timezone
