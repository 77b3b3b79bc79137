"""Prints the kill rate of the last `make mutants` run (reads mutmut's results under mutants/).

python -m tools.mutation_score            # every mutant that was run
python -m tools.mutation_score 'shared.services.chat.*'   # only names matching the patterns
"""

from __future__ import annotations

import fnmatch
import json
import sys
from collections import Counter
from pathlib import Path

# mutmut's exit codes: 0 the tests passed (the mutant survived), 33 no test covers it, 36 timeout (counted as killed).
SURVIVED, NO_TESTS = 0, 33


def score(root: Path, patterns: list[str]) -> Counter[str]:
    """Counts of killed / survived / untested mutants whose names match ``patterns`` (all when empty)."""
    counts: Counter[str] = Counter()
    for meta in sorted(root.rglob("*.py.meta")):
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            if code is None or (patterns and not any(fnmatch.fnmatch(name, p) for p in patterns)):
                continue
            counts["survived" if code == SURVIVED else "no tests" if code == NO_TESTS else "killed"] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    patterns = list(sys.argv[1:] if argv is None else argv)
    counts = score(Path("mutants"), patterns)
    total = sum(counts.values())
    if not total:
        print("no mutation results: run `make mutants` first")
        return 1
    print(f"mutants {total}: killed {counts['killed']}, survived {counts['survived']}, no tests {counts['no tests']}")
    print(f"kill rate {counts['killed'] / total:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
