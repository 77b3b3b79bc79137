"""A scripted ``LanguageModel`` for unit tests: queue replies or failures, inspect the requests."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from shared.domain.assistant import ModelFailure, ModelReply, ModelRequest
from shared.services.ports import LanguageModel

Scripted = ModelReply | ModelFailure | str


class InMemoryLanguageModel(LanguageModel):
    """Answers from a queue of scripted replies (a ``str`` is a plain reply), then from ``default``.

    A queued ``ModelFailure`` is raised instead of answering, so tests can drive fallbacks.
    Every request is kept in ``requests``, in order.
    """

    def __init__(
        self,
        script: Iterable[Scripted] = (),
        *,
        default: Scripted | None = None,
        check_result: str | Exception = "ok",
    ) -> None:
        self._script: deque[Scripted] = deque(script)
        self.default = default
        self.check_result = check_result
        self.requests: list[ModelRequest] = []

    def queue_reply(self, reply: ModelReply | str, **fields: object) -> None:
        """Answer the next request with ``reply`` (a string becomes ``ModelReply(reply=..., **fields)``)."""
        self._script.append(ModelReply.model_validate({"reply": reply, **fields}) if isinstance(reply, str) else reply)

    def queue_failure(self, reason: str) -> None:
        """Fail the next request with ``ModelFailure(reason)``."""
        self._script.append(ModelFailure(reason))

    @property
    def pending(self) -> int:
        """How many scripted answers are still queued."""
        return len(self._script)

    @property
    def last_request(self) -> ModelRequest:
        """The most recent request; fails the test if there was none."""
        assert self.requests, "the language model was never asked"
        return self.requests[-1]

    def generate(self, request: ModelRequest) -> ModelReply:
        """Record the request and play the next scripted answer."""
        self.requests.append(request)
        if self._script:
            scripted = self._script.popleft()
        elif self.default is not None:
            scripted = self.default
        else:
            # Loud on purpose: a test that did not expect the model to be asked should fail.
            raise AssertionError(f"InMemoryLanguageModel has no scripted reply for request #{len(self.requests)}")
        if isinstance(scripted, ModelFailure):
            # A fresh instance each time: one exception object must not be raised twice.
            raise ModelFailure(
                scripted.reason,
                model_ms=scripted.model_ms,
                input_tokens=scripted.input_tokens,
                output_tokens=scripted.output_tokens,
            )
        reply = ModelReply(reply=scripted) if isinstance(scripted, str) else scripted
        return reply if reply.model else reply.model_copy(update={"model": request.model})

    def check(self) -> str:
        """The configured health result (``ok``, ``disabled``) or raise the configured exception."""
        if isinstance(self.check_result, Exception):
            raise self.check_result
        return self.check_result
