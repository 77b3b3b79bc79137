"""Conversations, messages and the hand-off state machine."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from shared.domain.delivery import DeliveryStatus
from shared.domain.errors import ConflictError, RateLimitedError
from shared.domain.events import HANDOFF_REQUESTED, ChatEvent
from shared.domain.search import contact_terms, merged_terms, phone_terms, text_terms

Mode = Literal["bot", "pending", "human", "closed"]
Channel = Literal["web", "whatsapp"]
MessageRole = Literal["guest", "bot", "agent", "system"]
# Who a message is for: a staff-only notice never reaches the guest, a guest-only one is the guest's wording.
Audience = Literal["all", "guest", "staff"]
Source = Literal["faq", "tool", "llm", "fallback", "agent"]

# Recent turns kept on the conversation document: the model's context without reading messages.
RECENT_TURNS = 10
# Recent turns' results kept by client message id, so a retried turn returns its first result.
REMEMBERED_TURNS = 20

# Allowed hand-off transitions; every transition is also a system message both sides see.
TRANSITIONS: dict[Mode, set[Mode]] = {
    "bot": {"pending", "human", "closed"},
    "pending": {"human", "bot", "closed"},
    "human": {"bot", "closed"},
    "closed": {"bot"},
}


def new_session_id() -> str:
    """A guest's session id: 128 random bits; it is the guest's credential for the conversation."""
    return "s_" + secrets.token_urlsafe(18)


def conversation_id_for(tenant: str, session_id: str) -> str:
    """The session's conversation id, ``{tenant}.{hash}``, derived so that a turn needs no session lookup.

    The hash is one-way: knowing a conversation id (agents and the guest's token see it)
    does not reveal the session id, which stays the guest's secret.
    """
    return f"{tenant}." + hashlib.sha256(f"{tenant}\x1f{session_id}".encode()).hexdigest()[:24]


def tenant_of(conversation_id: str) -> str:
    """The tenant a conversation id belongs to."""
    return conversation_id.rsplit(".", 1)[0]


def iso_utc(moment: datetime) -> str:
    """An ISO 8601 UTC time as clients read it (``...Z``)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def new_message_id(moment: datetime, role: str) -> str:
    """A message id: sortable by time, unique without coordination."""
    return f"{moment.strftime('%Y%m%d%H%M%S%f')}-{role[0]}{secrets.token_hex(3)}"


def localized(table: dict[str, str], language: str) -> str:
    """The text for the language, English when the table has none."""
    return table.get(language, table["en"])


def system_message(moment: datetime, text: str, audience: Audience = "all") -> Message:
    """A notice for its reader: everyone, only the guest, or only staff (hand-off transitions and the like)."""
    return Message(id=new_message_id(moment, "system"), role="system", text=text, created_at=moment, audience=audience)


def check_transition(current: Mode, target: Mode) -> None:
    """Raise ConflictError when ``current → target`` is not a hand-off the product allows."""
    if target not in TRANSITIONS[current]:
        raise ConflictError(f"Conversation is {current}; it cannot move to {target}")


class RecentTurn(BaseModel):
    role: MessageRole
    text: str


class AgentRef(BaseModel):
    uid: str
    name: str


class LastMessage(BaseModel):
    """The newest message, kept on the conversation so lists never read messages."""

    role: MessageRole
    text: str
    at: datetime


class LeadInterest(BaseModel):
    """What the guest was last quoted, so the lead that follows tells the CRM what they want."""

    package: str
    area_m2: float | None = None
    quote: str


class Attachment(BaseModel):
    """A file a guest sent, copied into Cloud Storage (never publicly readable)."""

    path: str  # object name in the media bucket
    content_type: str  # sniffed from the bytes, not taken from the sender
    size: int


class Message(BaseModel):
    """One message in a conversation, as stored and as clients read it."""

    id: str
    role: MessageRole
    text: str
    created_at: datetime
    source: Source | None = None
    intent: str | None = None
    language: str | None = None
    latency_ms: int | None = None
    model_ms: int | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    author: AgentRef | None = None
    audience: Audience = "all"
    confidence: float | None = None  # bot messages: how sure the knowledge was (agents see it)
    used: list[str] | None = None  # bot messages: FAQ, package and document ids the reply rests on
    attachments: list[Attachment] | None = None
    delivery_status: DeliveryStatus | None = None  # WhatsApp: set by Twilio's callbacks (shared.domain.delivery)

    @property
    def guest_may_see(self) -> bool:
        """Whether the guest's views (poll, listener) show this message."""
        return self.audience != "staff"

    @property
    def staff_may_see(self) -> bool:
        """Whether agents' views show this message (they get their own wording of notices)."""
        return self.audience != "guest"


class TurnRecord(BaseModel):
    """What a guest turn answered, kept by the client's message id so a retry gets the same answer."""

    client_message_id: str
    response: str
    source: str
    intent: str
    language: str
    suggestions: list[str] = Field(default_factory=list)
    timestamp: str
    mode: Mode


@dataclass
class Transition:
    """What a state change produced: messages to store and events to deliver (through the outbox)."""

    messages: list[Message] = field(default_factory=list)
    events: list[ChatEvent] = field(default_factory=list)
    changed: bool = True


_REOPENED = {"pl": "Rozmowa została wznowiona.", "en": "The conversation has been reopened."}
_ASK_HUMAN = {"pl": "Gość poprosił o rozmowę z konsultantem.", "en": "The guest asked to talk to a person."}
_JOINED_GUEST = {"pl": "Konsultant {name} dołączył(a) do rozmowy.", "en": "{name} from our team joined the conversation."}
_JOINED_STAFF = {"pl": "{name} przejął(-ęła) rozmowę.", "en": "{name} took over the conversation."}
_CANCELLED_GUEST = {
    "pl": "Wracasz do asystenta. Możesz w każdej chwili znów poprosić o konsultanta.",
    "en": "You're back with the assistant. You can ask for a person again at any time.",
}
_CANCELLED_STAFF = {"pl": "Gość zrezygnował z czekania na konsultanta.", "en": "The guest stopped waiting for a person."}
_RELEASED = {"pl": "Rozmowa wróciła do asystenta.", "en": "You're back with our assistant."}
_CLOSED = {"pl": "Rozmowa została zakończona. Dziękujemy!", "en": "The conversation has been closed. Thank you!"}


class Conversation(BaseModel):
    """A conversation document's fields that services reason about."""

    id: str
    tenant: str
    # No session id here: it is the guest's credential and agents read this document. The
    # conversation id is a one-way hash of it, which is all the server needs to check a guest.
    channel: Channel = "web"
    mode: Mode = "bot"
    language: str
    created_at: datetime
    updated_at: datetime
    message_count: int = 0
    guest_message_count: int = 0
    recent: list[RecentTurn] = Field(default_factory=list)
    assigned_agent: AgentRef | None = None
    rating: int | None = None
    rating_comment: str | None = None
    rated_at: datetime | None = None
    lead_id: str | None = None
    contact: str | None = None  # WhatsApp number or similar, for replies on the guest's channel
    last_guest_at: datetime | None = None
    interest: LeadInterest | None = None
    last_message: LastMessage | None = None
    takeover_count: int = 0
    handoff_at: datetime | None = None  # since when the guest waits for a person (agent first-response time)
    variant: str | None = None
    experiment_id: str | None = None
    rate_window_start: datetime | None = None
    rate_count: int = 0
    # Bumped by every committed change; a commit is conditional on the version it was computed from.
    version: int = 0
    turns: list[TurnRecord] = Field(default_factory=list)
    # The tenant's retention when the conversation began; Firestore's TTL deletes it at expire_at.
    retention_days: int = 365
    page_url: str | None = None  # web: the page the chat started on (origin + path, checked against the tenant's origins)
    last_page_url: str | None = None  # web: the page of the newest turn
    # What agents can find the conversation by (see shared/domain/search.py); kept up to date by receive().
    search_terms: list[str] = Field(default_factory=list)

    @property
    def expire_at(self) -> datetime:
        """When the conversation (and each message stored with it) may be deleted: retention after the last activity."""
        return self.updated_at + timedelta(days=self.retention_days)

    def append(self, messages: list[Message], now: datetime) -> None:
        """Count new messages, keep the model's recent turns and the newest message."""
        if not messages:
            return
        self.message_count += len(messages)
        self.updated_at = max(self.updated_at, now)
        turns = [RecentTurn(role=m.role, text=m.text[:500]) for m in messages if m.role != "system"]
        self.recent = (self.recent + turns)[-RECENT_TURNS:]
        # The guest may read this document: a staff-only notice never becomes its last message.
        shown = [m for m in messages if m.guest_may_see]
        if shown:
            last = shown[-1]
            self.last_message = LastMessage(role=last.role, text=last.text[:200], at=last.created_at)

    # --- transitions: each checks what is allowed and returns its notices and events ----------

    @property
    def held_by_human(self) -> bool:
        """A person has the conversation: the bot must not speak into it."""
        return self.mode == "human"

    @property
    def bot_may_answer(self) -> bool:
        """Whether a guest's message gets a bot reply in the current state (waiting for a person, it still does)."""
        return self.mode in ("bot", "pending")

    @property
    def bot_answers_next(self) -> bool:
        """Whether the guest's next message gets a bot reply (a closed conversation reopens with the bot; while
        waiting for a person the bot still answers what the knowledge can)."""
        return self.mode in ("bot", "closed", "pending")

    def remembered(self, client_message_id: str | None) -> TurnRecord | None:
        """The recorded result of an earlier turn with this client message id."""
        if not client_message_id:
            return None
        return next((t for t in self.turns if t.client_message_id == client_message_id), None)

    def remember(self, record: TurnRecord) -> None:
        """Keep a turn's result by its client message id (the newest few)."""
        self.turns = [*self.turns, record][-REMEMBERED_TURNS:]

    def receive(self, message: Message, now: datetime, turns_per_minute: int) -> Transition:
        """A guest message arrives: counted against the session limit; a closed conversation reopens."""
        self._check_rate(now, turns_per_minute)
        self.search_terms = merged_terms(self.search_terms, text_terms(message.text))
        if self.contact:  # a WhatsApp number is found like a lead's phone
            self.search_terms = merged_terms(self.search_terms, phone_terms(self.contact), first=True)
        self.guest_message_count += 1
        self.last_guest_at = now  # WhatsApp's 24-hour window for free-form replies starts here
        self.append([message], now)
        reopened = self.reopen(now + timedelta(microseconds=1))
        return Transition(messages=[message, *reopened.messages])

    def visited(self, page_url: str | None) -> None:
        """The (already checked) page a web guest wrote from: the first one stays, the newest is kept too."""
        if page_url:
            self.page_url = self.page_url or page_url
            self.last_page_url = page_url

    def identify(self, name: str | None, email: str | None, phone: str | None) -> None:
        """The guest's contact details become searchable, ahead of the words of their messages."""
        self.search_terms = merged_terms(self.search_terms, contact_terms(name, email, phone), first=True)

    def reopen(self, now: datetime) -> Transition:
        """A closed conversation the guest writes to again goes back to the bot, with a notice."""
        if self.mode != "closed":
            return Transition(changed=False)
        self.mode = "bot"
        self.assigned_agent = None
        notice = system_message(now, localized(_REOPENED, self.language))
        self.append([notice], now)
        return Transition(messages=[notice])

    def bot_reply(self, message: Message) -> Transition:
        """The bot's answer, refused once a human holds the conversation."""
        if not self.bot_may_answer:
            return Transition(changed=False)
        self.append([message], message.created_at)
        return Transition(messages=[message])

    def request_handoff(self, now: datetime) -> Transition:
        """The guest (or the model) asks for a person: staff are told, an alert event goes out."""
        if self.mode != "bot":
            return Transition(changed=False)  # already waiting or with a person
        self.mode = "pending"
        self.handoff_at = now
        notice = system_message(now, localized(_ASK_HUMAN, self.language), audience="staff")
        self.append([notice], now)
        event = ChatEvent(
            type=HANDOFF_REQUESTED,
            tenant=self.tenant,
            data={"conversation_id": self.id, "channel": self.channel},
            occurred_at=now,
        )
        return Transition(messages=[notice], events=[event])

    def cancel_handoff(self, now: datetime) -> Transition:
        """The guest stops waiting for a person and is back with the bot; staff see it in the queue."""
        if self.mode != "pending":
            raise ConflictError(f"Conversation is {self.mode}; only a waiting conversation can stop waiting")
        self.mode = "bot"
        self.handoff_at = None
        notices = [
            system_message(now, localized(_CANCELLED_GUEST, self.language), audience="guest"),
            system_message(now + timedelta(microseconds=1), localized(_CANCELLED_STAFF, self.language), audience="staff"),
        ]
        self.append(notices, now)
        return Transition(messages=notices)

    def take_over(self, agent: AgentRef, now: datetime) -> Transition:
        """An agent takes the conversation; a second agent is refused, the same one changes nothing."""
        holder = self.assigned_agent
        if self.mode == "human" and holder is not None:
            if holder.uid == agent.uid:
                return Transition(changed=False)
            raise ConflictError(f"{holder.name} has already taken over this conversation")
        check_transition(self.mode, "human")
        self.mode = "human"
        self.assigned_agent = agent
        self.takeover_count += 1
        self.handoff_at = self.handoff_at or now
        notices = [
            system_message(now, localized(_JOINED_STAFF, self.language).format(name=agent.name), audience="staff"),
            system_message(
                now + timedelta(microseconds=1), localized(_JOINED_GUEST, self.language).format(name=agent.name), audience="guest"
            ),
        ]
        self.append(notices, now)
        return Transition(messages=notices)

    def release(self, by: AgentRef, now: datetime, *, admin: bool = False) -> Transition:
        """Back to the bot, from a person or the waiting queue."""
        return self._leave_human("bot", _RELEASED, by, now, admin)

    def close(self, by: AgentRef, now: datetime, *, admin: bool = False) -> Transition:
        """The conversation ends; the guest's next message reopens it."""
        return self._leave_human("closed", _CLOSED, by, now, admin)

    def check_holder(self, by: AgentRef, *, admin: bool = False) -> None:
        """Only the assigned agent (or an admin) acts on a conversation a person holds."""
        holder = self.assigned_agent
        if not admin and (holder is None or holder.uid != by.uid):
            raise ConflictError(f"{holder.name if holder else 'another agent'} is handling this conversation")

    def _leave_human(self, target: Mode, notice: dict[str, str], by: AgentRef, now: datetime, admin: bool) -> Transition:
        check_transition(self.mode, target)
        if self.mode == "human":
            self.check_holder(by, admin=admin)
        self.mode = target
        self.assigned_agent = None
        self.handoff_at = None
        message = system_message(now, localized(notice, self.language))
        self.append([message], now)
        return Transition(messages=[message])

    def _check_rate(self, now: datetime, per_minute: int) -> None:
        window = self.rate_window_start
        if window is None or now - window >= timedelta(minutes=1):
            self.rate_window_start = now
            self.rate_count = 1
            return
        if self.rate_count >= per_minute:
            retry = int(60 - (now - window).total_seconds()) + 1
            raise RateLimitedError("Too many messages in this conversation, please wait a moment", retry_after=retry)
        self.rate_count += 1
