"""Stores a tenant's integration credentials in Secret Manager and names them in the tenant's config.

    python -m tools.integrations set --tenant hotel twilio --account-sid AC… --auth-token … --from +48…
    python -m tools.integrations set --tenant novahouse monday --api-token … --board-id 1234567890
    python -m tools.integrations show --tenant hotel      # what is configured (never the secrets)

Tokens may be given as ``-`` to read them from standard input (keeps them out of shell history).
Acts on whatever Secret Manager/Firestore the environment names (the local cloud or real Google Cloud).
"""

from __future__ import annotations

import argparse
import sys

from shared.domain.errors import BadRequestError
from shared.domain.integrations import KINDS, whatsapp_address
from shared.domain.validation import TENANT_ID
from tools.cli import guarded


def _secret(value: str) -> str:
    return sys.stdin.readline().strip() if value == "-" else value


@guarded
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    setp = sub.add_parser("set", help="store one integration's credentials")
    setp.add_argument("--tenant", required=True)
    kinds = setp.add_subparsers(dest="kind", required=True)
    twilio = kinds.add_parser("twilio")
    twilio.add_argument("--account-sid", required=True)
    twilio.add_argument("--auth-token", required=True, help="the account's auth token, or - for stdin")
    twilio.add_argument("--from", dest="whatsapp_from", required=True, help="the WhatsApp sender, e.g. +48500100200")
    monday = kinds.add_parser("monday")
    monday.add_argument("--api-token", required=True, help="a Monday API token, or - for stdin")
    monday.add_argument("--board-id", required=True)
    monday.add_argument("--lead-id-column", default="text", help="text column that holds Chatdesk's lead id")
    monday.add_argument("--phone-column", default="phone")
    monday.add_argument("--email-column", default="email")
    monday.add_argument("--details-column", default="long_text")
    show = sub.add_parser("show", help="what a tenant has configured (no secrets)")
    show.add_argument("--tenant", required=True)
    args = parser.parse_args(argv)
    if not TENANT_ID.fullmatch(args.tenant):
        parser.error(f"{args.tenant!r} is not a tenant id")

    from shared.bootstrap import container

    integrations = container().integrations
    try:
        if args.command == "show":
            configured = [kind for kind in KINDS if getattr(integrations, kind)(args.tenant) is not None]
            print(f"{args.tenant}: {', '.join(configured) or 'no integrations'}")
        elif args.kind == "twilio":
            integrations.set_twilio(
                args.tenant,
                account_sid=args.account_sid,
                auth_token=_secret(args.auth_token),
                whatsapp_from=whatsapp_address(args.whatsapp_from),
            )
            print(f"{args.tenant}: twilio stored (webhook: https://<your hosting>/api/whatsapp/{args.tenant})")
        else:
            integrations.set_monday(
                args.tenant,
                api_token=_secret(args.api_token),
                board_id=args.board_id,
                lead_id_column=args.lead_id_column,
                phone_column=args.phone_column,
                email_column=args.email_column,
                details_column=args.details_column,
            )
            print(f"{args.tenant}: monday stored (board {args.board_id})")
    except BadRequestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
