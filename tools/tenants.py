"""Creates or updates a tenant from a knowledge pack, against whatever Firestore the environment names.

    python -m tools.tenants import data/tenants/novahouse.yaml [more packs...]
    python -m tools.tenants check data/tenants/hotel.yaml      # validate only, writes nothing

Importing replaces the tenant's knowledge atomically and bumps its version; a pack that fails
validation lists every bad field and changes nothing.
"""

from __future__ import annotations

import argparse
import sys

from shared.domain.errors import ValidationFailed
from shared.domain.knowledge import load_pack_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["import", "check"])
    parser.add_argument("packs", nargs="+", help="YAML or JSON knowledge pack files")
    args = parser.parse_args(argv)

    packs = []
    failed = False
    for path in args.packs:
        try:
            packs.append(load_pack_file(path))
        except ValidationFailed as err:
            failed = True
            print(f"{path}: invalid knowledge pack", file=sys.stderr)
            for problem in err.details or []:
                print(f"  {problem['field']}: {problem['message']}", file=sys.stderr)
        except OSError as err:
            failed = True
            print(f"{path}: {err.strerror}", file=sys.stderr)
    if failed:
        return 2
    if args.action == "check":
        for pack in packs:
            print(
                f"{pack.tenant.id}: valid ({len(pack.faq)} FAQ, {len(pack.packages)} packages, {len(pack.documents)} documents)"
            )
        return 0

    from shared.bootstrap import container

    tenants = container().tenants
    for pack in packs:
        version = tenants.import_pack(pack)
        print(f"{pack.tenant.id}: imported knowledge version {version} ({len(pack.faq)} FAQ, {len(pack.packages)} packages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
