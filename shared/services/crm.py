"""Leads to the tenant's CRM board: one item per lead, however often ``lead.captured`` is delivered."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

from shared.domain.events import ChatEvent
from shared.domain.records import Lead
from shared.services.channel_ports import CrmBoard, DeliveryFailed
from shared.services.integrations import Integrations

# A delivery that claimed a lead and then died is taken over after this long.
CLAIM_STALE_SECONDS = 60.0


class LeadDeliveries(ABC):
    """The idempotency record: which CRM item a lead became."""

    @abstractmethod
    def item_for(self, tenant: str, lead_id: str) -> str | None: ...

    @abstractmethod
    def record(self, tenant: str, lead_id: str, item_id: str) -> None: ...

    @abstractmethod
    def claim(self, tenant: str, lead_id: str, stale_after_seconds: float) -> bool:
        """Claim the lead's delivery (create-only): False while another delivery holds a fresh claim."""

    @abstractmethod
    def release(self, tenant: str, lead_id: str) -> None:
        """Give the claim back after a failure, so the retry can go on at once."""


def item_name(lead: Lead) -> str:
    """The item's title on the board: the guest's name, else how to reach them."""
    return (lead.name or lead.email or lead.phone or lead.id)[:255]


def item_columns(lead: Lead, board_columns: dict[str, str], conversation_url: str) -> dict[str, object]:
    """Monday column values for a lead; the lead id column is what a retry searches by."""
    details = [f"Conversation: {conversation_url}", f"Channel: {lead.channel}", f"Language: {lead.language}"]
    if lead.package:
        details.append(f"Package: {lead.package}")
    if lead.area_m2:
        details.append(f"Area: {lead.area_m2:g} m²")
    if lead.quote:
        details.append(f"Quote: {lead.quote}")
    columns: dict[str, object] = {board_columns["lead_id"]: lead.id, board_columns["details"]: {"text": "\n".join(details)}}
    if lead.phone:
        columns[board_columns["phone"]] = {"phone": lead.phone, "countryShortName": ""}
    if lead.email:
        columns[board_columns["email"]] = {"email": lead.email, "text": lead.email}
    return columns


class LeadToCrm:
    """Handles ``lead.captured``: creates the Monday item once; raises DeliveryFailed so Pub/Sub retries.

    Exactly once: the idempotency record is checked first; then the delivery claims the lead with a
    create-only record, so of deliveries racing in parallel exactly one goes on (the others raise and
    are retried, by when the record exists). The claimant searches the board by the lead-id column
    before creating, which covers a crash between creating the item and writing the record; a claim
    left by a crashed delivery goes stale after ``CLAIM_STALE_SECONDS`` and the next retry takes over.
    """

    def __init__(
        self,
        integrations: Integrations,
        board: CrmBoard,
        deliveries: LeadDeliveries,
        conversation_url: Callable[[str, str], str],
    ) -> None:
        self._integrations = integrations
        self._board = board
        self._deliveries = deliveries
        self._conversation_url = conversation_url

    def __call__(self, event: ChatEvent) -> None:
        lead = Lead.model_validate(event.data)
        board = self._integrations.monday(event.tenant)
        if board is None or lead.tenant != event.tenant:
            return  # no CRM configured: the lead stays in Chatdesk only
        if self._deliveries.item_for(lead.tenant, lead.id) is not None:
            return
        if not self._deliveries.claim(lead.tenant, lead.id, CLAIM_STALE_SECONDS):
            raise DeliveryFailed("Another delivery of this lead is in progress; retry later")
        try:
            item = self._board.find_item(board, lead.id)
            if item is None:
                columns = {
                    "lead_id": board.lead_id_column,
                    "phone": board.phone_column,
                    "email": board.email_column,
                    "details": board.details_column,
                }
                url = self._conversation_url(lead.tenant, lead.conversation_id)
                item = self._board.create_item(board, item_name(lead), item_columns(lead, columns, url))
        except BaseException:
            self._deliveries.release(lead.tenant, lead.id)
            raise
        self._deliveries.record(lead.tenant, lead.id, item)
