"""Guest-side extras around the chat turn: what the widget shows before the guest asks, and cancelling a wait."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from shared.domain.answering import starter_suggestions
from shared.domain.conversation import Conversation
from shared.domain.errors import NotFoundError
from shared.domain.handoff import availability
from shared.domain.records import ConversationWrite
from shared.domain.validation import LANGUAGE, TENANT_ID, matching
from shared.services.chat import ChatService


def welcome(chat: ChatService, args: dict[str, Any], origin: str | None = None) -> dict[str, Any]:
    """Business-hours status (away, next opening in the tenant's named time zone) and starter suggestions."""
    tenant_id = matching(TENANT_ID, args.get("tenant"), "tenant")
    knowledge = chat.tenants.get(tenant_id)
    chat.check_origin(origin, knowledge)
    pack = knowledge.pack
    raw = args.get("language")
    language = matching(LANGUAGE, raw, "language") if raw else pack.tenant.default_language
    if language not in pack.tenant.languages:
        language = pack.tenant.default_language
    return {
        "tenant": tenant_id,
        "language": language,
        "availability": availability(pack.tenant, chat.clock(), language),
        "suggestions": starter_suggestions(knowledge.index, language),
        # GDPR: the widget shows a short notice with this link before the guest's first message.
        "privacy_policy_url": pack.tenant.privacy_policy_url,
        # The widget checks a file's size before uploading it (the server checks again).
        "attachments_max_mb": pack.tenant.attachments_max_mb,
    }


def cancel_handoff(chat: ChatService, body: dict[str, Any], origin: str | None = None) -> dict[str, Any]:
    """The guest stops waiting for a person: a pending conversation goes back to the bot."""
    tenant_id, conv_id = chat.owned_conversation(body.get("conversation_id"), body.get("session_id"))
    knowledge = chat.tenants.get(tenant_id)
    chat.check_origin(origin, knowledge)
    now = chat.clock()

    def change(current: Conversation | None) -> ConversationWrite:
        if current is None:
            raise NotFoundError("Conversation not found")
        transition = current.cancel_handoff(now + timedelta(microseconds=1))
        return ConversationWrite(current, messages=transition.messages, events=transition.events)

    write = chat.conversations.update_in_transaction(tenant_id, conv_id, change)
    return {"success": True, "conversation_id": conv_id, "mode": write.conversation.mode}
