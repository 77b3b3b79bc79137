"""Agent use cases: see the tenant's conversations, take over, reply, return to the bot, close, notes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo

from shared.domain.channels import check_reply_window
from shared.domain.conversation import (
    AgentRef,
    Conversation,
    Message,
    Mode,
    Transition,
    iso_utc,
    new_message_id,
    tenant_of,
)
from shared.domain.errors import ConflictError, ForbiddenError, NotFoundError
from shared.domain.events import AGENT_REPLIED, ChatEvent
from shared.domain.metrics import first_reply_increments
from shared.domain.records import Assignment, ConversationWrite, Note
from shared.domain.validation import CONVERSATION_ID, clean_text, invalid, matching, whole_number
from shared.services.agent_presenters import agent_message, public_conversation, public_note
from shared.services.chat import MAX_MESSAGE_CHARS, POLL_LIMIT
from shared.services.chat_presenters import parse_cursor
from shared.services.outbox import OutboxRelay
from shared.services.ports import ConversationRepository, EventPublisher, Outbox, TenantRepository

Role = Literal["agent", "admin"]
ROLES: tuple[str, ...] = get_args(Role)
MAX_LIST = 100
DEFAULT_LIST = 50
MAX_NOTES = 100


@dataclass(frozen=True)
class Principal:
    """Who is calling, from a verified ID token's claims."""

    uid: str
    email: str
    name: str
    tenant: str
    role: Role

    @property
    def agent_ref(self) -> AgentRef:
        """How the caller appears on messages and as the assigned agent."""
        return AgentRef(uid=self.uid, name=self.display_name)

    @property
    def display_name(self) -> str:
        # Guests see this name; without a display name, the e-mail's local part rather than the whole address.
        return self.name or self.email.split("@")[0] or "Agent"

    def body(self) -> dict[str, Any]:
        return asdict(self)


# Conversation fields an action may change; written by field so nothing else is overwritten.
_ACTION_FIELDS = frozenset(
    {"mode", "assigned_agent", "updated_at", "message_count", "recent", "last_message", "takeover_count", "handoff_at"}
)


def action_increments(action: str, messages: int) -> dict[str, int]:
    """The roll-up counters an agent action adds (``takeovers``, ``agent_replies``, …)."""
    counts = {"messages": messages, action: 1}
    return {k: v for k, v in counts.items() if v}


class AgentService:
    """What signed-in agents and admins do; every action is one transaction and one commit."""

    def __init__(
        self,
        tenants: TenantRepository,
        conversations: ConversationRepository,
        events: EventPublisher,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        relay: OutboxRelay | None = None,
    ) -> None:
        self.tenants = tenants
        self.conversations = conversations
        self.events = events
        self.clock = clock
        if relay is None and not isinstance(conversations, Outbox):
            raise TypeError("the conversation repository must keep an outbox, or pass a relay")
        self.relay = relay or OutboxRelay(events, conversations)  # type: ignore[arg-type]  # checked just above

    # --- reading ---------------------------------------------------------------------------

    def me(self, principal: Principal) -> dict[str, Any]:
        """The caller as the dashboard shows them."""
        return principal.body()

    def list_conversations(self, principal: Principal, mode: Any = None, limit: Any = None, query: Any = None) -> dict[str, Any]:
        """The tenant's conversations, newest activity first, optionally one mode only or matching a search."""
        if mode in (None, ""):
            mode = None
        elif mode not in get_args(Mode):
            raise invalid("mode", "must be one of bot, pending, human, closed")
        count = whole_number(limit, "limit", default=DEFAULT_LIST, low=1, high=MAX_LIST)
        if query is not None:
            from shared.services.contacts import search

            conversations = search(self.conversations, principal.tenant, query, count, mode)
        else:
            conversations = self.conversations.list(principal.tenant, mode, count)
        return {"conversations": [public_conversation(c) for c in conversations]}

    def conversation_detail(self, principal: Principal, raw_id: Any, after: Any = None) -> dict[str, Any]:
        """A conversation with its messages after the cursor and its internal notes."""
        conv_id = self._own(principal, raw_id)
        cursor = parse_cursor(after)
        conversation = self._get(principal.tenant, conv_id)
        messages = self.conversations.messages_after(principal.tenant, conv_id, cursor, POLL_LIMIT)
        notes = self.conversations.notes(principal.tenant, conv_id, MAX_NOTES)
        # A poller sees messages once; their later delivery reports come as updates after its cursor.
        tracked = conversation.channel == "whatsapp" and cursor is not None
        deliveries = self.conversations.deliveries_after(principal.tenant, conv_id, cursor, POLL_LIMIT) if tracked else []
        return {
            "conversation": public_conversation(conversation),
            "messages": [agent_message(m) for m in messages if m.staff_may_see],
            "notes": [public_note(n) for n in notes],
            "cursor": iso_utc(messages[-1].created_at) if messages else (after or None),
            "deliveries": [agent_message(m) for m in deliveries],
        }

    # --- actions ---------------------------------------------------------------------------

    def take_over(self, principal: Principal, raw_id: Any) -> dict[str, Any]:
        """The caller takes the conversation from the bot or the queue; a second agent gets 409."""
        conv_id = self._own(principal, raw_id)
        day = self._day_for(principal.tenant)

        def change(current: Conversation | None) -> ConversationWrite:
            conversation = _exists(current)
            now = self.clock()
            transition = conversation.take_over(principal.agent_ref, now)
            if not transition.changed:
                return ConversationWrite(conversation, changed=set())  # already ours: taking it again changes nothing
            write = self._write(conversation, transition, day, "takeovers")
            write.assignment = Assignment(number=conversation.takeover_count, agent=principal.agent_ref, at=now)
            return write

        return self._respond(self.conversations.update_in_transaction(principal.tenant, conv_id, change))

    def reply(self, principal: Principal, raw_id: Any, text: Any) -> dict[str, Any]:
        """The assigned agent (or an admin) answers the guest; WhatsApp replies go out through the outbox."""
        message_text = clean_text(text, "text", MAX_MESSAGE_CHARS)
        conv_id = self._own(principal, raw_id)
        day = self._day_for(principal.tenant)

        def change(current: Conversation | None) -> ConversationWrite:
            conversation = _exists(current)
            if conversation.mode != "human":
                raise ConflictError(f"Conversation is {conversation.mode}; take it over before replying")
            conversation.check_holder(principal.agent_ref, admin=principal.role == "admin")
            now = self.clock()
            check_reply_window(conversation, now)
            message = Message(
                id=new_message_id(now, "agent"),
                role="agent",
                text=message_text,
                created_at=now,
                source="agent",
                language=conversation.language,
                author=principal.agent_ref,
            )
            conversation.append([message], now)
            events = [_agent_replied(conversation, message)] if conversation.channel == "whatsapp" else []
            write = self._write(conversation, Transition(messages=[message], events=events), day, "agent_replies")
            write.metrics.update(first_reply_increments(conversation, now))
            return write

        write = self.conversations.update_in_transaction(principal.tenant, conv_id, change)
        self.relay.dispatch(write.events)
        return self._respond(write)

    def release(self, principal: Principal, raw_id: Any) -> dict[str, Any]:
        """Return the conversation to the bot (from a human or the waiting queue)."""
        return self._move(principal, raw_id, "bot", "releases")

    def close(self, principal: Principal, raw_id: Any) -> dict[str, Any]:
        """End the conversation; the guest's next message reopens it with the bot."""
        return self._move(principal, raw_id, "closed", "closes")

    def add_note(self, principal: Principal, raw_id: Any, text: Any) -> dict[str, Any]:
        """An internal note for the team; it lives apart from the messages guests read."""
        note_text = clean_text(text, "text", MAX_MESSAGE_CHARS)
        conv_id = self._own(principal, raw_id)

        def change(current: Conversation | None) -> ConversationWrite:
            conversation = _exists(current)
            now = self.clock()
            note = Note(id=new_message_id(now, "note"), text=note_text, author=principal.agent_ref, created_at=now)
            # A note must not reorder the list: the conversation document itself is left as it is.
            return ConversationWrite(conversation, notes=[note], changed=set())

        write = self.conversations.update_in_transaction(principal.tenant, conv_id, change)
        return {"conversation": public_conversation(write.conversation), "note": public_note(write.notes[0])}

    # --- internals -------------------------------------------------------------------------

    def _move(self, principal: Principal, raw_id: Any, target: Mode, metric: str) -> dict[str, Any]:
        conv_id = self._own(principal, raw_id)
        day = self._day_for(principal.tenant)
        admin = principal.role == "admin"

        def change(current: Conversation | None) -> ConversationWrite:
            conversation = _exists(current)
            now = self.clock()
            if target == "bot":
                transition = conversation.release(principal.agent_ref, now, admin=admin)
            else:
                transition = conversation.close(principal.agent_ref, now, admin=admin)
            return self._write(conversation, transition, day, metric)

        return self._respond(self.conversations.update_in_transaction(principal.tenant, conv_id, change))

    def _own(self, principal: Principal, raw_id: Any) -> str:
        return owned_id(principal, raw_id)

    def _get(self, tenant: str, conv_id: str) -> Conversation:
        return _exists(self.conversations.get(tenant, conv_id))

    def _day_for(self, tenant: str) -> str:
        # Read before the transaction: the tenant config is cached, and a transaction should only read what it guards.
        zone = ZoneInfo(self.tenants.get(tenant).pack.tenant.timezone)
        return self.clock().astimezone(zone).strftime("%Y-%m-%d")

    def _write(self, conversation: Conversation, transition: Transition, day: str, metric: str) -> ConversationWrite:
        """What an action stores: the transition's messages and events, its counters, the changed fields."""
        return ConversationWrite(
            conversation,
            messages=transition.messages,
            metrics=action_increments(metric, len(transition.messages)),
            day=day,
            changed=set(_ACTION_FIELDS),
            events=transition.events,
        )

    def _respond(self, write: ConversationWrite) -> dict[str, Any]:
        return {"conversation": public_conversation(write.conversation)}


def owned_id(principal: Principal, raw_id: Any) -> str:
    """A well-formed conversation id of the caller's own tenant."""
    conv_id = matching(CONVERSATION_ID, raw_id, "conversation_id")
    if tenant_of(conv_id) != principal.tenant:
        raise ForbiddenError("This conversation belongs to another business")
    return conv_id


def _exists(conversation: Conversation | None) -> Conversation:
    if conversation is None:
        raise NotFoundError("Conversation not found")
    return conversation


def _agent_replied(conversation: Conversation, message: Message) -> ChatEvent:
    """The event that sends an agent's reply out on the guest's channel (WhatsApp)."""
    return ChatEvent(
        type=AGENT_REPLIED,
        tenant=conversation.tenant,
        data={
            "conversation_id": conversation.id,
            "message_id": message.id,
            "text": message.text,
            "contact": conversation.contact,
            "channel": conversation.channel,
            "language": conversation.language,
        },
        occurred_at=message.created_at,
    )
