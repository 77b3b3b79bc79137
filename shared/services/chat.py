"""The chat turn: a guest asks, the bot answers from knowledge (or Gemini), and everything is kept."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from shared.domain.assistant import LeadFields, ModelFailure, ModelReply, ModelRequest, Turn
from shared.domain.conversation import (
    Conversation,
    Message,
    conversation_id_for,
    iso_utc,
    localized,
    new_message_id,
    new_session_id,
    system_message,
    tenant_of,
)
from shared.domain.errors import BadRequestError, ForbiddenError, NotFoundError, RateLimitedError
from shared.domain.events import HANDOFF_REQUESTED, LEAD_CAPTURED, ChatEvent
from shared.domain.handoff import accepts_offer, handoff_notice, waiting_ack, wants_human
from shared.domain.knowledge import KnowledgePack
from shared.domain.leads import extract_lead, is_contactable, merge_leads
from shared.domain.metrics import rating_increments, turn_increments
from shared.domain.records import ConversationWrite, Lead
from shared.domain.validation import CONVERSATION_ID, LANGUAGE, SESSION_ID, TENANT_ID, clean_text, invalid, matching
from shared.services.ports import (
    ConversationRepository,
    EventPublisher,
    LanguageModel,
    TenantKnowledge,
    TenantRepository,
    TokenIssuer,
)

if TYPE_CHECKING:
    from shared.domain.answering import KnowledgeAnswer

MAX_MESSAGE_CHARS = 2000
MAX_COMMENT_CHARS = 1000
POLL_LIMIT = 50


class IpRateLimiter:
    """Sliding-window turns per client IP, per instance; a global limit belongs at the load balancer."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._per_minute = per_minute
        self._clock = clock
        self._hits: dict[str, list[float]] = {}

    def check(self, ip: str) -> None:
        now = self._clock()
        hits = [t for t in self._hits.get(ip, []) if now - t < 60]
        if len(hits) >= self._per_minute:
            self._hits[ip] = hits
            raise RateLimitedError("Too many messages from this address", retry_after=int(60 - (now - hits[0])) + 1)
        hits.append(now)
        self._hits[ip] = hits
        if len(self._hits) > 10_000:  # bounded memory under a flood of addresses
            self._hits = {k: v for k, v in self._hits.items() if v and now - v[-1] < 60}


@dataclass
class ChatSettings:
    """The knobs of the chat service (from Settings)."""

    session_turns_per_minute: int = 20
    default_model: str = "gemini-2.5-flash"
    dev_origins: frozenset[str] = frozenset()


@dataclass
class TurnResult:
    session_id: str
    conversation_id: str
    response: str
    source: str
    intent: str
    language: str
    suggestions: list[str]
    timestamp: str
    mode: str = "bot"
    model_ms: int = 0

    def body(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "conversation_id": self.conversation_id,
            "response": self.response,
            "source": self.source,
            "intent": self.intent,
            "language": self.language,
            "suggestions": self.suggestions,
            "timestamp": self.timestamp,
            "mode": self.mode,
        }


@dataclass
class _Reply:
    text: str
    source: str
    intent: str
    suggestions: list[str] = field(default_factory=list)
    packages: list[str] = field(default_factory=list)
    model: ModelReply | None = None
    model_ms: int = 0
    wants_human: bool = False
    input_tokens: int = 0
    output_tokens: int = 0
    confidence: float | None = None
    used: list[str] = field(default_factory=list)


_FALLBACK = {
    "pl": "Przepraszam, nie mam teraz pewnej odpowiedzi na to pytanie. Mogę połączyć Cię z konsultantem — napisz „konsultant”.",
    "en": "Sorry, I don't have a reliable answer to that right now. "
    "I can connect you with a member of our team — just type “human”.",
}
_AI_OFF = {
    "pl": "Nie znalazłem odpowiedzi w naszej bazie wiedzy. Mogę połączyć Cię z konsultantem — napisz „konsultant”.",
    "en": "I couldn't find that in our knowledge base. I can connect you with a member of our team — just type “human”.",
}
_REOPENED = {"pl": "Rozmowa została wznowiona.", "en": "The conversation has been reopened."}
_ASK_HUMAN = {"pl": "Gość poprosił o rozmowę z konsultantem.", "en": "The guest asked to talk to a person."}


# What a bot turn changes on an existing conversation; the mode only when the turn changes it.
_TURN_FIELDS = frozenset(
    {
        "language",
        "updated_at",
        "message_count",
        "guest_message_count",
        "recent",
        "last_message",
        "rate_window_start",
        "rate_count",
        "lead_id",
    }
)


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
    ) -> None:
        self.tenants = tenants
        self.conversations = conversations
        self.model = model
        self.events = events
        self.tokens = tokens
        self.settings = settings
        self.ai_enabled = ai_enabled
        self.clock = clock

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

    def _new_conversation(self, tenant: str, session_id: str, language: str, now: datetime, channel: str = "web") -> Conversation:
        return Conversation(
            id=conversation_id_for(tenant, session_id),
            tenant=tenant,
            channel=channel,
            language=language,
            created_at=now,
            updated_at=now,
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
        session_id = new_session_id()
        conversation = self._new_conversation(tenant_id, session_id, language, now)
        greeting = pack.tenant.greeting.get(language) or next(iter(pack.tenant.greeting.values()), "")
        if not greeting:
            greeting = (
                "Dzień dobry! W czym mogę pomóc?" if language == "pl" else f"Hello! How can I help you with {pack.tenant.name}?"
            )
        message = Message(id=new_message_id(now, "bot"), role="bot", text=greeting, created_at=now, intent="greeting")
        conversation.append([message], now)
        self.conversations.commit(
            ConversationWrite(
                conversation, messages=[message], metrics={"conversations": 1, "messages": 1}, day=self._day(pack, now)
            )
        )
        token = self.tokens.guest_token(
            f"guest-{conversation.id.replace('.', '-')}"[:128],
            {"tenant": tenant_id, "conversation_id": conversation.id, "role": "guest"},
        )
        return {"session_id": session_id, "conversation_id": conversation.id, "token": token, "greeting": greeting}

    def turn(self, body: dict[str, Any], origin: str | None = None) -> TurnResult:
        """One guest message and the bot's answer (or silence when a human has the conversation)."""
        started = time.perf_counter()
        message = clean_text(body.get("message"), "message", MAX_MESSAGE_CHARS)
        tenant_id, knowledge = self._tenant(body.get("tenant"))
        self.check_origin(origin, knowledge)
        raw_session = body.get("session_id")
        session_id = matching(SESSION_ID, raw_session, "session_id") if raw_session is not None else new_session_id()
        pack = knowledge.pack
        now = self.clock()

        conv_id = conversation_id_for(tenant_id, session_id)
        existing = self.conversations.get(tenant_id, conv_id)
        is_new = existing is None
        conversation = existing or self._new_conversation(tenant_id, session_id, pack.tenant.default_language, now)
        self._check_session_rate(conversation, now)
        language = self._language(pack, body.get("language"), message, None if is_new else conversation.language)
        conversation.language = language

        mode_before = conversation.mode
        messages: list[Message] = []
        guest = Message(id=new_message_id(now, "guest"), role="guest", text=message, created_at=now, language=language)
        messages.append(guest)
        events: list[ChatEvent] = []
        handoff = False

        if conversation.mode == "closed":
            conversation.mode = "bot"
            conversation.assigned_agent = None
            messages.append(system_message(now, localized(_REOPENED, language)))

        if conversation.mode == "human":
            reply = _Reply(text="", source="agent", intent="human")
        elif conversation.mode == "pending":
            # Waiting for a person: the bot still answers what the knowledge can; the rest is acknowledged.
            reply = self._answer(knowledge, conversation, message, language, knowledge_only=True)
            if reply.source not in ("faq", "tool") or len(message.split()) < 2:  # "Czekam", "halo?" are not questions
                left = conversation.lead_id is not None or is_contactable(extract_lead(message))
                reply = _Reply(text=waiting_ack(pack.tenant, now, language, left), source="fallback", intent="waiting")
        elif wants_human(message, pack.tenant.handoff_keywords, offered=accepts_offer(conversation.recent)):
            reply = _Reply(text=handoff_notice(pack.tenant, now, language), source="agent", intent="handoff")
            handoff = True
        else:
            reply = self._answer(knowledge, conversation, message, language)
            handoff = reply.wants_human

        lead_fields = extract_lead(message)
        if reply.model is not None:
            lead_fields = merge_leads(lead_fields, reply.model.lead)
        lead = self._lead(conversation, lead_fields, language, now)
        if lead is not None:
            events.append(ChatEvent(type=LEAD_CAPTURED, tenant=tenant_id, data=lead.model_dump(mode="json"), occurred_at=now))

        latency_ms = int((time.perf_counter() - started) * 1000)
        reply_at = max(self.clock(), now + timedelta(microseconds=1))
        if reply.text:
            messages.append(
                Message(
                    id=new_message_id(reply_at, "bot"),
                    role="bot",
                    text=reply.text,
                    created_at=reply_at,
                    source=reply.source,
                    intent=reply.intent,
                    language=language,
                    latency_ms=latency_ms,
                    model_ms=reply.model_ms or None,
                    input_tokens=reply.input_tokens or None,
                    output_tokens=reply.output_tokens or None,
                    confidence=reply.confidence,
                    used=reply.used or None,
                )
            )
        if handoff and conversation.mode == "bot":
            conversation.mode = "pending"
            messages.append(system_message(reply_at + timedelta(microseconds=1), localized(_ASK_HUMAN, language)))
            events.append(
                ChatEvent(
                    type=HANDOFF_REQUESTED,
                    tenant=tenant_id,
                    data={"conversation_id": conv_id, "channel": conversation.channel},
                    occurred_at=now,
                )
            )

        conversation.append(messages, reply_at)
        conversation.guest_message_count += 1
        metrics = turn_increments(
            new_conversation=is_new,
            messages=len(messages),
            source=reply.source if reply.text else None,
            intent=reply.intent if reply.text else None,
            packages=reply.packages,
            latency_ms=latency_ms if reply.text else None,
            lead_captured=lead is not None and conversation.lead_id is None,
            handoff=handoff,
            input_tokens=reply.input_tokens,
            output_tokens=reply.output_tokens,
        )
        if lead is not None:
            conversation.lead_id = lead.id
        mode_changed = conversation.mode != mode_before
        changed = None if is_new else set(_TURN_FIELDS) | ({"mode", "assigned_agent"} if mode_changed else set())
        self.conversations.commit(
            ConversationWrite(
                conversation, messages=messages, metrics=metrics, day=self._day(pack, now), lead=lead, changed=changed
            )
        )
        for event in events:
            self.events.publish(event)
        return TurnResult(
            session_id=session_id,
            conversation_id=conv_id,
            response=reply.text,
            source=reply.source,
            intent=reply.intent,
            language=language,
            suggestions=reply.suggestions,
            timestamp=iso_utc(reply_at),
            mode=conversation.mode,
            model_ms=reply.model_ms,
        )

    def rate(self, body: dict[str, Any], origin: str | None = None) -> dict[str, Any]:
        """A 1–5 CSAT rating, once per conversation; repeats change nothing."""
        conv_id = matching(CONVERSATION_ID, body.get("conversation_id"), "conversation_id")
        session_id = matching(SESSION_ID, body.get("session_id"), "session_id")
        score = body.get("score")
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise invalid("score", "must be a whole number from 1 to 5")
        comment = clean_text(body.get("comment"), "comment", MAX_COMMENT_CHARS, required=False)
        tenant_id = tenant_of(conv_id)
        if conversation_id_for(tenant_id, session_id) != conv_id:
            raise ForbiddenError("This session does not own the conversation")
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
                metrics=rating_increments(score),
                day=self._day(knowledge.pack, now),
                changed={"rating", "rating_comment", "rated_at"},
            )

        write = self.conversations.update_in_transaction(tenant_id, conv_id, change)
        already = not write.metrics
        return {"success": True, "conversation_id": conv_id, "score": write.conversation.rating, "already_rated": already}

    def poll(self, args: dict[str, Any]) -> dict[str, Any]:
        """The guest's fallback when no listener can be established: messages after a cursor."""
        conv_id = matching(CONVERSATION_ID, args.get("conversation_id"), "conversation_id")
        session_id = matching(SESSION_ID, args.get("session_id"), "session_id")
        tenant_id = tenant_of(conv_id)
        if args.get("tenant") not in (None, tenant_id) or conversation_id_for(tenant_id, session_id) != conv_id:
            raise ForbiddenError("This session does not own the conversation")
        after = parse_cursor(args.get("after"))
        conversation = self.conversations.get(tenant_id, conv_id)
        if conversation is None:
            raise NotFoundError("Conversation not found")
        messages = self.conversations.messages_after(tenant_id, conv_id, after, POLL_LIMIT)
        cursor = iso_utc(messages[-1].created_at) if messages else (args.get("after") or None)
        return {"messages": [public_message(m) for m in messages], "cursor": cursor, "mode": conversation.mode}

    # --- internals -------------------------------------------------------------------------

    def _check_session_rate(self, conversation: Conversation, now: datetime) -> None:
        window = conversation.rate_window_start
        if window is None or now - window >= timedelta(minutes=1):
            conversation.rate_window_start = now
            conversation.rate_count = 1
            return
        if conversation.rate_count >= self.settings.session_turns_per_minute:
            retry = int(60 - (now - window).total_seconds()) + 1
            raise RateLimitedError("Too many messages in this conversation, please wait a moment", retry_after=retry)
        conversation.rate_count += 1

    def _lead(self, conversation: Conversation, fields: LeadFields, language: str, now: datetime) -> Lead | None:
        if not is_contactable(fields) and not (conversation.lead_id and fields.name):
            return None
        return Lead(
            id=conversation.lead_id or f"lead-{conversation.id.replace('.', '-')}",
            tenant=conversation.tenant,
            conversation_id=conversation.id,
            channel=conversation.channel,
            name=fields.name,
            phone=fields.phone,
            email=fields.email,
            language=language,
            created_at=None if conversation.lead_id else now,
            updated_at=now,
        )

    def _answer(
        self, knowledge: TenantKnowledge, conversation: Conversation, message: str, language: str, *, knowledge_only: bool = False
    ) -> _Reply:
        from shared.domain.answering import answer_from_knowledge

        pack = knowledge.pack
        answer = answer_from_knowledge(pack, knowledge.index, message, language)
        if knowledge_only and answer.source == "none":
            return _Reply(text="", source="fallback", intent="unknown", confidence=round(answer.confidence, 3))
        reply = self._answer_with(answer, pack, conversation, message, language)
        reply.confidence = round(answer.confidence, 3)
        reply.used = answer.used
        return reply

    def _answer_with(
        self, answer: KnowledgeAnswer, pack: KnowledgePack, conversation: Conversation, message: str, language: str
    ) -> _Reply:
        from shared.domain.answering import dont_know
        from shared.domain.quotes import unbacked_amounts

        if answer.source in ("tool", "faq"):
            return _Reply(
                text=answer.text,
                source=answer.source,
                intent=answer.intent or ("pricing" if answer.source == "tool" else "faq"),
                suggestions=answer.suggestions,
                packages=answer.package_ids,
            )
        if answer.declined and not is_contactable(extract_lead(message)):
            # Nothing relevant enough: no passage goes to the model, the guest hears the truth.
            return _Reply(text=dont_know(language), source="fallback", intent="unknown", suggestions=answer.suggestions)
        if not self.ai_enabled:
            return _Reply(text=localized(_AI_OFF, language), source="fallback", intent="unknown", suggestions=answer.suggestions)
        request = ModelRequest(
            model=pack.tenant.model or self.settings.default_model,
            persona=pack.tenant.persona,
            language=language,
            tenant_name=pack.tenant.name,
            passages=answer.passages,
            history=[Turn(role=t.role, text=t.text) for t in conversation.recent if t.role in ("guest", "bot", "agent")],
            message=message,
        )
        try:
            model_reply = self.model.generate(request)
        except ModelFailure as failure:
            return _Reply(
                text=localized(_FALLBACK, language),
                source="fallback",
                intent="unknown",
                suggestions=answer.suggestions,
                model_ms=failure.model_ms,
                input_tokens=failure.input_tokens,
                output_tokens=failure.output_tokens,
            )
        allowed = [q.total for q in answer.quotes]
        if unbacked_amounts(model_reply.reply, pack, allowed):
            # The model stated a price the business never published: it must not reach the guest.
            return _Reply(
                text=localized(_FALLBACK, language),
                source="fallback",
                intent=model_reply.intent or "pricing",
                suggestions=answer.suggestions,
                model=model_reply,
                model_ms=model_reply.model_ms,
                input_tokens=model_reply.input_tokens,
                output_tokens=model_reply.output_tokens,
            )
        return _Reply(
            text=model_reply.reply,
            source="llm",
            intent=model_reply.intent or "other",
            suggestions=answer.suggestions,
            packages=answer.package_ids,
            model=model_reply,
            model_ms=model_reply.model_ms,
            wants_human=model_reply.wants_human,
            input_tokens=model_reply.input_tokens,
            output_tokens=model_reply.output_tokens,
        )


def parse_cursor(raw: Any) -> datetime | None:
    """A polling cursor: the ISO time of the last message the client has."""
    if raw in (None, ""):
        return None
    if not isinstance(raw, str) or len(raw) > 40:
        raise BadRequestError("after must be an ISO timestamp")
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequestError("after must be an ISO timestamp") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def public_message(message: Message) -> dict[str, Any]:
    """What a guest or agent client sees of a message."""
    body: dict[str, Any] = {
        "id": message.id,
        "role": message.role,
        "text": message.text,
        "created_at": iso_utc(message.created_at),
    }
    if message.source:
        body["source"] = message.source
    if message.author:
        body["author"] = message.author.model_dump()
    return body
