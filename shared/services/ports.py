"""Ports: what services need from the outside world. Adapters implement them."""

from __future__ import annotations

from abc import ABC, abstractmethod

from shared.domain.assistant import ModelReply, ModelRequest


class LanguageModel(ABC):
    """Answers a guest from retrieved knowledge; raises ``ModelFailure`` when it cannot."""

    @abstractmethod
    def generate(self, request: ModelRequest) -> ModelReply: ...

    @abstractmethod
    def check(self) -> str:
        """``ok`` when configured and reachable; ``disabled`` when no model is configured."""
