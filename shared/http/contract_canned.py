"""The HTTP contract of canned responses: the admin API that edits them and the agent API that reads them."""

from __future__ import annotations

from pydantic import Field

from shared.domain.canned import MAX_TEXT, MAX_TITLE
from shared.http.contract import Operation, _Body, _Request
from shared.http.contract_admin import _admin

CANNED = "/api/admin/canned-responses"
_LANGUAGE = "^[a-z]{2}$"


class CannedResponseBody(_Body):
    code: str
    title: str
    text: str
    language: str | None
    updated_at: str
    updated_by: str


class CannedResponseList(_Body):
    tenant: str
    limit: int
    count: int
    languages: list[str] = Field(description="The business's languages, which a response may name")
    canned_responses: list[CannedResponseBody]


class CannedResponseRequest(_Request):
    title: str = Field(min_length=1, max_length=MAX_TITLE, description="What the agent sees in the list")
    text: str = Field(min_length=1, max_length=MAX_TEXT, description="What is inserted into the reply box")
    language: str | None = Field(None, pattern=_LANGUAGE, description="One of the business's languages; any when omitted")


class CannedResponseDeleted(_Body):
    success: bool
    deleted: str


class AgentCannedResponse(_Body):
    code: str
    title: str
    text: str
    language: str | None


class AgentCannedResponses(_Body):
    canned_responses: list[AgentCannedResponse]


class AgentCannedQuery(_Request):
    language: str | None = Field(None, max_length=8, description="Only this language's responses and language-free ones")


CANNED_OPERATIONS: tuple[Operation, ...] = (
    _admin("GET", CANNED, "The business's canned responses, by code", {200: CannedResponseList}),
    _admin(
        "PUT",
        f"{CANNED}/<code>",
        "Create (201) or replace (200) the canned response with this code",
        {200: CannedResponseBody, 201: CannedResponseBody},
        body=CannedResponseRequest,
    ),
    _admin("DELETE", f"{CANNED}/<code>", "Delete a canned response", {200: CannedResponseDeleted}),
    Operation(
        "agent",
        "GET",
        "/api/agent/canned-responses",
        "The signed-in agent's own business's canned responses (typed with / in the reply box)",
        {200: AgentCannedResponses},
        query=AgentCannedQuery,
        security="firebase",
        errors=(400, 401, 403, 429, 503),
    ),
)
