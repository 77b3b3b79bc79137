"""Backup jobs in Cloud Scheduler, through the official client (REST transport; a local stand-in when configured)."""

from __future__ import annotations

from typing import Any

from shared.domain.backup import BackupRequest
from shared.services.backup_ports import BackupScheduler, Schedule


def scheduler_client(emulator_host: str | None) -> Any:
    """The Scheduler client; pointed at the local stand-in (no credentials) when ``emulator_host`` is set."""
    from google.cloud import scheduler_v1

    if not emulator_host:
        return scheduler_v1.CloudSchedulerClient(transport="rest")
    from google.auth.credentials import AnonymousCredentials

    endpoint = emulator_host if emulator_host.startswith("http") else f"http://{emulator_host}"
    anonymous = AnonymousCredentials()  # type: ignore[no-untyped-call]  # the stand-in checks no credentials
    return scheduler_v1.CloudSchedulerClient(transport="rest", credentials=anonymous, client_options={"api_endpoint": endpoint})


class CloudBackupScheduler(BackupScheduler):
    def __init__(self, client: Any, project: str, region: str, topic: str) -> None:
        self._client = client
        self._parent = f"projects/{project}/locations/{region}"
        self._topic = f"projects/{project}/topics/{topic}"

    def _name(self, job: str) -> str:
        return f"{self._parent}/jobs/{job}"

    def get(self, job: str) -> Schedule | None:
        from google.api_core.exceptions import NotFound

        try:
            found = self._client.get_job(name=self._name(job))
        except NotFound:
            return None
        return _schedule(found)

    def put(self, job: str, cron: str, timezone: str, request: BackupRequest) -> Schedule:
        from google.api_core.exceptions import NotFound
        from google.cloud import scheduler_v1
        from google.protobuf import field_mask_pb2

        spec = scheduler_v1.Job(
            name=self._name(job),
            description="Chatdesk backup",
            schedule=cron,
            time_zone=timezone,
            pubsub_target=scheduler_v1.PubsubTarget(
                topic_name=self._topic, data=request.model_dump_json(exclude_none=True).encode()
            ),
        )
        try:
            mask = field_mask_pb2.FieldMask(paths=["schedule", "time_zone", "pubsub_target"])
            return _schedule(self._client.update_job(job=spec, update_mask=mask))
        except NotFound:
            return _schedule(self._client.create_job(parent=self._parent, job=spec))


def _schedule(job: Any) -> Schedule:
    return Schedule(
        job=str(job.name).rsplit("/", 1)[1], cron=job.schedule, timezone=job.time_zone, state=job.State(job.state).name
    )
