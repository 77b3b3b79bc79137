"""The OpenAPI document is generated from the contract, and the contract matches what the functions serve."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.local.gateway import Hosting
from shared.http.openapi import ALL_OPERATIONS as OPERATIONS
from shared.http.openapi import openapi_document, openapi_path

ROOT = Path(__file__).resolve().parents[2]
HTTP_FUNCTIONS = sorted(
    name
    for name, spec in yaml.safe_load((ROOT / "infra" / "resources.yaml").read_text())["functions"].items()
    if spec["trigger"] == "http"
)


def function_routes(name: str) -> set[tuple[str, str]]:
    """(method, rule) of every route the function's HttpApp registers (imported, not served)."""
    spec = importlib.util.spec_from_file_location(f"contract_check_{name}", ROOT / "functions" / name / "main.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app: Any = module.app
    return {(method, rule) for rule, methods in app.rules() for method in methods if method not in ("HEAD", "OPTIONS")}


def test_every_route_of_every_http_function_is_in_the_contract_and_nothing_else_is() -> None:
    served = {(name, method, rule) for name in HTTP_FUNCTIONS for method, rule in function_routes(name)}
    promised = {(op.function, op.method, op.path) for op in OPERATIONS}
    assert served, "the functions serve routes"
    assert served - promised == set(), "routes the contract does not describe"
    assert promised - served == set(), "operations no function serves"


def test_hosting_sends_every_documented_path_to_the_function_that_serves_it() -> None:
    hosting = Hosting(ROOT / "firebase.json")
    for op in OPERATIONS:
        concrete = openapi_path(op.path).replace("{conversation_id}", "novahouse.0123456789abcdef01234567")
        concrete = concrete.replace("{", "").replace("}", "")  # any other parameter: its own name
        route = hosting.resolve(concrete)
        assert (route.kind, route.target) == ("function", op.function), op.path


def test_the_document_is_openapi_3_1_with_every_schema_it_refers_to() -> None:
    document = openapi_document()
    assert document["openapi"] == "3.1.0"
    schemas = document["components"]["schemas"]
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    assert refs
    missing = {r for r in refs if r.rsplit("/", 1)[-1] not in schemas}
    assert missing == set()


def test_a_turn_request_schema_says_what_the_server_validates() -> None:
    turn = openapi_document()["components"]["schemas"]["TurnRequest"]
    assert set(turn["required"]) == {"tenant", "message"}
    assert turn["properties"]["message"]["maxLength"] == 2000
    assert turn["properties"]["tenant"]["pattern"].startswith("^[a-z0-9]")


@pytest.mark.parametrize("status", ["400", "404", "413", "500"])
def test_every_operation_documents_the_errors_every_route_can_answer(status: str) -> None:
    for path, methods in openapi_document()["paths"].items():
        for method, operation in methods.items():
            assert status in operation["responses"], f"{method.upper()} {path} lacks {status}"
            if status != "500" and status not in {str(s) for s in (200, 201, 202)}:
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}
