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


def offending_imports(layer: str, root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted((root / "shared" / layer).rglob("*.py")):
        for name in imported_modules(path):
            if name.split(".")[0] in FORBIDDEN:
                found.append(f"{path.relative_to(root)} imports {name}")
    return found


def test_domain_imports_no_sdk_or_web_framework() -> None:
    assert list((ROOT / "shared" / "domain").rglob("*.py")), "the domain layer exists"
    assert offending_imports("domain") == []


def test_services_import_no_sdk_or_web_framework() -> None:
    assert list((ROOT / "shared" / "services").rglob("*.py")), "the service layer exists"
    assert offending_imports("services") == []


def test_the_forbidden_list_names_every_sdk_and_web_framework() -> None:
    assert set(FORBIDDEN) == {"google", "firebase_admin", "flask", "functions_framework", "werkzeug"}


def test_the_boundary_check_catches_a_planted_violation(tmp_path: Path) -> None:
    layer = tmp_path / "shared" / "domain"
    (layer / "deep").mkdir(parents=True)
    (layer / "fine.py").write_text("import re\nfrom shared.domain import errors\nfrom . import text\n")
    (layer / "deep" / "bad.py").write_text(
        "from google.cloud import firestore\nimport flask.json\n\ndef lazy():\n    import firebase_admin.auth\n"
    )
    assert offending_imports("domain", tmp_path) == [
        "shared/domain/deep/bad.py imports google.cloud",
        "shared/domain/deep/bad.py imports flask.json",
        "shared/domain/deep/bad.py imports firebase_admin.auth",
    ]
