"""Admin API keys for a tenant, against whatever Firestore the environment names.

    python -m tools.keys create --tenant novahouse --name "reporting" [--scopes metrics experiments]
    python -m tools.keys list --tenant novahouse
    python -m tools.keys revoke --tenant novahouse --id 0123456789abcdef

``create`` prints the new key as its LAST line: it is shown once and stored only as a hash.
"""

from __future__ import annotations

import argparse
import sys

from shared.domain.errors import ChatdeskError
from tools.cli import guarded


def create_demo_keys(tenants: list[str]) -> list[str]:
    """One all-scopes key per demo tenant, as lines for ``make start`` to print."""
    from shared.bootstrap import container

    lines = []
    for tenant in tenants:
        _, plaintext = container().api_keys.create(tenant, "demo (make start)")
        lines.append(f"{tenant:<13} {plaintext}")
    return lines


@guarded
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="action", required=True)
    create = sub.add_parser("create", help="create a key and print it once")
    create.add_argument("--tenant", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--scopes", nargs="*", default=None, help="default: every scope")
    listing = sub.add_parser("list", help="list a tenant's keys (never the secrets)")
    listing.add_argument("--tenant", required=True)
    revoke = sub.add_parser("revoke", help="revoke a key by id")
    revoke.add_argument("--tenant", required=True)
    revoke.add_argument("--id", required=True, dest="key_id")
    args = parser.parse_args(argv)

    from shared.bootstrap import container

    keys = container().api_keys
    try:
        if args.action == "create":
            record, plaintext = keys.create(args.tenant, args.name, args.scopes)
            print(f"created key {record.id} for {record.tenant} ({record.name}); scopes: {' '.join(record.scopes)}")
            print("the key is shown once, store it now:")
            print(plaintext)
        elif args.action == "list":
            for key in keys.list(args.tenant):
                state = "active" if key["active"] else f"revoked {key['revoked_at']}"
                print(
                    f"{key['id']}  {key['name']}  {state}  last used {key['last_used_at'] or 'never'}  {' '.join(key['scopes'])}"
                )
        else:
            keys.revoke(args.tenant, args.key_id)
            print(f"revoked key {args.key_id}")
    except ChatdeskError as err:
        print(f"error: {err.message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
