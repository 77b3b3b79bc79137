"""The HTTP contract: one pydantic model per request and response body, and every route's operation.

The OpenAPI document (``/api/openapi.json``) is generated from this module, and a test checks that
every route a function serves has an operation here and every operation a route, so the document
cannot drift from the code. Response models allow extra fields (clients ignore what they do not
know); the fields they name are required and typed, and schemathesis checks responses against them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.validation import CONVERSATION_ID, LANGUAGE, SESSION_ID, TENANT_ID


def _pattern(regex: Any) -> str:
    return str(regex.pattern)


TenantId = Field(pattern=_pattern(TENANT_ID), description="The tenant (business) id, e.g. `novahouse`.")


class _Body(BaseModel):
    """A response body: the named fields are promised, extra fields may be added later."""

    model_config = ConfigDict(extra="allow")


class _Request(BaseModel):
    """A request body; unknown fields are ignored by the server."""

    model_config = ConfigDict(extra="allow")


# --- errors -----------------------------------------------------------------------------------


class ErrorDetail(_Body):
    field: str
    message: str


class ErrorBody(_Body):
    """Every error: a short name, a message safe to show, and for validation errors every bad field."""

    error: str
    message: str
    details: list[ErrorDetail] | None = None


# --- health -----------------------------------------------------------------------------------


class Liveness(_Body):
    status: Literal["healthy"]
    service: str
    version: str
    timestamp: str


class DeepHealth(_Body):
    status: Literal["healthy", "degraded"]
    checks: dict[str, str] = Field(description="database, storage, pubsub, search, ai: ok | disabled | error | timeout")
    timestamp: str


class OpenApiDocument(_Body):
    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]


# --- chat (guests) ----------------------------------------------------------------------------


class TurnRequest(_Request):
    tenant: str = TenantId
    message: str = Field(min_length=1, max_length=2000, description="The guest's message.")
    session_id: str | None = Field(None, pattern=_pattern(SESSION_ID), description="From POST /api/chat/session.")
    language: str | None = Field(None, pattern=_pattern(LANGUAGE))
    client_message_id: str | None = Field(None, max_length=64, description="Makes a retried turn idempotent.")
    page_url: str | None = Field(None, max_length=1000, description="The guest's page; kept on the tenant's origins.")


class TurnResponse(_Body):
    session_id: str
    conversation_id: str
    response: str = Field(description="The bot's reply; empty while a person has the conversation.")
    source: Literal["faq", "tool", "llm", "fallback", "agent"]
    intent: str
    language: str
    suggestions: list[str]
    timestamp: str
    mode: Literal["bot", "pending", "human", "closed"]


class SessionRequest(_Request):
    tenant: str = TenantId
    language: str | None = Field(None, pattern=_pattern(LANGUAGE))
    page_url: str | None = Field(None, max_length=1000, description="The guest's page; kept on the tenant's origins.")


class SessionResponse(_Body):
    session_id: str
    conversation_id: str
    token: str = Field(description="A Firebase custom token whose claims allow reading this one conversation.")
    greeting: str


class RatingRequest(_Request):
    conversation_id: str = Field(pattern=_pattern(CONVERSATION_ID))
    session_id: str = Field(pattern=_pattern(SESSION_ID))
    score: int = Field(ge=1, le=5)
    comment: str | None = Field(None, max_length=1000)


class RatingResponse(_Body):
    success: bool
    conversation_id: str
    score: int | None
    already_rated: bool


class PollQuery(_Request):
    conversation_id: str = Field(pattern=_pattern(CONVERSATION_ID))
    session_id: str = Field(pattern=_pattern(SESSION_ID))
    after: str | None = Field(None, max_length=40, description="ISO time of the newest message the client has.")


class AgentRefBody(_Body):
    uid: str
    name: str


class MessageBody(_Body):
    id: str
    role: Literal["guest", "bot", "agent", "system"]
    text: str
    created_at: str
    source: str | None = None
    author: AgentRefBody | None = None
    delivery_status: Literal["queued", "sent", "delivered", "read", "failed", "undelivered"] | None = None


class WelcomeQuery(_Request):
    tenant: str = TenantId
    language: str | None = Field(None, pattern=_pattern(LANGUAGE))


class Availability(_Body):
    open: bool
    next_opening: str | None
    timezone: str
    text: str


class WelcomeResponse(_Body):
    tenant: str
    language: str
    availability: Availability
    suggestions: list[str]
    privacy_policy_url: str | None
    attachments_max_mb: int | None = None


class CancelWaitRequest(_Request):
    conversation_id: str = Field(pattern=_pattern(CONVERSATION_ID))
    session_id: str = Field(pattern=_pattern(SESSION_ID))


class CancelWaitResponse(_Body):
    success: bool
    conversation_id: str
    mode: Literal["bot", "pending", "human", "closed"]


UPLOAD_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")


class UploadTicketRequest(_Request):
    conversation_id: str = Field(pattern=_pattern(CONVERSATION_ID))
    session_id: str = Field(pattern=_pattern(SESSION_ID))
    content_type: Literal["image/jpeg", "image/png", "image/webp", "application/pdf"]
    size: int = Field(ge=1, description="The file's size in bytes (at most the tenant's attachments_max_mb)")


class UploadTargetBody(_Body):
    url: str = Field(description="A V4 signed Cloud Storage URL, or locally a path of the chat function")
    method: Literal["PUT"]
    headers: dict[str, str] = Field(description="Headers the PUT must send exactly (they are signed)")


class UploadTicketResponse(_Body):
    ticket: str
    upload: UploadTargetBody
    name: str
    max_bytes: int
    expires_at: str


class UploadQuery(_Request):
    tenant: str | None = Field(None, pattern=_pattern(TENANT_ID))


class UploadResponse(_Body):
    success: bool
    name: str
    size: int


class AttachmentRequest(_Request):
    conversation_id: str = Field(pattern=_pattern(CONVERSATION_ID))
    session_id: str = Field(pattern=_pattern(SESSION_ID))
    ticket: str = Field(description="The ticket the upload was made with")
    file_name: str | None = Field(None, max_length=500, description="The file's own name, shown with the message")


class AttachmentBody(_Body):
    name: str
    content_type: str
    size: int


class AttachmentResponse(_Body):
    success: bool
    conversation_id: str
    already: bool = Field(description="This upload was finalized before: nothing new was stored")
    attachment: AttachmentBody
    message: MessageBody | None


class PollResponse(_Body):
    messages: list[MessageBody]
    cursor: str | None
    mode: Literal["bot", "pending", "human", "closed"]


# --- agent (dashboard) ------------------------------------------------------------------------


class AgentMe(_Body):
    uid: str
    email: str
    name: str
    tenant: str
    role: Literal["agent", "admin"]


class LastMessageBody(_Body):
    role: str
    text: str
    at: str


class ConversationBody(_Body):
    id: str
    tenant: str
    channel: str
    mode: Literal["bot", "pending", "human", "closed"]
    language: str
    updated_at: str
    message_count: int
    last_message: LastMessageBody | None
    assigned_agent: AgentRefBody | None


class ConversationList(_Body):
    conversations: list[ConversationBody]


class ConversationListQuery(_Request):
    mode: Literal["bot", "pending", "human", "closed"] | None = None
    limit: int | None = Field(None, ge=1, le=100)
    q: str | None = Field(
        None, min_length=1, max_length=100, description="Search: every word must match (diacritics folded, prefixes allowed)."
    )


class DetailQuery(_Request):
    after: str | None = Field(None, max_length=40)


class NoteBody(_Body):
    id: str
    text: str
    created_at: str


class ConversationDetail(_Body):
    conversation: ConversationBody
    messages: list[MessageBody]
    notes: list[NoteBody]
    cursor: str | None
    deliveries: list[MessageBody] = []  # messages whose delivery status changed after ``after`` (WhatsApp)


class ContactLeadBody(_Body):
    id: str
    name: str | None
    phone: str | None
    email: str | None
    captured_at: str


class ContactCard(_Body):
    """Who the guest is, as far as the conversation tells (lead capture, channel, the page they wrote from)."""

    conversation_id: str
    channel: str
    language: str
    page_url: str | None
    last_page_url: str | None
    name: str | None
    phone: str | None
    email: str | None
    whatsapp: str | None = Field(description="The WhatsApp number replies go to, when the channel gave one.")
    leads: list[ContactLeadBody]


class TextRequest(_Request):
    text: str = Field(min_length=1, max_length=2000)


class ActionResponse(_Body):
    conversation: ConversationBody


class DeadLetterQuery(_Request):
    tenant: str | None = Field(None, pattern=_pattern(TENANT_ID), description="Only the caller's own tenant is allowed.")
    limit: int | None = Field(None, ge=1, le=50)


class DeadLetterBody(_Body):
    id: str
    type: str
    at: str | None
    attempts: int | None
    reason: Literal["outside_service", "database_unavailable", "timeout", "internal_error"] | None
    conversation_id: str | None


class DeadLetterList(_Body):
    dead_letters: list[DeadLetterBody]


# --- the operations ---------------------------------------------------------------------------

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
Security = Literal["none", "firebase", "api_key_or_firebase"]


@dataclass(frozen=True)
class Operation:
    """One route of one function, as the contract promises it."""

    function: str
    method: Method
    path: str  # werkzeug syntax, as the function registers it: /api/x/<conversation_id>
    summary: str
    responses: dict[int, type[BaseModel] | str]  # a model for JSON, or the media type of a non-JSON body
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    form: type[BaseModel] | None = None  # an application/x-www-form-urlencoded body (Twilio's webhooks)
    raw_body: bool = False  # a document the service parses itself (a knowledge pack: YAML or JSON)
    upload: bool = False  # a file's bytes (UPLOAD_TYPES)
    security: Security = "none"
    errors: tuple[int, ...] = ()
    tags: tuple[str, ...] = field(default_factory=tuple)


_GUEST_ERRORS = (400, 403, 404, 413, 429, 503)
_STAFF_ERRORS = (400, 401, 403, 404, 409, 413, 429, 503)
_CONVERSATION = "/api/agent/conversations/<conversation_id>"

OPERATIONS: tuple[Operation, ...] = (
    Operation("health", "GET", "/api/health", "Liveness: the service is up (touches nothing)", {200: Liveness}),
    Operation(
        "health",
        "GET",
        "/api/health/deep",
        "Every dependency really touched, in parallel, within a shared deadline",
        {200: DeepHealth, 503: DeepHealth},
    ),
    Operation("health", "GET", "/api/openapi.json", "This document", {200: OpenApiDocument}),
    Operation(
        "chat",
        "POST",
        "/api/chat",
        "A guest's turn: the bot's answer, or silence while a person has the conversation",
        {200: TurnResponse},
        body=TurnRequest,
        errors=_GUEST_ERRORS,
    ),
    Operation(
        "chat",
        "POST",
        "/api/chat/session",
        "Start a guest session: ids, greeting and a token to read it live",
        {200: SessionResponse},
        body=SessionRequest,
        errors=_GUEST_ERRORS,
    ),
    Operation(
        "chat",
        "POST",
        "/api/chat/rating",
        "Rate a conversation 1–5 once (repeats change nothing)",
        {200: RatingResponse},
        body=RatingRequest,
        errors=_GUEST_ERRORS,
    ),
    Operation(
        "chat",
        "GET",
        "/api/chat/messages",
        "Polling fallback: the conversation's messages after a cursor",
        {200: PollResponse},
        query=PollQuery,
        errors=_GUEST_ERRORS,
    ),
    Operation(
        "chat",
        "GET",
        "/api/chat/welcome",
        "What the widget shows before the guest asks: opening hours, starter questions",
        {200: WelcomeResponse},
        query=WelcomeQuery,
        errors=_GUEST_ERRORS,
    ),
    Operation(
        "chat",
        "POST",
        "/api/chat/cancel-handoff",
        "The guest stops waiting for a person (409 unless waiting)",
        {200: CancelWaitResponse},
        body=CancelWaitRequest,
        errors=(*_GUEST_ERRORS, 409),
    ),
    Operation(
        "chat",
        "POST",
        "/api/chat/uploads",
        "A short-lived ticket and URL to upload one photo or PDF into the guest's conversation",
        {200: UploadTicketResponse},
        body=UploadTicketRequest,
        errors=(*_GUEST_ERRORS, 415),
    ),
    Operation(
        "chat",
        "PUT",
        "/api/chat/uploads/<ticket>",
        "Local development only (production uploads go to a signed Cloud Storage URL): the file's bytes",
        {200: UploadResponse},
        query=UploadQuery,
        upload=True,
        errors=(*_GUEST_ERRORS, 409),
    ),
    Operation(
        "chat",
        "POST",
        "/api/chat/attachments",
        "Check an uploaded file's bytes and size, then add it to the conversation (once per upload)",
        {200: AttachmentResponse},
        body=AttachmentRequest,
        errors=(*_GUEST_ERRORS, 415),
    ),
    Operation(
        "agent", "GET", "/api/agent/me", "The signed-in agent", {200: AgentMe}, security="firebase", errors=(401, 403, 503)
    ),
    Operation(
        "agent",
        "GET",
        "/api/agent/conversations",
        "The tenant's conversations, newest activity first",
        {200: ConversationList},
        query=ConversationListQuery,
        security="firebase",
        errors=_STAFF_ERRORS,
    ),
    Operation(
        "agent",
        "GET",
        f"{_CONVERSATION}/messages",
        "A conversation with its messages and internal notes",
        {200: ConversationDetail},
        query=DetailQuery,
        security="firebase",
        errors=_STAFF_ERRORS,
    ),
    Operation(
        "agent",
        "GET",
        f"{_CONVERSATION}/contact",
        "The contact card: lead details, channel, language, the page the guest wrote from",
        {200: ContactCard},
        security="firebase",
        errors=_STAFF_ERRORS,
    ),
    Operation(
        "agent",
        "POST",
        f"{_CONVERSATION}/takeover",
        "Take the conversation over (409 for the second agent)",
        {200: ActionResponse},
        security="firebase",
        errors=_STAFF_ERRORS,
    ),
    Operation(
        "agent",
        "POST",
        f"{_CONVERSATION}/reply",
        "Answer the guest",
        {200: ActionResponse},
        body=TextRequest,
        security="firebase",
        errors=_STAFF_ERRORS,
    ),
    Operation(
        "agent",
        "POST",
        f"{_CONVERSATION}/release",
        "Return the conversation to the bot",
        {200: ActionResponse},
        security="firebase",
        errors=_STAFF_ERRORS,
    ),
    Operation(
        "agent",
        "POST",
        f"{_CONVERSATION}/close",
        "Close the conversation",
        {200: ActionResponse},
        security="firebase",
        errors=_STAFF_ERRORS,
    ),
    Operation(
        "agent",
        "POST",
        f"{_CONVERSATION}/notes",
        "Leave an internal note (guests never see it)",
        {200: ActionResponse},
        body=TextRequest,
        security="firebase",
        errors=_STAFF_ERRORS,
    ),
    Operation(
        "agent",
        "GET",
        f"{_CONVERSATION}/media/<name>",
        "A photo or PDF the guest sent (staff only)",
        {200: "application/octet-stream"},
        security="firebase",
        errors=_STAFF_ERRORS,
    ),
    Operation(
        "agent",
        "GET",
        "/api/agent/dead-letters",
        "The tenant's events that failed every delivery attempt (admins only)",
        {200: DeadLetterList},
        query=DeadLetterQuery,
        security="firebase",
        errors=_STAFF_ERRORS,
    ),
)
