"""The OpenAPI 3.1 document, generated from the contract's pydantic models (never written by hand)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from shared.domain.canned import CODE as CANNED_CODE
from shared.domain.upload_tickets import TICKET
from shared.domain.validation import CONVERSATION_ID, TENANT_ID
from shared.http.contract import OPERATIONS, UPLOAD_TYPES, ErrorBody, Operation
from shared.http.contract_admin import ADMIN_OPERATIONS
from shared.http.contract_canned import CANNED_OPERATIONS

ALL_OPERATIONS: tuple[Operation, ...] = OPERATIONS + ADMIN_OPERATIONS + CANNED_OPERATIONS

_PATH_ARG = re.compile(r"<(?:[a-z_]+:)?([a-z_]+)>")
_REF = "#/components/schemas/{model}"
PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "conversation_id": {"type": "string", "pattern": CONVERSATION_ID.pattern, "examples": ["novahouse.0123456789abcdef01234567"]},
    "tenant": {"type": "string", "pattern": TENANT_ID.pattern},
    "key_id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
    "experiment_id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
    "contact": {"type": "string", "pattern": "^[^\\s/]{1,256}$", "description": "A phone number, an e-mail or a conversation id"},
    "name": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,128}$"},
    "ticket": {"type": "string", "pattern": TICKET.pattern, "description": "An upload ticket from POST /api/chat/uploads"},
    "code": {"type": "string", "pattern": CANNED_CODE.pattern, "examples": ["price-list"]},
}
_STATUS_TEXT = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    400: "The request is malformed or fails validation; nothing changed",
    401: "Missing or invalid credentials",
    403: "The caller may not do this (another tenant, another website, wrong role)",
    404: "Not found",
    409: "The resource changed meanwhile or is in the wrong state",
    413: "The body is too large",
    415: "The file is not a kind we accept (photos and PDF, checked on the bytes)",
    429: "Too many requests; see Retry-After",
    503: "A dependency is unavailable; see Retry-After",
}
_SECURITY: dict[str, list[dict[str, list[str]]]] = {
    "none": [],
    "firebase": [{"firebaseIdToken": []}],
    "api_key_or_firebase": [{"apiKey": []}, {"firebaseIdToken": []}],
}


def openapi_path(rule: str) -> str:
    """A werkzeug rule as an OpenAPI path: ``/x/<conversation_id>`` → ``/x/{conversation_id}``."""
    return _PATH_ARG.sub(r"{\1}", rule)


def _schema(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=_REF)
    for name, definition in schema.pop("$defs", {}).items():
        components[name] = definition
    components[model.__name__] = schema
    return {"$ref": _REF.format(model=model.__name__)}


def _query_parameters(model: type[BaseModel], components: dict[str, Any]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=_REF)
    for name, definition in schema.pop("$defs", {}).items():
        components[name] = definition
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def _operation(op: Operation, components: dict[str, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, model in op.responses.items():
        content = (
            {model: {"schema": {"type": "string", "format": "binary"}}}
            if isinstance(model, str)
            else {"application/json": {"schema": _schema(model, components)}}
        )
        responses[str(status)] = {"description": _STATUS_TEXT.get(status, "OK"), "content": content}
    error = {"content": {"application/json": {"schema": _schema(ErrorBody, components)}}}
    for status in sorted({*op.errors, 400, 404, 405, 413} - set(op.responses)):
        body: dict[str, Any] = {"description": _STATUS_TEXT.get(status, "Error"), **error}
        if status in (429, 503):
            body["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait"}}
        responses[str(status)] = body
    responses.setdefault("500", {"description": "Our bug; the body never carries internals", **error})
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": PATH_PARAMETERS[name]} for name in _PATH_ARG.findall(op.path)
    ]
    if op.query is not None:
        parameters += _query_parameters(op.query, components)
    result: dict[str, Any] = {
        "operationId": f"{op.function}_{op.method.lower()}_{re.sub(r'[^a-z0-9]+', '_', op.path.lower()).strip('_')}",
        "summary": op.summary,
        "tags": [op.function, *op.tags],
        "responses": responses,
        "security": _SECURITY[op.security],
    }
    if parameters:
        result["parameters"] = parameters
    if op.body is not None:
        result["requestBody"] = {"required": True, "content": {"application/json": {"schema": _schema(op.body, components)}}}
    if op.form is not None:
        form = {"application/x-www-form-urlencoded": {"schema": _schema(op.form, components)}}
        result["requestBody"] = {"required": True, "content": form}
    if op.upload:
        binary = {"schema": {"type": "string", "format": "binary"}}
        result["requestBody"] = {"required": True, "content": {kind: binary for kind in UPLOAD_TYPES}}
    if op.raw_body:
        pack = {"schema": {"type": "string", "description": "A knowledge pack (DESIGN.md's format)"}}
        content = {"application/yaml": pack, "application/json": {"schema": {"type": "object"}}}
        result["requestBody"] = {"required": True, "content": content}
    return result


@lru_cache(maxsize=1)
def openapi_document(version: str = "1") -> dict[str, Any]:
    """Every route of every function with its request and response schemas."""
    components: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    for op in ALL_OPERATIONS:
        paths.setdefault(openapi_path(op.path), {})[op.method.lower()] = _operation(op, components)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Chatdesk API",
            "version": version,
            "description": "Guest chat, agent dashboard, admin and health endpoints behind Firebase Hosting.",
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                "firebaseIdToken": {"type": "http", "scheme": "bearer", "bearerFormat": "Firebase ID token"},
            },
        },
    }
