"""Errors are logged in Cloud Error Reporting's shape: grouped by place, with a scrubbed stack trace."""

from __future__ import annotations

import io
import json
import logging
from typing import ClassVar

from shared import logs


def _logged_error(message: str) -> dict[str, object]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.CloudLoggingFormatter())
    logger = logging.getLogger("test.error_reporting")
    logger.addHandler(handler)
    logger.propagate = False
    token = logs.bind(function="chat")
    try:
        raise RuntimeError(message)
    except RuntimeError:
        logger.exception("unhandled error")
    finally:
        logs.reset(token)
        logger.removeHandler(handler)
    return json.loads(stream.getvalue().strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_an_unhandled_error_is_a_reported_error_event_with_service_and_place() -> None:
    logs.set_service_context(version="chat-00042-abc")
    entry = _logged_error("token=abc123secret in body")
    assert entry["@type"] == "type.googleapis.com/google.devtools.clouderrorreporting.v1beta1.ReportedErrorEvent"
    assert entry["serviceContext"] == {"service": "chat", "version": "chat-00042-abc"}
    location = entry["context"]["reportLocation"]  # type: ignore[index]
    assert location["functionName"] == "_logged_error" and location["lineNumber"] > 0
    assert location["filePath"].endswith("test_error_reporting.py")
    stack = str(entry["stack_trace"])
    assert stack.startswith("Traceback (most recent call last):") and stack.rstrip().endswith("RuntimeError")
    assert "in _logged_error" in stack


def test_the_stack_trace_never_carries_the_exception_text_or_source() -> None:
    entry = _logged_error("password=hunter2 guest said something private")
    text = json.dumps(entry)
    assert "hunter2" not in text and "private" not in text
    assert "raise RuntimeError" not in str(entry["stack_trace"])


def test_a_warning_with_an_exception_is_not_reported_as_an_error() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.CloudLoggingFormatter())
    logger = logging.getLogger("test.error_reporting.warning")
    logger.setLevel(logging.INFO)  # whatever level an earlier test left on the root logger
    logger.addHandler(handler)
    logger.propagate = False
    try:
        raise TimeoutError
    except TimeoutError:
        logger.warning("dependency slow", exc_info=True)
    finally:
        logger.removeHandler(handler)
    entry = json.loads(stream.getvalue())
    assert "@type" not in entry and entry["error"]["type"] == "TimeoutError"


def test_a_published_event_carries_the_requests_trace_on() -> None:
    from shared.adapters.pubsub_events import PubSubEventPublisher
    from shared.domain.events import ChatEvent

    class Recorder:
        attributes: ClassVar[dict[str, str]] = {}

        def publish(self, topic: str, data: bytes, **attributes: str):  # type: ignore[no-untyped-def]
            Recorder.attributes = attributes

            class Done:
                def result(self, timeout: float) -> None:
                    return None

            return Done()

    event = ChatEvent(type="lead.captured", tenant="novahouse", data={"conversation_id": "novahouse.x"})
    token = logs.bind(trace=logs.trace_resource("0af7651916cd43dd8448eb211c80319c/1;o=1", "demo-chatdesk"))
    try:
        PubSubEventPublisher(Recorder(), "projects/p/topics/chat-events").publish(event)
    finally:
        logs.reset(token)
    assert Recorder.attributes["trace"] == "projects/demo-chatdesk/traces/0af7651916cd43dd8448eb211c80319c"
    PubSubEventPublisher(Recorder(), "projects/p/topics/chat-events").publish(event)
    assert "trace" not in Recorder.attributes  # no request, no trace
