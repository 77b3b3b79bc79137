"""Firebase ID tokens → the agent or admin calling (tenant and role come from custom claims)."""

from __future__ import annotations

from typing import Any, cast

from shared import logs
from shared.domain.errors import ForbiddenError, ServiceUnavailableError, UnauthorizedError
from shared.domain.validation import TENANT_ID
from shared.services.agent import ROLES, Principal, Role

_MAX_TOKEN_CHARS = 8192

_log = logs.get_logger("chatdesk.auth")


class FirebaseTokenVerifier:
    """Verifies ``Authorization: Bearer <ID token>`` with firebase-admin; the token itself is never logged."""

    def __init__(self, auth: Any, app: Any) -> None:
        self._auth = auth
        self._app = app

    def verify(self, authorization: str | None) -> Principal:
        """The caller's Principal; 401 for a missing or invalid token, 403 for a token that is not an agent's."""
        token = bearer_token(authorization)
        auth = self._auth
        try:
            claims: dict[str, Any] = auth.verify_id_token(token, app=self._app, check_revoked=False)
        except auth.CertificateFetchError:
            _log.warning("could not fetch Firebase token certificates")
            raise ServiceUnavailableError("Sign-in cannot be checked right now, try again shortly") from None
        except (ValueError, auth.InvalidIdTokenError, auth.ExpiredIdTokenError, auth.UserDisabledError) as err:
            # Only the error's kind: its message may quote parts of the token.
            _log.info("rejected an ID token", extra={"fields": {"reason": type(err).__name__}})
            raise UnauthorizedError("A valid sign-in (Firebase ID token) is required") from None
        return principal_from_claims(claims)


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
