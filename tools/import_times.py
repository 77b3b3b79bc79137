"""Prints how long each function's main module takes to import on a cold interpreter.

    python -m tools.import_times [--runs 5] [--budget-ms 400]

Each run is a fresh interpreter that imports functions/<name>/main.py the way functions-framework
loads it; the figure is the median over runs. Exits 1 when a median is over the budget.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_PROBE = """
import importlib.util, sys, time
sys.path.insert(0, {root!r})
t = time.perf_counter()
spec = importlib.util.spec_from_file_location("main", {source!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print((time.perf_counter() - t) * 1000)
"""


def import_ms(source: Path) -> float:
    """Milliseconds to import one main module in a new interpreter."""
    code = _PROBE.format(root=str(ROOT), source=str(source))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"importing {source.relative_to(ROOT)} failed:\n{out.stderr[-2000:]}")
    return float(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--budget-ms", type=float, default=400.0)
    args = parser.parse_args(argv)
    over = False
    print(f"{'function':<10} {'median ms':>10} {'max ms':>8}  (runs={args.runs}, budget={args.budget_ms:.0f} ms)")
    for source in sorted(ROOT.glob("functions/*/main.py")):
        import_ms(source)  # warm the bytecode cache so the figure is a cold *interpreter*, not a first compile
        samples = [import_ms(source) for _ in range(args.runs)]
        median = statistics.median(samples)
        over |= median > args.budget_ms
        flag = "  OVER BUDGET" if median > args.budget_ms else ""
        print(f"{source.parent.name:<10} {median:>10.1f} {max(samples):>8.1f}{flag}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
