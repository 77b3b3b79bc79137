"""Ports: what services need from the outside world. Adapters implement them (a real one and a fake)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.domain.assistant import ModelReply, ModelRequest
from shared.domain.conversation import Conversation, Message
from shared.domain.events import ChatEvent
from shared.domain.experiments import Experiment
from shared.domain.knowledge import KnowledgePack
from shared.domain.records import ConversationWrite, Note


class LanguageModel(ABC):
    """Answers a guest from retrieved knowledge; raises ``ModelFailure`` when it cannot."""

    @abstractmethod
    def generate(self, request: ModelRequest) -> ModelReply: ...

    @abstractmethod
    def check(self) -> str:
        """``ok`` when configured and reachable; ``disabled`` when no model is configured."""


@dataclass
class TenantKnowledge:
    """A tenant's current knowledge, as cached by one instance; the index is built once per version."""

    pack: KnowledgePack
    version: int
    experiments: list[Experiment] = field(default_factory=list)  # running A/B experiments, cached with the pack
    _index: Any = field(default=None, repr=False)

    @property
    def index(self) -> Any:
        if self._index is None:
            from shared.domain.retrieval import KnowledgeIndex

            self._index = KnowledgeIndex.build(self.pack)
        return self._index


class TenantRepository(ABC):
    """Tenants and their knowledge."""

    @abstractmethod
    def get(self, tenant_id: str) -> TenantKnowledge:
        """The tenant's knowledge; raises NotFoundError for an unknown tenant."""

    @abstractmethod
    def import_pack(self, pack: KnowledgePack) -> int:
        """Replace the tenant's knowledge atomically; returns the new version."""

    @abstractmethod
    def origin_known(self, origin: str) -> bool:
        """Whether any tenant allows this web origin (for CORS preflight, before the tenant is known)."""

    def forget(self, tenant_id: str) -> None:  # noqa: B027 - optional hook; repositories without a cache need nothing
        """Drop this instance's cached copy after it changed the tenant's config itself."""


class ConversationRepository(ABC):
    """Conversations, their messages and notes, leads and roll-ups."""

    @abstractmethod
    def get(self, tenant: str, conversation_id: str) -> Conversation | None: ...

    @abstractmethod
    def commit(self, write: ConversationWrite) -> None:
        """Write everything in one commit."""

    @abstractmethod
    def update_in_transaction(
        self, tenant: str, conversation_id: str, change: Callable[[Conversation | None], ConversationWrite]
    ) -> ConversationWrite:
        """Read the conversation and commit ``change``'s write atomically; concurrent changes are retried."""

    @abstractmethod
    def messages_after(self, tenant: str, conversation_id: str, after: datetime | None, limit: int) -> list[Message]:
        """Messages in creation order, strictly after the cursor."""

    @abstractmethod
    def notes(self, tenant: str, conversation_id: str, limit: int) -> list[Note]: ...

    @abstractmethod
    def list(self, tenant: str, mode: str | None, limit: int) -> list[Conversation]:
        """Newest activity first, optionally only one mode."""


class EventPublisher(ABC):
    """Publishes ``chat-events``."""

    @abstractmethod
    def publish(self, event: ChatEvent) -> None: ...


class TokenIssuer(ABC):
    """Issues the Firebase custom token a guest's widget signs in with."""

    @abstractmethod
    def guest_token(self, uid: str, claims: dict[str, str]) -> str: ...
