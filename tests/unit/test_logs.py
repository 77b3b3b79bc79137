"""Logs are one JSON object a line, in Cloud Logging's shape, and never carry secrets."""

from __future__ import annotations

import io
import json
import logging

from shared import logs


def capture(fn) -> dict[str, object]:  # type: ignore[no-untyped-def]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.CloudLoggingFormatter())
    logger = logging.getLogger("test.logs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        fn(logger)
    finally:
        logger.removeHandler(handler)
    return json.loads(stream.getvalue().strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_a_log_line_has_severity_message_trace_and_labels() -> None:
    token = logs.bind(function="chat", tenant="novahouse", trace=logs.trace_resource("abc123/1;o=1", "demo-chatdesk"))
    try:
        entry = capture(lambda log: log.warning("hello", extra={"fields": {"latency_ms": 12}}))
    finally:
        logs.reset(token)
    assert entry["severity"] == "WARNING"
    assert entry["message"] == "hello"
    assert entry["logging.googleapis.com/trace"] == "projects/demo-chatdesk/traces/abc123"
    assert entry["logging.googleapis.com/labels"] == {"function": "chat", "tenant": "novahouse"}
    assert entry["latency_ms"] == 12


def test_a_malformed_trace_header_is_ignored() -> None:
    assert logs.trace_resource("not a trace!", "p") is None
    assert logs.trace_resource(None, "p") is None


def test_registered_secrets_and_credential_shapes_are_scrubbed() -> None:
    logs.register_secrets(["s3cr3t-value-123"])
    entry = capture(
        lambda log: log.info("key s3cr3t-value-123 api_key=AIzaSyDUMMYDUMMYDUMMYDUMMY1234 Authorization: Bearer abc.def.ghi")
    )
    text = json.dumps(entry)
    assert "s3cr3t-value-123" not in text
    assert "AIzaSy" not in text
    assert "abc.def.ghi" not in text
    assert "[REDACTED]" in text


def test_exceptions_log_type_and_place_but_not_their_text() -> None:
    def fail(log: logging.Logger) -> None:
        try:
            raise ValueError("password=hunter2 for user x")
        except ValueError:
            log.exception("failed")

    entry = capture(fail)
    assert entry["severity"] == "ERROR"
    assert entry["error"]["type"] == "ValueError"  # type: ignore[index]
    assert "hunter2" not in json.dumps(entry)
