"""The web pages' data modules under Node (``node --test tests/web/``) against the local Firestore.

The Node tests use the Firebase JS SDK from node_modules and the local cloud's servers (the
session's ``local_cloud`` environment); their output is shown when they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_widget_and_dashboard_modules_pass_their_node_tests(local_cloud: dict[str, str]) -> None:
    node = shutil.which("node")
    assert node, "node is needed for the web module tests (scripts/install.sh installs the Node tools)"
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests" / "web").glob("*.test.mjs"))
    assert files, "no Node tests found in tests/web/"
    env = {**os.environ, **local_cloud, "CHATDESK_PYTHON": sys.executable}
    result = subprocess.run(
        [node, "--test", "--test-reporter=spec", *files],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"node --test failed ({result.returncode}):\n{output[-12000:]}"
    totals = summary_counts(result.stdout)
    assert totals.get("tests", 0) > 0, output[-4000:]
    # Nothing may pass by not running: skipped, todo and cancelled tests fail this check too.
    assert {k: totals.get(k) for k in ("fail", "skipped", "todo", "cancelled")} == dict.fromkeys(
        ("fail", "skipped", "todo", "cancelled"), 0
    ), output[-4000:]
    assert totals["pass"] == totals["tests"], output[-4000:]
    print(totals)


def summary_counts(stdout: str) -> dict[str, int]:
    """The runner's closing counts (``ℹ tests 12``, ``ℹ skipped 0``, ...) as numbers."""
    totals: dict[str, int] = {}
    for line in stdout.splitlines():
        parts = line.lstrip("ℹ# ").split()
        if len(parts) == 2 and parts[0] in ("tests", "pass", "fail", "skipped", "todo", "cancelled") and parts[1].isdigit():
            totals[parts[0]] = int(parts[1])
    return totals


def test_the_summary_reader_sees_skipped_and_todo_tests() -> None:
    stdout = "ℹ tests 5\nℹ suites 0\nℹ pass 3\nℹ fail 0\nℹ cancelled 0\nℹ skipped 1\nℹ todo 1\nℹ duration_ms 12.5\n"
    assert summary_counts(stdout) == {"tests": 5, "pass": 3, "fail": 0, "cancelled": 0, "skipped": 1, "todo": 1}
