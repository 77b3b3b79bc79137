"""The backup resources in infra/resources.yaml agree with the code."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from infra.local.cloud import load_resources
from shared.config import Settings
from shared.domain.backup_schedule import NIGHTLY_JOB, check_schedule


def test_the_nightly_job_publishes_a_valid_schedule_to_the_backup_topic() -> None:
    resources = load_resources()
    job = resources["schedules"][NIGHTLY_JOB]
    assert check_schedule(job["cron"], job["timezone"]) == ("0 3 * * *", "Europe/Warsaw")
    assert job["topic"] == resources["functions"]["backup"]["topic"] == Settings(CHATDESK_ENV="test").backup_requests_topic
    assert job["topic"] in resources["topics"]


def test_the_bucket_lifecycle_keeps_backups_at_least_as_long_as_the_function_does() -> None:
    resources = load_resources()
    settings = Settings(CHATDESK_ENV="test")
    [rule] = resources["bucket_lifecycle"][settings.backup_bucket]
    assert settings.backup_bucket in resources["buckets"]
    assert rule["action"] == "Delete" and rule["prefix"] == "backups/"
    assert settings.backup_retention_days <= rule["age_days"] <= settings.backup_retention_days + 2


def test_production_refuses_the_local_scheduler_stand_in() -> None:
    with pytest.raises(ValidationError, match="CLOUD_SCHEDULER_EMULATOR_HOST"):
        Settings(
            CHATDESK_ENV="production",
            CLOUD_SCHEDULER_EMULATOR_HOST="http://127.0.0.1:1",
            FIRESTORE_EMULATOR_HOST=None,
            CHATDESK_SESSION_SECRET="s" * 32,
        )
