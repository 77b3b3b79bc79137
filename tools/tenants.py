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
from shared.domain.knowledge import KnowledgePack, load_pack_file
from tools.cli import guarded


def language_warnings(pack: KnowledgePack) -> list[str]:
    """Languages the pack declares that some FAQ topic does not cover, and text written in another language."""
    from shared.domain.language import detect_language

    warnings: list[str] = []
    languages = pack.tenant.languages
    intents: dict[str, set[str]] = {}
    for entry in pack.faq:
        intents.setdefault(entry.intent, set()).add(entry.lang)
    for language in languages:
        missing = sorted(intent for intent, langs in intents.items() if language not in langs)
        if missing:
            shown = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
            warnings.append(f"language {language!r} is declared but {len(missing)} FAQ topic(s) lack it: {shown}")
    if len(languages) > 1:
        items: list[tuple[str, str, str]] = [(f"faq {e.id}", e.lang, e.answer) for e in pack.faq]
        items += [(f"document {d.id}", pack.language_of(d), d.text) for d in pack.documents]
        for label, declared, text in items:
            found = detect_language(text, languages, declared)
            if found != declared:
                warnings.append(f"{label} is marked {declared!r} but reads as {found!r}; guests would get mixed languages")
    return warnings


@guarded
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
        lines = []
        for pack in packs:
            lines.append(
                f"{pack.tenant.id}: valid ({len(pack.faq)} FAQ, {len(pack.packages)} packages, {len(pack.documents)} documents)"
            )
            lines += [f"  warning: {w}" for w in language_warnings(pack)]
        sys.stdout.write("\n".join(lines) + "\n")  # always ends with a newline, even when piped
        sys.stdout.flush()
        return 0

    from shared.bootstrap import container

    tenants = container().tenants
    for pack in packs:
        version = tenants.import_pack(pack)
        print(f"{pack.tenant.id}: imported knowledge version {version} ({len(pack.faq)} FAQ, {len(pack.packages)} packages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
