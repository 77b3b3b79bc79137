"""The HTTP contract of the operator half: the admin API (keys, widgets, experiments, knowledge, backups,
guests' data) and the WhatsApp webhooks. Same rules as ``contract.py``: named fields are promised."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from shared.http.contract import Operation, _Body, _Request

_ADMIN_ERRORS = (400, 401, 403, 404, 409, 413, 429, 503)
_EXPERIMENT = "/api/ab/experiments/<experiment_id>"


class AdminMe(_Body):
    tenant: str
    actor: str
    scopes: list[str]


class ApiKeyBody(_Body):
    id: str
    name: str
    scopes: list[str]
    created_at: str
    revoked_at: str | None
    last_used_at: str | None
    active: bool


class ApiKeyList(_Body):
    keys: list[ApiKeyBody]


class NewApiKey(ApiKeyBody):
    key: str = Field(description="The key itself: shown this once, only its hash is stored.")


class NewKeyRequest(_Request):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[str] | None = Field(
        None, description="metrics, experiments, knowledge, keys, backups, contacts, canned; all when omitted"
    )


class Revoked(_Body):
    id: str


class Period(_Body):
    from_: str = Field(alias="from")
    to: str
    days: int
    timezone: str


class DaysQuery(_Request):
    days: int | None = Field(None, ge=1, le=365, description="The period, in the tenant's days (default 7).")


class Summary(_Body):
    period: Period
    total_conversations: int
    total_messages: int
    avg_messages_per_conversation: float | None
    bot_resolution_rate: float | None
    handoff_rate: float | None
    leads: int
    csat_avg: float | None
    csat_count: int
    model_tokens: int
    estimated_cost_usd: float


class Timeline(_Body):
    period: Period
    days: list[dict[str, Any]]


class TopIntents(_Body):
    period: Period
    intents: list[dict[str, Any]]


class TopPackages(_Body):
    period: Period
    packages: list[dict[str, Any]]


class ActiveSessions(_Body):
    minutes: int
    total: int
    by_mode: dict[str, int]


class ResponseTimes(_Body):
    period: Period
    bot: dict[str, Any]
    agent_first_response: dict[str, Any]


class Satisfaction(_Body):
    period: Period
    distribution: dict[str, int]
    count: int
    average: float | None
    comments: int


class CustomRequest(_Request):
    metrics: list[str] = Field(min_length=1, description="From the allow-list; anything else is a 400 naming it.")
    group_by: str | None = Field(None, description="day, intent or variant")
    days: int | None = Field(None, ge=1, le=365)


class CustomReport(_Body):
    period: Period
    group_by: str | None
    metrics: list[str]


class ExperimentBody(_Body):
    id: str
    name: str
    state: str
    control: str
    variants: list[dict[str, Any]]


class ExperimentList(_Body):
    experiments: list[ExperimentBody]


class ExperimentRequest(_Request):
    name: str | None = Field(None, max_length=100)
    variants: list[dict[str, Any]] | None = None
    state: str | None = Field(None, description="draft → running → stopped")


class Deleted(_Body):
    deleted: str


class ExperimentResults(_Body):
    experiment: ExperimentBody
    period: Period
    outcomes: list[dict[str, Any]]
    metrics: dict[str, Any] = Field(description="Per outcome: Wilson intervals, always-valid difference to control, verdict.")


class KnowledgeBody(_Body):
    tenant: str
    version: int
    pack: dict[str, Any]


class KnowledgeImported(_Body):
    success: bool
    tenant: str
    version: int


class BackupList(_Body):
    success: bool
    backups: list[dict[str, Any]]


class BackupRequested(_Body):
    success: bool
    id: str
    status: str


class DownloadQuery(_Request):
    id: str = Field(max_length=200)
    file: str | None = Field(None, max_length=200)


class Schedule(_Body):
    success: bool
    cron: str
    timezone: str


class ScheduleRequest(_Request):
    cron: str = Field(max_length=100)
    timezone: str = Field(max_length=64)


class ContactExport(_Body):
    tenant: str
    contact: dict[str, str]
    exported_at: str
    conversations: list[dict[str, Any]]


class ContactErased(_Body):
    success: bool
    erasure_id: str
    conversations: int
    documents: int


class TwilioForm(_Request):
    MessageSid: str | None = None
    From: str | None = None
    Body: str | None = None


def _admin(method: Any, path: str, summary: str, responses: dict[int, type[BaseModel] | str], **extra: Any) -> Operation:
    return Operation("admin", method, path, summary, responses, security="api_key_or_firebase", errors=_ADMIN_ERRORS, **extra)


_WIDGETS: tuple[tuple[str, str, type[BaseModel]], ...] = (
    ("metrics/summary", "Totals and rates for the period, with the estimated cost", Summary),
    ("metrics/timeline", "The summary's figures per day", Timeline),
    ("top/intents", "What guests ask about most", TopIntents),
    ("top/packages", "Quotes and mentions per package", TopPackages),
    ("active/sessions", "Conversations active in the last minutes, by mode", ActiveSessions),
    ("response/times", "Bot p50/p95 and agent first-response p50/p95", ResponseTimes),
    ("satisfaction/scores", "The 1–5 distribution and the number of comments", Satisfaction),
)

ADMIN_OPERATIONS: tuple[Operation, ...] = (
    _admin("GET", "/api/admin/me", "Who the key or token is", {200: AdminMe}),
    _admin("GET", "/api/admin/keys", "The tenant's API keys (never the keys themselves)", {200: ApiKeyList}),
    _admin("POST", "/api/admin/keys", "Create a key: shown once", {201: NewApiKey}, body=NewKeyRequest),
    _admin("DELETE", "/api/admin/keys/<key_id>", "Revoke a key", {200: Revoked}),
    *(_admin("GET", f"/api/widgets/{path}", text, {200: model}, query=DaysQuery) for path, text, model in _WIDGETS),
    _admin(
        "POST", "/api/widgets/custom", "A declarative report over allow-listed metrics", {200: CustomReport}, body=CustomRequest
    ),
    _admin("GET", "/api/ab/experiments", "The tenant's experiments", {200: ExperimentList}),
    _admin("POST", "/api/ab/experiments", "Create an experiment (draft)", {201: ExperimentBody}, body=ExperimentRequest),
    _admin("GET", _EXPERIMENT, "One experiment", {200: ExperimentBody}),
    _admin("PATCH", _EXPERIMENT, "Change an experiment or its state", {200: ExperimentBody}, body=ExperimentRequest),
    _admin("PUT", _EXPERIMENT, "Change an experiment or its state", {200: ExperimentBody}, body=ExperimentRequest),
    _admin("DELETE", _EXPERIMENT, "Delete an experiment that is not running", {200: Deleted}),
    _admin("GET", f"{_EXPERIMENT}/results", "Rates, intervals and the sequential verdict per outcome", {200: ExperimentResults}),
    _admin("GET", "/api/admin/knowledge", "The current knowledge pack and its version", {200: KnowledgeBody}),
    _admin("PUT", "/api/admin/knowledge", "Replace the knowledge pack (YAML or JSON)", {200: KnowledgeImported}, raw_body=True),
    _admin("GET", "/api/backup/list", "The tenant's backups, complete or not", {200: BackupList}),
    _admin("POST", "/api/backup/export", "Request a backup now", {202: BackupRequested}),
    _admin(
        "GET",
        "/api/backup/download",
        "The backup as a tar (a 302 to a signed URL in production)",
        {200: "application/x-tar", 302: "text/html"},
        query=DownloadQuery,
    ),
    _admin("GET", "/api/backup/schedule", "The backup schedule", {200: Schedule}),
    _admin("POST", "/api/backup/schedule", "Change the tenant's backup schedule", {200: Schedule}, body=ScheduleRequest),
    _admin("GET", "/api/admin/contacts/<contact>/export", "Everything held about one guest (GDPR)", {200: ContactExport}),
    _admin("DELETE", "/api/admin/contacts/<contact>", "Erase one guest's data everywhere (GDPR)", {200: ContactErased}),
    Operation(
        "whatsapp",
        "POST",
        "/api/whatsapp/<tenant>",
        "Twilio's webhook for an inbound WhatsApp message (signature checked)",
        {200: "text/xml"},
        form=TwilioForm,
        errors=(400, 403, 404, 413, 429, 503),
    ),
    Operation(
        "whatsapp",
        "POST",
        "/api/whatsapp/<tenant>/status",
        "Twilio's delivery status callback (signature checked)",
        {200: "text/xml"},
        form=TwilioForm,
        errors=(400, 403, 404, 413, 429, 503),
    ),
)
