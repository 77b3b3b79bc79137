"""Backups from the command line: list a tenant's backups, verify one, restore one.

    python -m tools.backups list --tenant novahouse
    python -m tools.backups verify --tenant novahouse --backup 20261123T020000Z-1a2b3c4d5e6f
    python -m tools.backups restore --tenant novahouse --backup 20261123T020000Z-1a2b3c4d5e6f [--into-empty]

A restore verifies every file against the manifest (size, sha256, document count) first and refuses
an incomplete or altered backup (exit 2) before writing anything.
"""

from __future__ import annotations

import argparse
import json
import sys

from tools.cli import guarded


@guarded
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("list", "verify", "restore"):
        cmd = sub.add_parser(name)
        cmd.add_argument("--tenant", required=True)
        if name != "list":
            cmd.add_argument("--backup", required=True, help="the backup id (see `list`)")
        if name == "restore":
            cmd.add_argument("--into-empty", action="store_true", help="refuse unless the tenant has no documents")
    args = parser.parse_args(argv)
    from shared.domain.validation import TENANT_ID

    if not TENANT_ID.fullmatch(args.tenant):
        print(f"refused: {args.tenant!r} is not a tenant id", file=sys.stderr)
        return 2

    from shared.bootstrap import container
    from shared.domain.backup import summary
    from shared.domain.errors import ChatdeskError

    c = container()
    try:
        if args.command == "list":
            store = c.backup_store
            for backup in reversed(store.backups(args.tenant)):
                row = summary(args.tenant, backup, store.manifest(args.tenant, backup))
                print(f"{row['id']}  {row['status']:<10}  {row.get('documents', 0):>8} docs  {row['bytes']:>12} bytes")
            return 0
        if args.command == "verify":
            manifest = c.backup_restorer.verify(args.tenant, args.backup)
            print(f"OK {args.backup}: {manifest.documents} documents in {len(manifest.collections)} files match the manifest")
            return 0
        restored = c.backup_restorer.restore(args.tenant, args.backup, into_empty=args.into_empty)
        print(json.dumps({"restored": restored, "documents": sum(restored.values())}))
        return 0
    except ChatdeskError as err:
        print(f"refused: {err.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
