"""firebase.json declares the pages' security headers (CSP with frame-ancestors, nosniff, Referrer-Policy)."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.local.gateway import Hosting

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["/", "/index.html", "/hotel", "/hotel.html", "/dashboard", "/dashboard/index.html"]


def directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for directive in filter(None, (d.strip() for d in policy.split(";"))):
        name, *values = directive.split()
        out[name] = values
    return out


@pytest.mark.parametrize("path", PAGES)
def test_every_page_gets_a_csp_that_forbids_framing_and_inline_script(path: str) -> None:
    headers = Hosting(ROOT / "firebase.json").headers_for(path)
    policy = directives(headers["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'self'"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("path", ["/widget.js", "/widget/app.js", "/lib/http.js", "/vendor/firebase.js"])
def test_the_widget_scripts_stay_embeddable_on_any_site_and_are_not_sniffed(path: str) -> None:
    headers = Hosting(ROOT / "firebase.json").headers_for(path)
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_a_path_climbing_out_of_web_is_not_served_but_a_linked_folder_inside_is(tmp_path: Path) -> None:
    (tmp_path / "web").mkdir()
    (tmp_path / "secret.txt").write_text("no")
    shared = tmp_path / "elsewhere"
    shared.mkdir()
    (shared / "lib.js").write_text("export {};")
    (tmp_path / "web" / "vendor").symlink_to(shared)
    (tmp_path / "firebase.json").write_text('{"hosting": {"public": "web"}}')
    hosting = Hosting(tmp_path / "firebase.json")
    assert hosting.resolve("/vendor/lib.js").kind == "static"
    for path in ("/../secret.txt", "/vendor/../../secret.txt", "/vendor/../../../etc/passwd"):
        assert hosting.resolve(path).kind == "none", path
