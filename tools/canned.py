"""Canned responses of a tenant, from a YAML or JSON file, against whatever Firestore the environment names.

    python -m tools.canned import data/canned/novahouse.yaml [more files...]   # replaces each tenant's set
    python -m tools.canned check data/canned/hotel.yaml                        # validate only, writes nothing
    python -m tools.canned list novahouse

A file is ``{tenant: id, canned_responses: [{code, title, text, language?}, ...]}``. Importing replaces
the tenant's whole set in one commit; a file with any bad entry changes nothing. Admins edit single
responses on /admin (or PUT /api/admin/canned-responses/{code}).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared.domain.errors import ChatdeskError
from tools.cli import guarded


def load_file(path: str) -> tuple[str, list[Any]]:
    """The tenant id and the entries of a canned-responses file; ValueError says what is wrong."""
    import yaml

    text = Path(path).read_text(encoding="utf-8")
    data = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("tenant"), str)
        or not isinstance(data.get("canned_responses"), list)
    ):
        raise ValueError("expected {tenant: id, canned_responses: [...]}")
    return data["tenant"], data["canned_responses"]


@guarded
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["import", "check", "list"])
    parser.add_argument("items", nargs="+", help="files (import, check) or tenant ids (list)")
    args = parser.parse_args(argv)
    if args.action == "list":
        from shared.bootstrap import container

        for tenant in args.items:
            for item in container().canned.list(tenant)["canned_responses"]:
                print(f"{tenant}\t/{item['code']}\t{item['language'] or '-'}\t{item['title']}")
        return 0

    files: list[tuple[str, str, list[Any]]] = []
    for path in args.items:
        try:
            files.append((path, *load_file(path)))
        except (OSError, ValueError) as err:
            print(f"{path}: {getattr(err, 'strerror', None) or err}", file=sys.stderr)
            return 2
    if args.action == "check":
        from shared.domain.canned import parse_set

        for path, tenant, entries in files:
            try:
                checked = parse_set(entries, languages=None, now=datetime.now(UTC), actor="check")
            except ChatdeskError as err:
                print(f"{path}: {err.message}", file=sys.stderr)
                return 2
            print(f"{tenant}: valid ({len(checked)} canned responses)")
        return 0

    from shared.bootstrap import container

    for path, tenant, entries in files:
        try:
            count = container().canned.replace_all(tenant, entries, actor="tools.canned")
        except ChatdeskError as err:
            print(f"{path}: {err.message}; nothing changed", file=sys.stderr)
            return 2
        print(f"{tenant}: imported {count} canned responses")
    return 0


if __name__ == "__main__":
    sys.exit(main())
