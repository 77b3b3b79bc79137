"""Creates agent and admin accounts in Firebase Auth, against whatever Auth the environment names.

    python -m tools.agents create --email anna@novahouse.pl --password '…' --tenant novahouse --role agent [--name Anna]
    python -m tools.agents demo      # the demo tenants' agents and admins, with fresh passwords
    python -m tools.agents disable --email anna@novahouse.pl             # locks the account, revokes its tokens
    python -m tools.agents set-role --email anna@novahouse.pl --role admin [--tenant novahouse]

An account's tenant and role are custom claims (``{tenant, role}``) that the ``agent`` function and
the security rules read. Running again is safe: an existing account gets the new password, name and
claims. Disabling an account, or changing its role or tenant, revokes its refresh tokens, so tokens
already issued stop working (the ``agent`` function checks revocation). ``demo`` refuses to run
against a real project (only the Auth emulator or a non-production
environment), because its logins are printed.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from typing import Any

from shared.domain.validation import TENANT_ID
from shared.services.agent import ROLES
from tools.cli import guarded

MIN_PASSWORD_CHARS = 8

# The demo tenants' staff: one agent and one admin each.
DEMO_AGENTS: tuple[dict[str, str], ...] = (
    {"email": "agent@novahouse.test", "name": "Anna", "tenant": "novahouse", "role": "agent"},
    {"email": "admin@novahouse.test", "name": "Piotr", "tenant": "novahouse", "role": "admin"},
    {"email": "agent@hotel.test", "name": "Emma", "tenant": "hotel", "role": "agent"},
    {"email": "admin@hotel.test", "name": "James", "tenant": "hotel", "role": "admin"},
)


class AccountError(ValueError):
    """An account that cannot be created as asked."""


def _auth() -> tuple[Any, Any]:
    from shared.bootstrap import container

    clients = container().clients
    return clients.auth, clients.firebase_app


def create_agent(email: str, password: str, tenant: str, role: str, name: str | None = None) -> dict[str, str]:
    """Create or update the Firebase Auth user and set its ``{tenant, role}`` claims; returns the account."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise AccountError(f"{email!r} is not an e-mail address")
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
    if not TENANT_ID.fullmatch(tenant):
        raise AccountError(f"{tenant!r} is not a tenant id")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    display_name = (name or email.split("@")[0]).strip()[:80]
    auth, app = _auth()
    try:
        user = auth.get_user_by_email(email, app=app)
        previous = dict(user.custom_claims or {})
        user = auth.update_user(user.uid, password=password, display_name=display_name, disabled=False, app=app)
    except auth.UserNotFoundError:
        previous = None
        user = auth.create_user(email=email, password=password, display_name=display_name, app=app)
    claims = {"tenant": tenant, "role": role}
    auth.set_custom_user_claims(user.uid, claims, app=app)
    if previous is not None and {k: previous.get(k) for k in claims} != claims:
        auth.revoke_refresh_tokens(user.uid, app=app)  # tokens carrying the old claims must stop working
    return {"uid": user.uid, "email": email, "password": password, "name": display_name, "tenant": tenant, "role": role}


def disable_agent(email: str) -> dict[str, str]:
    """Lock the account and revoke its tokens: its existing ID tokens are refused from now on."""
    auth, app = _auth()
    user = _existing(email)
    auth.update_user(user.uid, disabled=True, app=app)
    auth.revoke_refresh_tokens(user.uid, app=app)
    return {"uid": user.uid, "email": user.email or email}


def set_role(email: str, role: str, tenant: str | None = None) -> dict[str, str]:
    """Change an account's role (and optionally tenant); its tokens are revoked so the old claims stop working."""
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    auth, app = _auth()
    user = _existing(email)
    current = dict(user.custom_claims or {})
    new_tenant = tenant or current.get("tenant")
    if not isinstance(new_tenant, str) or not TENANT_ID.fullmatch(new_tenant):
        raise AccountError("the account has no tenant yet: pass --tenant")
    auth.set_custom_user_claims(user.uid, {**current, "tenant": new_tenant, "role": role}, app=app)
    auth.revoke_refresh_tokens(user.uid, app=app)
    return {"uid": user.uid, "email": user.email or email, "tenant": new_tenant, "role": role}


def _existing(email: str) -> Any:
    auth, app = _auth()
    try:
        return auth.get_user_by_email(email.strip().lower(), app=app)
    except auth.UserNotFoundError:
        raise AccountError(f"no account {email!r}") from None


def demo_allowed() -> bool:
    """Demo logins are printed, so they are only made on the Auth emulator or outside production."""
    from shared.config import get_settings

    settings = get_settings()
    return bool(settings.firebase_auth_emulator_host) or settings.environment != "production"


def create_demo_agents() -> list[dict[str, str]]:
    """The demo tenants' agents and admins with freshly generated passwords (uid, email, password, name, tenant, role)."""
    if not demo_allowed():
        raise AccountError("demo accounts are only created on the Auth emulator or outside production")
    return [create_agent(password=secrets.token_urlsafe(12), **spec) for spec in DEMO_AGENTS]


def login_table(accounts: list[dict[str, str]]) -> list[str]:
    """The accounts as aligned lines: e-mail, password, tenant, role."""
    rows = [("e-mail", "password", "tenant", "role")] + [(a["email"], a["password"], a["tenant"], a["role"]) for a in accounts]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]


@guarded
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create or update one agent or admin")
    create.add_argument("--email", required=True)
    create.add_argument("--password", required=True)
    create.add_argument("--tenant", required=True)
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--name", help="the name guests see (defaults to the e-mail's local part)")
    commands.add_parser("demo", help="the demo tenants' agents and admins, with generated passwords")
    disable = commands.add_parser("disable", help="lock an account and revoke its tokens")
    disable.add_argument("--email", required=True)
    role = commands.add_parser("set-role", help="change an account's role (and tenant); revokes its tokens")
    role.add_argument("--email", required=True)
    role.add_argument("--role", required=True, choices=ROLES)
    role.add_argument("--tenant")
    args = parser.parse_args(argv)

    try:
        if args.command == "demo":
            for line in login_table(create_demo_agents()):
                print(line)
            return 0
        if args.command == "disable":
            print(f"{disable_agent(args.email)['email']}: disabled, tokens revoked")
            return 0
        if args.command == "set-role":
            changed = set_role(args.email, args.role, args.tenant)
            print(f"{changed['email']}: now {changed['role']} of {changed['tenant']}, tokens revoked")
            return 0
        account = create_agent(args.email, args.password, args.tenant, args.role, args.name)
        _warn_if_unknown_tenant(account["tenant"])
    except AccountError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    # The password was typed by the caller: it is not echoed back.
    print(f"{account['email']}: {account['role']} of {account['tenant']} as {account['name']!r} (uid {account['uid']})")
    return 0


def _warn_if_unknown_tenant(tenant: str) -> None:
    # A typo would make an agent who sees nothing; tenants may also be imported later, so only warn.
    from shared.bootstrap import container
    from shared.domain.errors import NotFoundError

    try:
        container().tenants.get(tenant)
    except NotFoundError:
        print(f"warning: no tenant {tenant!r} in Firestore yet; the account sees nothing until it is imported", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
