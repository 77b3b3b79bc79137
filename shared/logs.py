"""Structured JSON logs in the shape Cloud Logging reads from a function's stdout."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

# Never mutated: bind() always sets a new dict.
_context: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("log_context", default={})  # noqa: B039

# Things that look like credentials are masked even when nobody registered them as secrets.
_SECRET_PATTERNS = [
    re.compile(r"(?i)(authorization|x-api-key|api[_-]?key|token|password|secret)([\"']?\s*[:=]\s*[\"']?)([^\s\"',}]+)"),
    re.compile(r"(?i)\bbearer\s+[a-z0-9._\-]+"),
    re.compile(r"\bAIza[0-9A-Za-z_\-]{20,}"),
    re.compile(r"\bey[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]*"),
]
_known_secrets: set[str] = set()
# Cloud Error Reporting picks up any log entry with this @type (or a stack trace) and groups by place.
REPORTED_ERROR_TYPE = "type.googleapis.com/google.devtools.clouderrorreporting.v1beta1.ReportedErrorEvent"
_service_context: dict[str, str] = {"service": "chatdesk", "version": "local"}


def register_secrets(values: Iterable[str]) -> None:
    """Remember secret values so that no log line ever prints them."""
    _known_secrets.update(v for v in values if v and len(v) >= 4)


def scrub(text: str) -> str:
    """Mask registered secrets and credential-looking substrings."""
    for secret in _known_secrets:
        text = text.replace(secret, "[REDACTED]")
    text = _SECRET_PATTERNS[1].sub("Bearer [REDACTED]", text)
    text = _SECRET_PATTERNS[0].sub(lambda m: f"{m.group(1)}{m.group(2)}[REDACTED]", text)
    text = _SECRET_PATTERNS[2].sub("[REDACTED]", text)
    return _SECRET_PATTERNS[3].sub("[REDACTED]", text)


def set_service_context(service: str | None = None, version: str | None = None) -> None:
    """Name the service and revision error reports are filed under (Cloud Run's K_SERVICE/K_REVISION)."""
    if service:
        _service_context["service"] = service
    if version:
        _service_context["version"] = version


def scrubbed_stack_trace(exc_type: type[BaseException], tb: Any) -> str:
    """A Python traceback Error Reporting can parse: frames and the exception type, never the
    exception's text or source lines (either can carry request data or secrets)."""
    lines = ["Traceback (most recent call last):"]
    for frame in traceback.extract_tb(tb):
        lines.append(f'  File "{_short_path(frame.filename)}", line {frame.lineno}, in {frame.name}')
    lines.append(f"{exc_type.__module__}.{exc_type.__qualname__}" if exc_type.__module__ != "builtins" else exc_type.__qualname__)
    return scrub("\n".join(lines))


def _short_path(filename: str) -> str:
    # Site-packages and bundle roots differ per machine; the path from the package down groups alike.
    for marker in ("/site-packages/", "/shared/", "/functions/"):
        if marker in filename:
            head = marker.strip("/") if marker != "/site-packages/" else ""
            return f"{head}/{filename.split(marker, 1)[1]}".lstrip("/")
    return filename.rsplit("/", 1)[-1]


def reported_error(record: logging.LogRecord, service: str | None) -> dict[str, Any]:
    """The Error Reporting fields of a log entry for a record carrying an exception."""
    assert record.exc_info is not None and record.exc_info[0] is not None
    exc_type, _, tb = record.exc_info
    frames = traceback.extract_tb(tb)
    last = frames[-1] if frames else None
    fields: dict[str, Any] = {
        "@type": REPORTED_ERROR_TYPE,
        "stack_trace": scrubbed_stack_trace(exc_type, tb),
        "serviceContext": {**_service_context, **({"service": service} if service else {})},
    }
    if last is not None:
        fields["context"] = {
            "reportLocation": {"filePath": _short_path(last.filename), "lineNumber": last.lineno, "functionName": last.name}
        }
    return fields


def bind(**labels: str | None) -> contextvars.Token[dict[str, str]]:
    """Add labels (function, tenant, trace) to every log line of the current request."""
    merged = {**_context.get(), **{k: v for k, v in labels.items() if v}}
    return _context.set(merged)


def current_trace() -> str | None:
    """The Cloud Trace resource bound to this request, to pass on (e.g. as a Pub/Sub attribute)."""
    return _context.get().get("trace")


def reset(token: contextvars.Token[dict[str, str]]) -> None:
    """Drop the labels bound by the matching ``bind``."""
    _context.reset(token)


def trace_resource(header: str | None, project_id: str) -> str | None:
    """The Cloud Logging trace name for an ``X-Cloud-Trace-Context: TRACE/SPAN;o=1`` header."""
    if not header:
        return None
    trace_id = header.split("/", 1)[0].strip()
    if not re.fullmatch(r"[0-9a-fA-F]{1,64}", trace_id):
        return None
    return f"projects/{project_id}/traces/{trace_id}"


class CloudLoggingFormatter(logging.Formatter):
    """One JSON object per line: severity, message, trace and labels; secrets scrubbed."""

    def format(self, record: logging.LogRecord) -> str:
        context = dict(_context.get())
        entry: dict[str, Any] = {
            "severity": record.levelname if record.levelname != "WARNING" else "WARNING",
            "message": scrub(record.getMessage()),
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "logger": record.name,
        }
        trace = context.pop("trace", None)
        if trace:
            entry["logging.googleapis.com/trace"] = trace
        if context:
            entry["logging.googleapis.com/labels"] = context
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update({k: v for k, v in fields.items() if k not in entry})
        if record.exc_info and record.exc_info[0] is not None:
            # Type and location only: exception text can carry request data or secrets.
            exc_type, _, tb = record.exc_info
            frames = traceback.extract_tb(tb)[-3:]
            entry["error"] = {
                "type": exc_type.__name__,
                "where": [f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno} {f.name}" for f in frames],
            }
            if record.levelno >= logging.ERROR:
                entry.update(reported_error(record, context.get("function")))
        return scrub(json.dumps(entry, ensure_ascii=False, default=str))


def configure(level: str = "INFO", stream: Any = None) -> None:
    """Send every log record to stdout as Cloud Logging JSON (idempotent)."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "_chatdesk", False)), None)
    if handler is None:
        handler = logging.StreamHandler(stream or sys.stdout)
        handler._chatdesk = True  # type: ignore[attr-defined]
        handler.setFormatter(CloudLoggingFormatter())
        root.addHandler(handler)
    root.setLevel(level.upper())


def get_logger(name: str) -> logging.Logger:
    """A standard logger; pass structured fields with ``extra={"fields": {...}}``."""
    return logging.getLogger(name)
