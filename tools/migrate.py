"""Apply pending data migrations to Firestore (progress is recorded there; safe to re-run).

python -m tools.migrate            # apply what is pending
python -m tools.migrate --dry-run  # count what each pending migration would change
"""

from __future__ import annotations

import argparse

from shared.adapters.firestore_migrations import FirestoreMigrationStore
from shared.bootstrap import container
from shared.services.migrations import MIGRATIONS, check_registry, run_migrations
from tools.cli import guarded


@guarded
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Apply Chatdesk's pending Firestore data migrations.")
    parser.add_argument("--dry-run", action="store_true", help="count what would change; write nothing")
    parser.add_argument("--batch-size", type=int, default=200, help="documents per commit (max 499)")
    args = parser.parse_args(argv)
    if not 0 < args.batch_size < 500:
        parser.error("--batch-size must be between 1 and 499 (one commit holds 500 writes with the progress)")
    check_registry(MIGRATIONS)
    from google.api_core import exceptions

    store = FirestoreMigrationStore(container().clients.firestore)
    try:
        reports = run_migrations(store, MIGRATIONS, dry_run=args.dry_run, batch_size=args.batch_size)
    except exceptions.NotFound:
        print("no Firestore database yet (first deploy): nothing to migrate")
        return 0
    for report in reports:
        verb = "would change" if args.dry_run else "changed"
        notes = f" ({'; '.join(report.notes)})" if report.notes else ""
        print(f"{report.migration_id} [{report.status}] scanned {report.scanned}, {verb} {report.changed}{notes}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
