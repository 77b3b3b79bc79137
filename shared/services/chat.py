"""The chat turn: a guest asks, the bot answers from knowledge (or Gemini), and everything is kept."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared.domain.channels import ChannelContact
from shared.domain.conversation import (
    Conversation,
    Message,
    conversation_id_for,
    iso_utc,
    new_message_id,
    tenant_of,
)
from shared.domain.errors import ForbiddenError, NotFoundError
from shared.domain.experiments import enroll, with_outcomes
from shared.domain.knowledge import KnowledgePack
from shared.domain.leads import extract_lead, merge_leads
from shared.domain.metrics import rating_increments
from shared.domain.pages import clean_page_url
from shared.domain.records import ConversationWrite
from shared.domain.sessions import SessionIds
from shared.domain.validation import CONVERSATION_ID, LANGUAGE, TENANT_ID, clean_text, invalid, matching
from shared.services.chat_answer import Answerer
from shared.services.chat_presenters import TurnResult, parse_cursor, public_message
from shared.services.chat_turn import Replayed, TurnPlan
from shared.services.outbox import OutboxRelay
from shared.services.ports import (
    ConversationRepository,
    EventPublisher,
    LanguageModel,
    Outbox,
    TenantKnowledge,
    TenantRepository,
    TokenIssuer,
)

MAX_MESSAGE_CHARS = 2000
MAX_COMMENT_CHARS = 1000
POLL_LIMIT = 50
CLIENT_MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def _client_message_id(raw: Any) -> str | None:
    """The widget's id for one message, reused on retry; optional for other clients."""
    return None if raw is None else matching(CLIENT_MESSAGE_ID, raw, "client_message_id")


@dataclass
class ChatSettings:
    """The knobs of the chat service (from Settings)."""

    session_turns_per_minute: int = 20
    default_model: str = "gemini-2.5-flash"
    dev_origins: frozenset[str] = frozenset()
    # Signs session ids; one per process unless configured (the local stack runs in one process).
    session_secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))


class ChatService:
    """Guest-facing use cases: start a session, take a turn, rate, poll for messages."""

    def __init__(
        self,
        tenants: TenantRepository,
        conversations: ConversationRepository,
        model: LanguageModel,
        events: EventPublisher,
        tokens: TokenIssuer,
        settings: ChatSettings,
        *,
        ai_enabled: bool,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        relay: OutboxRelay | None = None,
    ) -> None:
        self.tenants = tenants
        self.conversations = conversations
        self.model = model
        self.events = events
        self.tokens = tokens
        self.settings = settings
        self.ai_enabled = ai_enabled
        self.clock = clock
        self.sessions = SessionIds(settings.session_secret)
        self.answerer = Answerer(model, ai_enabled=ai_enabled, default_model=settings.default_model)
        outbox = conversations if isinstance(conversations, Outbox) else None
        if relay is None and outbox is None:
            raise TypeError("the conversation repository must keep an outbox, or pass a relay")
        self.relay = relay or OutboxRelay(events, outbox)  # type: ignore[arg-type]  # checked just above

    # --- helpers ---------------------------------------------------------------------------

    def _tenant(self, raw: Any) -> tuple[str, TenantKnowledge]:
        tenant_id = matching(TENANT_ID, raw, "tenant")
        return tenant_id, self.tenants.get(tenant_id)

    def check_origin(self, origin: str | None, knowledge: TenantKnowledge) -> None:
        """A browser call from an origin the tenant does not list is refused (CORS is enforced, not advisory)."""
        if origin and origin not in knowledge.pack.tenant.allowed_origins and origin not in self.settings.dev_origins:
            raise ForbiddenError("This website is not allowed to use this chat")

    def allowed_origins(self, tenant_id: str | None) -> set[str]:
        """Origins that may call the chat API for a tenant (for CORS headers)."""
        if tenant_id and TENANT_ID.fullmatch(tenant_id):
            try:
                return set(self.tenants.get(tenant_id).pack.tenant.allowed_origins) | set(self.settings.dev_origins)
            except NotFoundError:
                return set(self.settings.dev_origins)
        return set(self.settings.dev_origins)

    def _page_url(self, body: dict[str, Any], knowledge: TenantKnowledge) -> str | None:
        """The guest's page (origin + path) when it is on one of the tenant's origins; anything else is dropped."""
        return clean_page_url(body.get("page_url"), set(knowledge.pack.tenant.allowed_origins) | self.settings.dev_origins)

    def _day(self, pack: KnowledgePack, moment: datetime) -> str:
        return moment.astimezone(ZoneInfo(pack.tenant.timezone)).strftime("%Y-%m-%d")

    def _language(self, pack: KnowledgePack, requested: Any, message: str, current: str | None) -> str:
        tenant = pack.tenant
        if requested is not None:
            lang = matching(LANGUAGE, requested, "language")
            if lang in tenant.languages:
                return lang
        from shared.domain.language import detect_language

        return detect_language(message, tenant.languages, current or tenant.default_language)

    def _new_conversation(
        self, tenant: str, session_id: str, language: str, now: datetime, retention_days: int, channel: str = "web"
    ) -> Conversation:
        return Conversation(
            id=conversation_id_for(tenant, session_id),
            tenant=tenant,
            channel=channel,
            language=language,
            created_at=now,
            updated_at=now,
            retention_days=retention_days,
        )

    # --- use cases -------------------------------------------------------------------------

    def start_session(self, body: dict[str, Any], origin: str | None = None) -> dict[str, Any]:
        """A new guest session: conversation created with the greeting, and a token to read it live."""
        tenant_id, knowledge = self._tenant(body.get("tenant"))
        self.check_origin(origin, knowledge)
        pack = knowledge.pack
        requested = body.get("language")
        language = (
            requested if isinstance(requested, str) and requested in pack.tenant.languages else pack.tenant.default_language
        )
        now = self.clock()
        session_id = self.sessions.issue()
        conversation = self._new_conversation(tenant_id, session_id, language, now, pack.tenant.retention_days)
        conversation.visited(self._page_url(body, knowledge))
        overrides = enroll(conversation, knowledge.experiments)  # A/B: the variant is fixed at the first turn
        greeting = overrides.greeting or pack.tenant.greeting.get(language) or next(iter(pack.tenant.greeting.values()), "")
        if not greeting:
            greeting = (
                "Dzień dobry! W czym mogę pomóc?" if language == "pl" else f"Hello! How can I help you with {pack.tenant.name}?"
            )
        message = Message(id=new_message_id(now, "bot"), role="bot", text=greeting, created_at=now, intent="greeting")
        conversation.append([message], now)
        self.conversations.commit(
            ConversationWrite(
                conversation,
                messages=[message],
                metrics=with_outcomes(conversation, knowledge.experiments, {"conversations": 1, "messages": 1}),
                day=self._day(pack, now),
            )
        )
        token = self.tokens.guest_token(
            f"guest-{conversation.id.replace('.', '-')}"[:128],
            {"tenant": tenant_id, "conversation_id": conversation.id, "role": "guest"},
        )
        return {"session_id": session_id, "conversation_id": conversation.id, "token": token, "greeting": greeting}

    def turn(self, body: dict[str, Any], origin: str | None = None, *, contact: ChannelContact | None = None) -> TurnResult:
        """One guest message and the bot's answer (or silence when a human has the conversation).

        A web guest is a session; a ``contact`` (WhatsApp) is keyed by its address instead.
        """
        started = time.perf_counter()
        message = clean_text(body.get("message"), "message", MAX_MESSAGE_CHARS)
        tenant_id, knowledge = self._tenant(body.get("tenant"))
        self.check_origin(origin, knowledge)
        client_message_id = _client_message_id(body.get("client_message_id"))
        raw_session = body.get("session_id")
        if contact is not None:
            session_id, raw_session = "", contact.address
            conv_id = conversation_id_for(tenant_id, contact.address)
        else:
            session_id = self.sessions.verified(raw_session) if raw_session is not None else self.sessions.issue()
            conv_id = conversation_id_for(tenant_id, session_id)
        now = self.clock()
        # A fresh session has nothing to read; otherwise this is the turn's one conversation read.
        current = self.conversations.get(tenant_id, conv_id) if raw_session is not None else None
        done = current.remembered(client_message_id) if current else None
        if done is not None:
            return TurnResult.replayed(session_id, conv_id, done)
        pack = knowledge.pack
        language = self._language(pack, body.get("language"), message, current.language if current else None)
        # The expensive part (knowledge, the model) runs once, outside the retried commit.
        answers = current is None or current.bot_answers_next
        probe = current or Conversation(id=conv_id, tenant=tenant_id, language=language, created_at=now, updated_at=now)
        overrides = enroll(probe, knowledge.experiments)  # A/B: the variant follows from the conversation id
        reply = self.answerer.reply(knowledge, probe, message, language, now, overrides) if answers else None
        lead_fields = extract_lead(message)
        if reply is not None and reply.model is not None:
            lead_fields = merge_leads(lead_fields, reply.model.lead)
        plan = TurnPlan(
            tenant=tenant_id,
            conversation_id=conv_id,
            channel=contact.channel if contact else "web",
            contact=contact.address if contact else None,
            attachments=list(contact.attachments) if contact else None,
            text=message,
            language=language,
            received_at=now,
            replied_at=max(self.clock(), now + timedelta(microseconds=1)),
            day=self._day(pack, now),
            turns_per_minute=self.settings.session_turns_per_minute,
            reply=reply,
            experiments=knowledge.experiments,
            retention_days=pack.tenant.retention_days,
            lead_fields=lead_fields,
            latency_ms=int((time.perf_counter() - started) * 1000),
            client_message_id=client_message_id,
            page_url=None if contact else self._page_url(body, knowledge),
        )
        try:
            write = self.conversations.update_in_transaction(tenant_id, conv_id, plan.change, first=current)
        except Replayed as replay:  # the same message, stored meanwhile by a concurrent retry
            return TurnResult.replayed(session_id, conv_id, replay.record)
        self.relay.dispatch(write.events)
        assert plan.record is not None  # set by the change that was committed
        return TurnResult.replayed(session_id, conv_id, plan.record, model_ms=reply.model_ms if reply else 0)

    def owned_conversation(self, raw_conversation: Any, raw_session: Any) -> tuple[str, str]:
        """(tenant, conversation id) when the guest's server-issued session owns the conversation; else 400/403."""
        conv_id = matching(CONVERSATION_ID, raw_conversation, "conversation_id")
        session_id = self.sessions.verified(raw_session)
        tenant_id = tenant_of(conv_id)
        if conversation_id_for(tenant_id, session_id) != conv_id:
            raise ForbiddenError("This session does not own the conversation")
        return tenant_id, conv_id

    def rate(self, body: dict[str, Any], origin: str | None = None) -> dict[str, Any]:
        """A 1–5 CSAT rating, once per conversation; repeats change nothing."""
        tenant_id, conv_id = self.owned_conversation(body.get("conversation_id"), body.get("session_id"))
        score = body.get("score")
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise invalid("score", "must be a whole number from 1 to 5")
        comment = clean_text(body.get("comment"), "comment", MAX_COMMENT_CHARS, required=False)
        knowledge = self.tenants.get(tenant_id)
        self.check_origin(origin, knowledge)
        now = self.clock()

        def change(current: Conversation | None) -> ConversationWrite:
            if current is None:
                raise NotFoundError("Conversation not found")
            if current.rating is not None:
                return ConversationWrite(current, changed=set())  # rated before: nothing changes
            current.rating = score
            current.rating_comment = comment or None
            current.rated_at = now
            return ConversationWrite(
                current,
                metrics=with_outcomes(current, knowledge.experiments, rating_increments(score, commented=bool(comment))),
                day=self._day(knowledge.pack, now),
                changed={"rating", "rating_comment", "rated_at"},
            )

        write = self.conversations.update_in_transaction(tenant_id, conv_id, change)
        already = not write.metrics
        return {"success": True, "conversation_id": conv_id, "score": write.conversation.rating, "already_rated": already}

    def poll(self, args: dict[str, Any]) -> dict[str, Any]:
        """The guest's fallback when no listener can be established: messages after a cursor."""
        tenant_id, conv_id = self.owned_conversation(args.get("conversation_id"), args.get("session_id"))
        if args.get("tenant") not in (None, tenant_id):
            raise ForbiddenError("This session does not own the conversation")
        after = parse_cursor(args.get("after"))
        conversation = self.conversations.get(tenant_id, conv_id)
        if conversation is None:
            raise NotFoundError("Conversation not found")
        messages = self.conversations.messages_after(tenant_id, conv_id, after, POLL_LIMIT)
        cursor = iso_utc(messages[-1].created_at) if messages else (args.get("after") or None)
        # The cursor moves past staff-only notices too, but the guest never sees them.
        visible = [public_message(m) for m in messages if m.guest_may_see]
        return {"messages": visible, "cursor": cursor, "mode": conversation.mode}
