"""Firebase ID tokens → the agent or admin calling (tenant and role come from custom claims)."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any, cast

from shared import logs
from shared.domain.errors import ForbiddenError, ServiceUnavailableError, UnauthorizedError
from shared.domain.validation import TENANT_ID
from shared.services.agent import ROLES, Principal, Role

_MAX_TOKEN_CHARS = 8192
_MAX_CACHED_TOKENS = 10_000

_log = logs.get_logger("chatdesk.auth")


class FirebaseTokenVerifier:
    """Verifies ``Authorization: Bearer <ID token>`` with firebase-admin; the token itself is never logged.

    Every token is checked for revocation and a disabled account (one Auth lookup), and the verdict is kept
    for ``cache_seconds`` so a busy dashboard does not cost a lookup per request: a disabled agent or one whose
    role changed (``tools.agents`` revokes their tokens) loses access within that time.
    """

    def __init__(self, auth: Any, app: Any, *, cache_seconds: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._auth = auth
        self._app = app
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._verified: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def verify(self, authorization: str | None) -> Principal:
        """The caller's Principal; 401 for a missing, invalid, revoked or disabled token, 403 for one that is not an agent's."""
        token = bearer_token(authorization)
        key = hashlib.sha256(token.encode()).hexdigest()
        now = self._clock()
        with self._lock:
            cached = self._verified.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        principal = principal_from_claims(self._claims(token))
        with self._lock:
            if len(self._verified) >= _MAX_CACHED_TOKENS:
                self._verified = {k: v for k, v in self._verified.items() if v[0] > now}
            if len(self._verified) < _MAX_CACHED_TOKENS:
                self._verified[key] = (now + self._cache_seconds, principal)
        return principal

    def _claims(self, token: str) -> dict[str, Any]:
        auth = self._auth
        try:
            claims: dict[str, Any] = auth.verify_id_token(token, app=self._app, check_revoked=True)
        except auth.CertificateFetchError:
            _log.warning("could not fetch Firebase token certificates")
            raise ServiceUnavailableError("Sign-in cannot be checked right now, try again shortly") from None
        except (
            ValueError,
            auth.InvalidIdTokenError,
            auth.ExpiredIdTokenError,
            auth.RevokedIdTokenError,
            auth.UserDisabledError,
            auth.UserNotFoundError,
        ) as err:
            # Only the error's kind: its message may quote parts of the token.
            _log.info("rejected an ID token", extra={"fields": {"reason": type(err).__name__}})
            raise UnauthorizedError("A valid sign-in (Firebase ID token) is required") from None
        return claims


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer …`` header, or 401."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > _MAX_TOKEN_CHARS:
        raise UnauthorizedError("A valid sign-in (Firebase ID token) is required")
    return token


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """An agent or admin of one tenant, from verified claims; anyone else (e.g. a guest) gets 403."""
    tenant = claims.get("tenant")
    role = claims.get("role")
    if not isinstance(tenant, str) or not TENANT_ID.fullmatch(tenant):
        raise ForbiddenError("This account is not assigned to a business")
    if role not in ROLES:
        raise ForbiddenError("This account is not an agent or admin")
    uid = claims.get("uid") or claims.get("sub")
    if not isinstance(uid, str) or not uid:
        raise UnauthorizedError("A valid sign-in (Firebase ID token) is required")
    email = claims.get("email")
    name = claims.get("name")
    return Principal(
        uid=uid,
        email=email if isinstance(email, str) else "",
        name=name.strip()[:80] if isinstance(name, str) else "",
        tenant=tenant,
        role=cast(Role, role),
    )
