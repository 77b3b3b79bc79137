"""Monday.com through its GraphQL API over HTTP (``base_url`` points it at a local stand-in)."""

from __future__ import annotations

import json
from typing import Any

from shared.domain.integrations import MondayBoard
from shared.services.channel_ports import CrmBoard, DeliveryFailed

MONDAY_API = "https://api.monday.com/v2"
API_VERSION = "2025-04"

_CREATE = """mutation ($board: ID!, $name: String!, $columns: JSON!) {
  create_item (board_id: $board, item_name: $name, column_values: $columns) { id }
}"""
_FIND = """query ($board: ID!, $column: String!, $values: [String]!) {
  items_page_by_column_values (limit: 1, board_id: $board, columns: [{column_id: $column, column_values: $values}]) {
    items { id name }
  }
}"""


class MondayGraphQLBoard(CrmBoard):
    """Items on a Monday board, one GraphQL request each."""

    def __init__(self, base_url: str | None = None, timeout: float = 10.0) -> None:
        self._url = base_url or MONDAY_API
        self._timeout = timeout

    def _call(self, board: MondayBoard, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        import requests

        try:
            response = requests.post(
                self._url,
                json={"query": query, "variables": variables},
                headers={"Authorization": board.api_token.get_secret_value(), "API-Version": API_VERSION},
                timeout=self._timeout,
            )
        except requests.RequestException as exc:
            raise DeliveryFailed(f"Monday unreachable: {type(exc).__name__}") from None
        if response.status_code != 200:
            raise DeliveryFailed(f"Monday answered {response.status_code}")
        body = response.json()
        if body.get("errors") or not isinstance(body.get("data"), dict):
            messages = "; ".join(str(e.get("message", ""))[:100] for e in body.get("errors") or [])
            raise DeliveryFailed(f"Monday GraphQL error: {messages or 'no data'}")
        data: dict[str, Any] = body["data"]
        return data

    def find_item(self, board: MondayBoard, lead_id: str) -> str | None:
        data = self._call(board, _FIND, {"board": board.board_id, "column": board.lead_id_column, "values": [lead_id]})
        items = (data.get("items_page_by_column_values") or {}).get("items") or []
        return str(items[0]["id"]) if items else None

    def create_item(self, board: MondayBoard, name: str, columns: dict[str, object]) -> str:
        data = self._call(board, _CREATE, {"board": board.board_id, "name": name, "columns": json.dumps(columns)})
        return str(data["create_item"]["id"])
