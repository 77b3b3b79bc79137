"""Leads to the CRM with in-memory ports: once per lead, also after a crash between create and record."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.adapters.delivery_records import InMemoryLeadDeliveries
from shared.adapters.secrets import InMemoryIntegrationRefs, InMemorySecretStore
from shared.domain.events import LEAD_CAPTURED, ChatEvent
from shared.domain.integrations import MondayBoard
from shared.services.channel_ports import CrmBoard, DeliveryFailed
from shared.services.crm import LeadToCrm
from shared.services.integrations import Integrations


class _Board(CrmBoard):
    def __init__(self) -> None:
        self.items: dict[str, dict[str, object]] = {}
        self.failing = False

    def find_item(self, board: MondayBoard, lead_id: str) -> str | None:
        return next((k for k, v in self.items.items() if v.get(board.lead_id_column) == lead_id), None)

    def create_item(self, board: MondayBoard, name: str, columns: dict[str, object]) -> str:
        if self.failing:
            raise DeliveryFailed("down")
        item = str(len(self.items) + 1)
        self.items[item] = columns
        return item


def _event(lead_id: str = "lead-1") -> ChatEvent:
    now = datetime.now(UTC).isoformat()
    data = {
        "id": lead_id,
        "tenant": "novahouse",
        "conversation_id": "novahouse." + "a" * 24,
        "channel": "web",
        "phone": "+48600100200",
        "language": "pl",
        "updated_at": now,
    }
    return ChatEvent(type=LEAD_CAPTURED, tenant="novahouse", data=data)


def _handler(board: _Board, deliveries: InMemoryLeadDeliveries, configured: bool = True) -> LeadToCrm:
    integrations = Integrations(InMemorySecretStore(), InMemoryIntegrationRefs())
    if configured:
        integrations.set_monday("novahouse", api_token="tok", board_id="1")
    return LeadToCrm(integrations, board, deliveries, lambda t, c: f"https://x/{c}")


def test_the_same_lead_twice_makes_one_item() -> None:
    board, deliveries = _Board(), InMemoryLeadDeliveries()
    handler = _handler(board, deliveries)
    handler(_event())
    handler(_event())
    assert len(board.items) == 1 and deliveries.item_for("novahouse", "lead-1") == "1"


def test_a_crash_between_creating_and_recording_does_not_make_a_second_item() -> None:
    board, deliveries = _Board(), InMemoryLeadDeliveries()
    _handler(board, InMemoryLeadDeliveries())(_event())  # created, but the record was "lost"
    _handler(board, deliveries)(_event())
    assert len(board.items) == 1 and deliveries.item_for("novahouse", "lead-1") == "1"


def test_a_failing_crm_raises_so_pubsub_retries_and_nothing_is_recorded() -> None:
    board, deliveries = _Board(), InMemoryLeadDeliveries()
    board.failing = True
    with pytest.raises(DeliveryFailed):
        _handler(board, deliveries)(_event())
    assert deliveries.items == {}
    board.failing = False  # the retry goes on at once: the failed delivery gave its claim back
    _handler(board, deliveries)(_event())
    assert len(board.items) == 1


def test_a_tenant_without_a_crm_keeps_its_leads_to_itself() -> None:
    board = _Board()
    _handler(board, InMemoryLeadDeliveries(), configured=False)(_event())
    assert board.items == {}


def test_a_delivery_racing_another_in_progress_raises_for_a_retry_and_creates_nothing() -> None:
    board, deliveries = _Board(), InMemoryLeadDeliveries()
    assert deliveries.claim("novahouse", "lead-1", 60)  # another delivery of the same lead is creating its item
    with pytest.raises(DeliveryFailed):
        _handler(board, deliveries)(_event())
    assert board.items == {}


def test_a_claim_left_by_a_crashed_delivery_is_taken_over_once_stale() -> None:
    board, deliveries = _Board(), InMemoryLeadDeliveries()
    assert deliveries.claim("novahouse", "lead-1", 60)
    assert not deliveries.claim("novahouse", "lead-1", 60)  # fresh: another delivery must wait
    deliveries.claims[("novahouse", "lead-1")] = datetime(2020, 1, 1, tzinfo=UTC)  # its claimant died long ago
    _handler(board, deliveries)(_event())
    assert len(board.items) == 1
