"""Revocation (issue 10, defect 8): a disabled agent, or one whose role changed, loses access with tokens it already has.

Against the Auth emulator through the agent function; the token check is cached briefly (AUTH_CACHE_SECONDS).
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from shared.adapters.firebase_auth import FirebaseTokenVerifier
from shared.bootstrap import container
from tests.conftest import function_app, random_id
from tests.helpers import sign_in_with_password
from tools import agents


@pytest.fixture()
def client(demo_tenants: None, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    clients = container().clients
    verifier = FirebaseTokenVerifier(clients.auth, clients.firebase_app, cache_seconds=0.5)
    monkeypatch.setitem(container().__dict__, "verifier", verifier)
    return function_app("agent").test_client()


def signed_in(local_cloud: dict[str, str], role: str = "agent") -> tuple[str, dict[str, str]]:
    email = f"{random_id('revoke')}@novahouse.test"
    agents.create_agent(email, "correct-horse-42", "novahouse", role, "Rev")
    token = sign_in_with_password(local_cloud["FIREBASE_AUTH_EMULATOR_HOST"], email, "correct-horse-42")
    time.sleep(1.1)  # revocation has one-second resolution: a token from the same second as the revocation stays valid
    return email, {"Authorization": f"Bearer {token}"}


def me(client: Any, headers: dict[str, str]) -> Any:
    return client.get("/api/agent/me", headers=headers)


def test_a_disabled_agents_existing_token_gets_401(client, local_cloud) -> None:  # type: ignore[no-untyped-def]
    email, headers = signed_in(local_cloud)
    assert me(client, headers).status_code == 200
    assert agents.main(["disable", "--email", email]) == 0
    time.sleep(0.6)  # past the verdict cache
    response = me(client, headers)
    assert response.status_code == 401
    assert response.get_json()["error"] == "Unauthorized"


def test_a_role_change_revokes_the_tokens_carrying_the_old_role(client, local_cloud) -> None:  # type: ignore[no-untyped-def]
    email, headers = signed_in(local_cloud, role="admin")
    assert me(client, headers).get_json()["role"] == "admin"
    assert agents.main(["set-role", "--email", email, "--role", "agent"]) == 0
    time.sleep(0.6)
    assert me(client, headers).status_code == 401
    fresh = sign_in_with_password(local_cloud["FIREBASE_AUTH_EMULATOR_HOST"], email, "correct-horse-42")
    assert me(client, {"Authorization": f"Bearer {fresh}"}).get_json()["role"] == "agent"


def test_re_creating_an_account_with_another_tenant_revokes_its_tokens(client, local_cloud) -> None:  # type: ignore[no-untyped-def]
    email, headers = signed_in(local_cloud)
    agents.create_agent(email, "correct-horse-42", "hotel", "agent", "Rev")
    time.sleep(0.6)
    assert me(client, headers).status_code == 401


def test_the_verdict_is_cached_so_a_busy_dashboard_costs_one_lookup(demo_tenants: None, local_cloud, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _, headers = signed_in(local_cloud)
    clients = container().clients
    lookups: list[str] = []
    real_verify = clients.auth.verify_id_token

    def counting(*args: Any, **kwargs: Any) -> Any:
        lookups.append("x")
        assert kwargs.get("check_revoked") is True
        return real_verify(*args, **kwargs)

    monkeypatch.setattr(clients.auth, "verify_id_token", counting)
    verifier = FirebaseTokenVerifier(clients.auth, clients.firebase_app, cache_seconds=30)
    principals = {verifier.verify(headers["Authorization"]).uid for _ in range(20)}
    assert len(principals) == 1 and len(lookups) == 1


def test_an_unknown_command_target_is_a_clean_error(local_cloud, capsys) -> None:  # type: ignore[no-untyped-def]
    assert agents.main(["disable", "--email", f"{random_id('nobody')}@novahouse.test"]) == 2
    assert "no account" in capsys.readouterr().err
