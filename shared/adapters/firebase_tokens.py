"""Firebase custom tokens for guests (their widget signs in with one to read its own conversation)."""

from __future__ import annotations

from typing import Any

from shared.services.ports import TokenIssuer


class FirebaseTokenIssuer(TokenIssuer):
    """firebase-admin signs the token (IAM signBlob in production, unsigned on the Auth emulator)."""

    def __init__(self, auth: Any, app: Any) -> None:
        self._auth = auth
        self._app = app

    def guest_token(self, uid: str, claims: dict[str, str]) -> str:
        token = self._auth.create_custom_token(uid, claims, app=self._app)
        return token.decode() if isinstance(token, bytes) else str(token)


class StaticTokenIssuer(TokenIssuer):
    """Unit tests: a readable fake token that records its claims."""

    def __init__(self) -> None:
        self.issued: list[tuple[str, dict[str, str]]] = []

    def guest_token(self, uid: str, claims: dict[str, str]) -> str:
        self.issued.append((uid, claims))
        return f"token-for-{uid}"
