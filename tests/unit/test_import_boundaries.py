"""The domain and service layers stay free of SDKs and web frameworks."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("google", "firebase_admin", "flask", "functions_framework", "werkzeug")


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def offending_imports(layer: str) -> list[str]:
    found = []
    for path in sorted((ROOT / "shared" / layer).rglob("*.py")):
        for name in imported_modules(path):
            if name.split(".")[0] in FORBIDDEN:
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_domain_imports_no_sdk_or_web_framework() -> None:
    assert list((ROOT / "shared" / "domain").rglob("*.py")), "the domain layer exists"
    assert offending_imports("domain") == []


def test_services_import_no_sdk_or_web_framework() -> None:
    assert list((ROOT / "shared" / "services").rglob("*.py")), "the service layer exists"
    assert offending_imports("services") == []


def test_the_boundary_check_catches_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from google.cloud import firestore\nimport flask.json\n")
    assert imported_modules(bad) == ["google.cloud", "flask.json"]
