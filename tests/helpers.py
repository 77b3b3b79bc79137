"""Helpers the test tiers share: the demo knowledge packs and signing in on the Auth emulator."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import requests

from shared.domain.knowledge import KnowledgePack, load_pack_file
from shared.domain.retrieval import KnowledgeIndex

ROOT = Path(__file__).resolve().parents[1]
DEMO_TENANTS = ("novahouse", "hotel")


@lru_cache(maxsize=4)
def demo_pack(tenant: str) -> KnowledgePack:
    """A demo tenant's knowledge pack from data/tenants/ (parsed once per test session)."""
    return load_pack_file(ROOT / "data" / "tenants" / f"{tenant}.yaml")


def demo_copy(tenant: str, new_id: str) -> KnowledgePack:
    """A demo tenant's pack under another id (and no web origins), for a tenant of one test's own."""
    pack = demo_pack(tenant)
    return pack.model_copy(update={"tenant": pack.tenant.model_copy(update={"id": new_id, "allowed_origins": []})})


@lru_cache(maxsize=4)
def demo_index(tenant: str) -> KnowledgeIndex:
    """The knowledge index of a demo tenant (built once per test session)."""
    return KnowledgeIndex.build(demo_pack(tenant))


def sign_in_with_password(auth_emulator_host: str, email: str, password: str) -> str:
    """An ID token from the Auth emulator, obtained the way the dashboard signs in."""
    response = requests.post(
        f"http://{auth_emulator_host}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=local",
        json={"email": email, "password": password, "returnSecureToken": True},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["idToken"]
    return token
