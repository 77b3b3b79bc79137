"""The local gateway routes exactly as firebase.json's rewrites say."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from infra.local.gateway import Hosting, glob_to_regex

ROOT = Path(__file__).resolve().parents[2]
FIREBASE = json.loads((ROOT / "firebase.json").read_text())
FUNCTIONS = yaml.safe_load((ROOT / "infra" / "resources.yaml").read_text())["functions"]


def sample_paths(source: str) -> list[str]:
    """Concrete paths a Hosting glob must match."""
    expanded = [source]
    brace = re.search(r"\{([^}]*)\}", source)
    if brace:
        expanded = [source[: brace.start()] + alt + source[brace.end() :] for alt in brace.group(1).split(",")]
    return [p.replace("**", "a/b").replace("*", "x") for p in expanded]


def test_every_rewrite_routes_its_paths_to_the_named_function() -> None:
    hosting = Hosting(ROOT / "firebase.json")
    rewrites = FIREBASE["hosting"]["rewrites"]
    assert rewrites, "firebase.json has rewrites"
    for rewrite in rewrites:
        for path in sample_paths(rewrite["source"]):
            first = next(r for r in rewrites if glob_to_regex(r["source"]).match(path))
            route = hosting.resolve(path)
            if "function" in first:
                assert (route.kind, route.target) == ("function", first["function"]["functionId"]), path
            else:
                assert route.kind == "static", path


def test_the_gateway_serves_every_function_firebase_json_names() -> None:
    hosting = Hosting(ROOT / "firebase.json")
    named = {r["function"]["functionId"] for r in FIREBASE["hosting"]["rewrites"] if "function" in r}
    assert set(hosting.functions()) == named


def test_every_rewritten_function_exists_with_its_entry_point() -> None:
    for name in Hosting(ROOT / "firebase.json").functions():
        spec = FUNCTIONS[name]
        source = (ROOT / "functions" / name / "main.py").read_text()
        assert f"def {spec['entry_point']}(" in source, name


def test_paths_outside_the_rewrites_are_not_sent_to_functions() -> None:
    hosting = Hosting(ROOT / "firebase.json")
    assert hosting.resolve("/api/nothing-here").kind == "none"
    assert hosting.resolve("/api/healthy").kind == "none"


def test_hosting_globs_follow_firebase_semantics() -> None:
    assert glob_to_regex("/api/chat/**").match("/api/chat/session/x")
    assert not glob_to_regex("/api/*").match("/api/a/b")
    assert glob_to_regex("/api/{ab,widgets}/**").match("/api/widgets/top")
    assert not glob_to_regex("/api/chat").match("/api/chatty")


def test_static_files_cannot_escape_the_public_folder() -> None:
    assert Hosting(ROOT / "firebase.json").resolve("/../firebase.json").kind != "static"


def test_widget_assets_carry_the_headers_firebase_json_gives_them() -> None:
    hosting = Hosting(ROOT / "firebase.json")
    assert hosting.headers_for("/widget.js")["Access-Control-Allow-Origin"] == "*"
    assert hosting.headers_for("/vendor/firebase.js")["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in hosting.headers_for("/dashboard/app.js")


def test_a_path_with_encoded_control_characters_still_reaches_its_function() -> None:
    route = Hosting(ROOT / "firebase.json").resolve("/api/agent/conversations/\n\x1c/messages")
    assert (route.kind, route.target) == ("function", "agent")
