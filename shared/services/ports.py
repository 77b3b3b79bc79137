"""Ports: what services need from the outside world. Adapters implement them (a real one and a fake)."""

from __future__ import annotations

import builtins
import random
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.domain.assistant import ModelReply, ModelRequest
from shared.domain.conversation import Conversation, Message
from shared.domain.delivery import DeliveryStatus
from shared.domain.errors import ConflictError, StaleWriteError
from shared.domain.events import ChatEvent
from shared.domain.experiments import Experiment
from shared.domain.knowledge import KnowledgePack
from shared.domain.records import ConversationWrite, Lead, Note


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


_UNREAD: Any = object()
UPDATE_ATTEMPTS = 6


class ConversationRepository(ABC):
    """Conversations, their messages and notes, leads and roll-ups, and the events outbox."""

    @abstractmethod
    def get(self, tenant: str, conversation_id: str) -> Conversation | None: ...

    @abstractmethod
    def commit(self, write: ConversationWrite) -> None:
        """Write everything in one commit, conditional on the version the write was computed from.

        A conversation at version 0 is created (fails if it exists); otherwise the commit creates the
        revision record ``version + 1``, which fails if another commit made it first. Either failure
        raises StaleWriteError and writes nothing. On success ``write.conversation.version`` is the new one.
        """

    def update_in_transaction(
        self,
        tenant: str,
        conversation_id: str,
        change: Callable[[Conversation | None], ConversationWrite],
        *,
        first: Conversation | None = _UNREAD,
    ) -> ConversationWrite:
        """Read, let ``change`` decide, commit conditionally; on a concurrent change read again and decide again.

        ``first`` is a state the caller already read (saves the read on the first attempt). The same
        loop runs over every adapter, so the fake retries exactly as the real one does.
        """
        current = self.get(tenant, conversation_id) if first is _UNREAD else first
        for attempt in range(UPDATE_ATTEMPTS):
            write = change(current.model_copy(deep=True) if current is not None else None)
            if write.is_noop:
                return write
            try:
                self.commit(write)
                return write
            except StaleWriteError:
                time.sleep(random.uniform(0, 0.02 * (2**attempt)))  # noqa: S311 - jitter, not security
                current = self.get(tenant, conversation_id)
        raise ConflictError("The conversation changed meanwhile, try again")

    @abstractmethod
    def messages_after(self, tenant: str, conversation_id: str, after: datetime | None, limit: int) -> list[Message]:
        """Messages in creation order, strictly after the cursor."""

    @abstractmethod
    def notes(self, tenant: str, conversation_id: str, limit: int) -> list[Note]: ...

    @abstractmethod
    def list(self, tenant: str, mode: str | None, limit: int) -> list[Conversation]:
        """Newest activity first, optionally only one mode."""

    @abstractmethod
    def search(self, tenant: str, term: str, limit: int) -> builtins.list[Conversation]:
        """The tenant's conversations whose ``search_terms`` contain ``term``, newest activity first."""

    @abstractmethod
    def leads_of(self, tenant: str, conversation_id: str) -> builtins.list[Lead]:
        """The leads captured in one conversation of the tenant (usually one), oldest first."""

    @abstractmethod
    def report_delivery(self, tenant: str, conversation_id: str, message_id: str, reported: DeliveryStatus) -> bool:
        """Apply a delivery report to a sent message by ``next_delivery_status``; False when nothing changed."""

    @abstractmethod
    def deliveries_after(self, tenant: str, conversation_id: str, after: datetime | None, limit: int) -> builtins.list[Message]:
        """Messages whose delivery status changed after the moment (for clients that poll)."""


class EventPublisher(ABC):
    """Publishes ``chat-events``; raises on failure (the outbox relay decides what that means)."""

    @abstractmethod
    def publish(self, event: ChatEvent) -> None: ...


class Outbox(ABC):
    """Events stored with the commit that produced them (``tenants/{t}/outbox/{event_id}``), until delivered."""

    @abstractmethod
    def pending(self, older_than_seconds: float, limit: int, tenant: str | None = None) -> list[ChatEvent]:
        """Stored events not yet marked delivered, at least this old (of every tenant, or one)."""

    @abstractmethod
    def mark_delivered(self, event: ChatEvent) -> None: ...


class TokenIssuer(ABC):
    """Issues the Firebase custom token a guest's widget signs in with."""

    @abstractmethod
    def guest_token(self, uid: str, claims: dict[str, str]) -> str: ...
