"""Ports of the channels and the CRM: Twilio (WhatsApp) and Monday.com, with fakes in adapters."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass

from shared.domain.integrations import MondayBoard, TwilioAccount


class DeliveryFailed(Exception):
    """A send to an outside service failed; raising it from an event handler makes Pub/Sub retry."""


@dataclass(frozen=True)
class Media:
    """A file a guest sent, as fetched."""

    data: bytes
    declared_type: str


class WhatsAppGateway(ABC):
    """Twilio's side of WhatsApp: send messages, fetch media, check webhook signatures."""

    @abstractmethod
    def send(self, account: TwilioAccount, to: str, body: str, status_callback: str | None = None) -> str:
        """Send a WhatsApp message; returns Twilio's message sid. Raises DeliveryFailed."""

    @abstractmethod
    def fetch_media(self, account: TwilioAccount, url: str, max_bytes: int) -> Media | None:
        """The media behind a Twilio media URL; None when it is larger than ``max_bytes``."""

    @abstractmethod
    def signature_valid(self, auth_token: str, url: str, params: Mapping[str, str], signature: str) -> bool:
        """Whether ``signature`` is Twilio's signature of this request for this auth token."""


class CrmBoard(ABC):
    """A CRM board (Monday.com) that leads become items on."""

    @abstractmethod
    def find_item(self, board: MondayBoard, lead_id: str) -> str | None:
        """The id of the item already made for this lead, if any. Raises DeliveryFailed."""

    @abstractmethod
    def create_item(self, board: MondayBoard, name: str, columns: dict[str, object]) -> str:
        """Create an item; returns its id. Raises DeliveryFailed."""
