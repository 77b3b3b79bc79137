"""A local stand-in for Monday.com's GraphQL API: ``create_item`` and the look-up of items by a
column value (``items_page_by_column_values``), on boards kept in memory.

    POST /v2    {"query": "mutation ($board: ID!, ...) { create_item(...) { id } }", "variables": {...}}
    GET  /_items?board=123     the items a board holds
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any, ClassVar

from infra.local.recording_server import COMMON_MODES, Answer, Incoming, RecordingServer

_ARG = r"{name}\s*:\s*\$(\w+)"


def _variable(query: str, name: str, variables: dict[str, Any]) -> Any:
    """The value of ``name: $var`` in the query (the client sends every value as a variable)."""
    match = re.search(_ARG.format(name=name), query)
    return variables.get(match.group(1)) if match else None


class FakeMonday(RecordingServer):
    """Boards of items; a wrong token is refused as Monday does; GraphQL errors on demand."""

    name: ClassVar[str] = "fake-monday"
    modes: ClassVar[tuple[str, ...]] = (*COMMON_MODES, "graphql_error")

    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self.boards: dict[str, list[dict[str, Any]]] = {}
        self.tokens: set[str] = set()  # empty: any non-empty token is accepted

    def failure(self) -> Answer | None:
        if self.recorder.mode == "graphql_error":
            return Answer.json(200, {"errors": [{"message": "Internal server error", "extensions": {"code": "INTERNAL"}}]})
        return super().failure()

    def handle_control(self, request: Incoming) -> Answer | None:
        if request.path == "/_items" and request.method == "GET":
            board = (request.query.get("board") or [""])[0]
            with self.recorder.lock:
                return Answer.json(200, {"items": list(self.boards.get(board, []))})
        if request.path == "/_tokens" and request.method == "POST":
            with self.recorder.lock:
                self.tokens.add(str(request.json()["token"]))
            return Answer.json(200, {})
        return super().handle_control(request)

    def route(self, request: Incoming) -> Answer:
        if request.method != "POST" or request.path not in ("/v2", "/v2/"):
            return Answer.json(404, {"errors": [{"message": "Not found"}]})
        token = request.headers.get("authorization", "")
        if not token or (self.tokens and token not in self.tokens):
            self.record(request, {"op": "refused"})
            return Answer.json(401, {"errors": [{"message": "Not Authenticated"}], "status_code": 401})
        body = request.json()
        query, variables = str(body.get("query", "")), body.get("variables") or {}
        if "create_item" in query:
            return self._create(request, query, variables)
        if "items_page_by_column_values" in query:
            return self._find(request, query, variables)
        return Answer.json(200, {"errors": [{"message": "Unsupported query in the local stand-in"}]})

    def _create(self, request: Incoming, query: str, variables: dict[str, Any]) -> Answer:
        board = str(_variable(query, "board_id", variables) or "")
        name = _variable(query, "item_name", variables)
        raw_columns = _variable(query, "column_values", variables) or "{}"
        columns = json.loads(raw_columns) if isinstance(raw_columns, str) else raw_columns
        if not board or not name:
            return Answer.json(200, {"errors": [{"message": "board_id and item_name are required"}]})
        item = {"id": str(secrets.randbelow(10**10) + 10**9), "name": name, "board_id": board, "column_values": columns}
        with self.recorder.lock:
            self.boards.setdefault(board, []).append(item)
        self.record(request, {"op": "create_item", "board": board, "name": name, "column_values": columns})
        return Answer.json(200, {"data": {"create_item": {"id": item["id"]}}, "account_id": 1})

    def _find(self, request: Incoming, query: str, variables: dict[str, Any]) -> Answer:
        board = str(_variable(query, "board_id", variables) or "")
        column = str(_variable(query, "column_id", variables) or "")
        values = _variable(query, "column_values", variables) or []
        self.record(request, {"op": "find", "board": board, "column": column})
        with self.recorder.lock:
            items = [
                {"id": i["id"], "name": i["name"]}
                for i in self.boards.get(board, [])
                if str(i["column_values"].get(column, "")) in [str(v) for v in values]
            ]
        return Answer.json(200, {"data": {"items_page_by_column_values": {"items": items}}})
