"""The local gateway behaves like Hosting at the edge: security headers, X-Forwarded-For appended, chunked bodies limited."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import requests

from shared.bootstrap import container
from shared.services.rate_limits import IpRateLimiter


def test_pages_are_served_with_the_csp_and_the_local_emulators_in_connect_src(gateway: str, local_cloud: dict[str, str]) -> None:
    response = requests.get(f"{gateway}/dashboard", timeout=10)
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert f"http://{local_cloud['FIREBASE_AUTH_EMULATOR_HOST']}" in policy.split("connect-src", 1)[1].split(";")[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_api_responses_carry_nosniff_but_keep_their_own_cache_control(gateway: str) -> None:
    response = requests.get(f"{gateway}/api/health", timeout=10)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_a_forged_forwarded_for_through_the_gateway_does_not_escape_the_address_limit(gateway: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(container().__dict__, "ip_limiter", IpRateLimiter(2))
    statuses = [
        requests.post(
            f"{gateway}/api/chat/session",
            json={"tenant": "no-such-tenant-edge"},
            headers={"X-Forwarded-For": f"7.7.7.{i}"},
            timeout=10,
        ).status_code
        for i in range(3)
    ]
    assert statuses == [404, 404, 429]  # the limit is checked before the tenant, per the real peer


def chunked_post(gateway: str, path: str, chunks: list[bytes]) -> tuple[int, dict[str, str]]:
    url = urlsplit(gateway)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    connection.putrequest("POST", path)
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Transfer-Encoding", "chunked")
    connection.endheaders()
    for chunk in chunks:
        connection.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
    connection.send(b"0\r\n\r\n")
    response = connection.getresponse()
    body = json.loads(response.read() or b"{}")
    connection.close()
    return response.status, body


def test_a_chunked_body_over_64_kib_is_413(gateway: str) -> None:
    status, body = chunked_post(gateway, "/api/chat", [b'{"tenant": "novahouse", "message": "', *([b"a" * 4096] * 20), b'"}'])
    assert status == 413 and body["error"] == "Payload Too Large"


def test_a_small_chunked_body_is_read_whole(gateway: str) -> None:
    status, body = chunked_post(gateway, "/api/chat/session", [b'{"tenant": ', b'"no-such-tenant-chunked"}'])
    assert status == 404 and body["error"] == "Not Found"
