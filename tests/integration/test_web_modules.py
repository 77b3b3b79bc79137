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
    counts = {"tests", "pass", "fail", "skipped"}
    summary = [line for line in result.stdout.splitlines() if line.lstrip("ℹ# ").split(" ")[0] in counts]
    assert any("fail 0" in line for line in summary), output[-4000:]
    print("\n".join(summary))
