"""The client address the per-IP limits key on: counted from the right of X-Forwarded-For, never the client's own claim."""

from __future__ import annotations

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from shared.http.app import client_ip


def request_from(peer: str, forwarded: str | None = None) -> Request:
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return Request(EnvironBuilder(headers=headers, environ_base={"REMOTE_ADDR": peer}).get_environ())


def test_a_forged_first_entry_is_ignored_behind_one_trusted_proxy() -> None:
    request = request_from("10.0.0.1", "6.6.6.6, 203.0.113.7")
    assert client_ip(request, trusted_proxies=1) == "203.0.113.7"


def test_two_trusted_proxies_take_the_second_entry_from_the_right() -> None:
    request = request_from("10.0.0.1", "6.6.6.6, 203.0.113.7, 198.51.100.2")
    assert client_ip(request, trusted_proxies=2) == "203.0.113.7"
    assert client_ip(request, trusted_proxies=1) == "198.51.100.2"


def test_no_trusted_proxy_means_the_peer_address() -> None:
    assert client_ip(request_from("10.0.0.1", "6.6.6.6"), trusted_proxies=0) == "10.0.0.1"


def test_without_the_header_the_peer_address_is_used() -> None:
    assert client_ip(request_from("10.0.0.9"), trusted_proxies=1) == "10.0.0.9"
    assert client_ip(request_from("10.0.0.9", " , "), trusted_proxies=1) == "10.0.0.9"


def test_a_header_shorter_than_the_proxy_chain_gives_its_first_entry() -> None:
    assert client_ip(request_from("10.0.0.1", "203.0.113.7"), trusted_proxies=3) == "203.0.113.7"


def test_rotating_forged_entries_all_map_to_one_address() -> None:
    addresses = {client_ip(request_from("10.0.0.1", f"1.2.3.{i}, 203.0.113.7")) for i in range(50)}
    assert addresses == {"203.0.113.7"}
