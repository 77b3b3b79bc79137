from __future__ import annotations

import pytest

from shared.domain.delivery import next_delivery_status, parse_delivery_status


@pytest.mark.parametrize(
    ("reports", "final"),
    [
        (["queued", "sent", "delivered", "read"], "read"),
        (["read", "delivered", "sent"], "read"),
        (["delivered", "sent", "queued"], "delivered"),
        (["sent", "failed", "delivered", "read"], "failed"),
        (["queued", "undelivered", "sent"], "undelivered"),
        (["delivered", "failed"], "delivered"),
        (["read", "failed"], "read"),
    ],
)
def test_reports_in_any_order_never_move_a_status_backwards(reports: list[str], final: str) -> None:
    status: str | None = None
    for raw in reports:
        reported = parse_delivery_status(raw)
        assert reported is not None
        status = next_delivery_status(status, reported) or status
    assert status == final


def test_a_repeated_report_changes_nothing() -> None:
    assert next_delivery_status("delivered", "delivered") is None
    assert next_delivery_status(None, "sent") == "sent"


def test_statuses_we_do_not_show_are_not_parsed() -> None:
    assert parse_delivery_status("sending") is None
    assert parse_delivery_status("accepted") is None
    assert parse_delivery_status("<script>") is None
    assert parse_delivery_status(None) is None
    assert parse_delivery_status("DELIVERED") == "delivered"
