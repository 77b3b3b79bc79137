"""WhatsApp through Twilio: the webhook acknowledges at once and publishes ``whatsapp.inbound``; the
``events`` function then runs the same chat turn as the web and sends the bot's reply through Twilio."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared.domain.channels import ChannelContact
from shared.domain.conversation import Attachment, conversation_id_for
from shared.domain.delivery import DeliveryStatus, parse_delivery_status
from shared.domain.errors import ForbiddenError, NotFoundError
from shared.domain.events import ChatEvent
from shared.domain.integrations import WHATSAPP_ADDRESS, TwilioAccount
from shared.domain.validation import TENANT_ID, matching
from shared.services.channel_ports import WhatsAppGateway
from shared.services.integrations import Integrations
from shared.services.media import EXTENSIONS, MediaStore, media_path, sniff
from shared.services.ports import ConversationRepository, EventPublisher

if TYPE_CHECKING:
    from shared.services.chat import ChatService

WHATSAPP_INBOUND = "whatsapp.inbound"
MESSAGE_SID = re.compile(r"^(SM|MM)[0-9a-f]{32}$")
MAX_MEDIA_BYTES = 10 * 1024 * 1024
MAX_MEDIA = 5
_REFUSED_MEDIA = {
    "pl": "Przepraszamy, możemy przyjąć tylko zdjęcia (JPEG, PNG, WebP) i pliki PDF do 10 MB.",
    "en": "Sorry, we can only accept photos (JPEG, PNG, WebP) and PDF files up to 10 MB.",
}
_ONLY_MEDIA = "📎"


class WhatsAppRecords(ABC):
    """Which inbound messages arrived and were answered, and the delivery status of what was sent."""

    @abstractmethod
    def accept(self, tenant: str, inbound_sid: str) -> bool:
        """Record an inbound message sid (create-only); False when it was seen before (a Twilio retry)."""

    @abstractmethod
    def release(self, tenant: str, inbound_sid: str) -> None:
        """Forget an accepted sid whose hand-off failed, so Twilio's retry is taken."""

    @abstractmethod
    def replied(self, tenant: str, inbound_sid: str) -> bool: ...

    @abstractmethod
    def record_reply(
        self, tenant: str, inbound_sid: str, outbound_sid: str, conversation_id: str, message_id: str | None = None
    ) -> None:
        """Remember what answered an inbound sid (or an agent's message) and which stored message it sent."""

    @abstractmethod
    def update_status(self, tenant: str, outbound_sid: str, status: DeliveryStatus) -> SentReply | None:
        """Record a delivery status (never backwards); the message it belongs to, None when not one of ours."""


@dataclass(frozen=True)
class SentReply:
    """What Twilio's message sid stands for in a conversation."""

    conversation_id: str
    message_id: str | None


class WhatsAppChannel:
    """Inbound webhook, the asynchronous turn, and status callbacks."""

    def __init__(
        self,
        integrations: Integrations,
        gateway: WhatsAppGateway,
        events: EventPublisher,
        media: MediaStore,
        records: WhatsAppRecords,
        conversations: ConversationRepository | None = None,
    ) -> None:
        self._conversations = conversations  # where the sent messages' delivery status shows
        self._integrations = integrations
        self._gateway = gateway
        self._events = events
        self._media = media
        self._records = records

    def verified(self, tenant: Any, url: str, params: Mapping[str, str], signature: str | None) -> tuple[str, TwilioAccount]:
        """The tenant and its account when Twilio signed this request; ForbiddenError otherwise."""
        tenant_id = matching(TENANT_ID, tenant, "tenant")
        account = self._integrations.twilio(tenant_id)
        if account is None:
            raise NotFoundError("WhatsApp is not configured for this tenant")
        token = account.auth_token.get_secret_value()
        valid = bool(signature) and self._gateway.signature_valid(token, url, params, signature or "")
        if not valid or params.get("AccountSid") != account.account_sid:
            raise ForbiddenError("Invalid Twilio signature")
        return tenant_id, account

    def receive(self, tenant: Any, url: str, params: Mapping[str, str], signature: str | None) -> None:
        """A guest's message: checked, its sid recorded once, then handed to the ``events`` function."""
        tenant_id, _ = self.verified(tenant, url, params, signature)
        sid = matching(MESSAGE_SID, params.get("MessageSid"), "MessageSid")
        sender = matching(WHATSAPP_ADDRESS, params.get("From"), "From")
        count = int(params.get("NumMedia") or 0) if str(params.get("NumMedia") or "0").isdigit() else 0
        media = [
            {"url": params[f"MediaUrl{i}"], "type": params.get(f"MediaContentType{i}", "")}
            for i in range(min(count, MAX_MEDIA))
            if params.get(f"MediaUrl{i}")
        ]
        data = {"sid": sid, "from": sender, "body": (params.get("Body") or "")[:4000], "media": media}
        if not self._records.accept(tenant_id, sid):
            return  # Twilio retried a webhook we already took: one message, one turn, one reply
        try:
            self._events.publish(ChatEvent(type=WHATSAPP_INBOUND, tenant=tenant_id, data=data))
        except Exception:
            self._records.release(tenant_id, sid)  # answer 500 so Twilio retries, and let the retry in
            raise

    def status(self, tenant: Any, url: str, params: Mapping[str, str], signature: str | None) -> bool:
        """Twilio's delivery status callback: the sent message's status moves on (never back); True when it did.

        Retried and out-of-order callbacks change nothing (``next_delivery_status``).
        """
        tenant_id, _ = self.verified(tenant, url, params, signature)
        sid = matching(MESSAGE_SID, params.get("MessageSid"), "MessageSid")
        status = parse_delivery_status(params.get("MessageStatus"))
        if status is None:
            return False  # accepted, sending, …: steps agents need not see
        sent = self._records.update_status(tenant_id, sid, status)
        if sent is None or not sent.message_id or self._conversations is None:
            return False
        return self._conversations.report_delivery(tenant_id, sent.conversation_id, sent.message_id, status)

    def handle_inbound(self, event: ChatEvent, chat: ChatService, status_callback: str | None) -> None:
        """Run the turn (the web's own) and send the bot's reply; safe to redeliver.

        A redelivery after a crash replays the stored turn (the sid is its client message id) and
        sends the reply if it was not sent yet.
        """
        data = event.data
        sid, sender = str(data["sid"]), str(data["from"])
        if self._records.replied(event.tenant, sid):
            return
        account = self._integrations.twilio(event.tenant)
        if account is None:
            return
        conv_id = conversation_id_for(event.tenant, sender)
        attachments, refused = self._copy_media(event.tenant, conv_id, sid, account, data.get("media") or [])
        text = str(data.get("body") or "").strip() or _ONLY_MEDIA
        contact = ChannelContact(channel="whatsapp", address=sender, attachments=attachments)
        result = chat.turn({"tenant": event.tenant, "message": text, "client_message_id": sid}, contact=contact)
        outbound = ""
        if refused:
            outbound = self._gateway.send(account, sender, _REFUSED_MEDIA.get(result.language, _REFUSED_MEDIA["en"]))
        message_id = None
        if result.response:
            outbound = self._gateway.send(account, sender, result.response, status_callback)
            message_id = self._bot_message_id(event.tenant, conv_id, result.timestamp)
        self._records.record_reply(event.tenant, sid, outbound, conv_id, message_id)
        self._queued(event.tenant, conv_id, message_id)

    def send_agent_reply(self, event: ChatEvent, status_callback: str | None = None) -> None:
        """An agent's reply in a WhatsApp conversation goes out through Twilio, once per message."""
        data = event.data
        contact, message_id = data.get("contact"), str(data.get("message_id") or "")
        if data.get("channel") != "whatsapp" or not isinstance(contact, str) or not message_id:
            return
        key = f"agent-{message_id}"
        account = self._integrations.twilio(event.tenant)
        if account is None or self._records.replied(event.tenant, key):
            return
        sid = self._gateway.send(account, contact, str(data.get("text") or ""), status_callback)
        conv_id = str(data.get("conversation_id") or "")
        self._records.record_reply(event.tenant, key, sid, conv_id, message_id)
        self._queued(event.tenant, conv_id, message_id)

    def _queued(self, tenant: str, conv_id: str, message_id: str | None) -> None:
        """Twilio took the message: agents see it queued until its first callback."""
        if self._conversations is not None and message_id:
            self._conversations.report_delivery(tenant, conv_id, message_id, "queued")

    def _bot_message_id(self, tenant: str, conv_id: str, replied_at: str) -> str | None:
        """The stored bot message a turn answered with: the turn's timestamp is its creation time."""
        if self._conversations is None:
            return None
        moment = datetime.fromisoformat(replied_at.replace("Z", "+00:00"))
        found = self._conversations.messages_after(tenant, conv_id, moment - timedelta(microseconds=1), 5)
        return next((m.id for m in found if m.role == "bot" and m.created_at == moment), None)

    def _copy_media(
        self, tenant: str, conv_id: str, sid: str, account: TwilioAccount, media: list[dict[str, str]]
    ) -> tuple[list[Attachment], bool]:
        attachments: list[Attachment] = []
        refused = False
        for index, item in enumerate(media):
            fetched = self._gateway.fetch_media(account, str(item.get("url", "")), MAX_MEDIA_BYTES)
            kind = sniff(fetched.data) if fetched is not None else None
            if fetched is None or kind is None:
                refused = True
                continue
            path = media_path(tenant, conv_id, f"{sid}-{index}.{EXTENSIONS[kind]}")
            self._media.put(path, fetched.data, kind)
            attachments.append(Attachment(path=path, content_type=kind, size=len(fetched.data)))
        return attachments, refused
