"""Deep health checks never keep a process alive: a check hanging past its timeout runs on a daemon thread."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from shared.services.health import deep_check

ROOT = Path(__file__).resolve().parents[2]


def test_a_hanging_check_times_out_and_its_thread_is_a_daemon() -> None:
    release = threading.Event()
    try:
        started = time.monotonic()
        report = deep_check({"database": release.wait, "search": lambda: "ok", "ai": lambda: "disabled"}, 0.2)
        assert time.monotonic() - started < 2
        assert report.checks == {"database": "timeout", "search": "ok", "ai": "disabled"}
        assert not report.healthy
        hanging = [t for t in threading.enumerate() if t.name == "health-database"]
        assert hanging and all(t.daemon for t in hanging)
    finally:
        release.set()


def test_a_failing_or_odd_check_is_error_without_its_reason() -> None:
    def broken() -> str:
        raise RuntimeError("password=hunter2")

    report = deep_check({"storage": broken, "pubsub": lambda: "maybe"}, 1)
    assert report.checks == {"storage": "error", "pubsub": "error"}
    assert "hunter2" not in str(report.body())


def test_a_process_with_a_hung_check_exits_promptly() -> None:
    script = (
        "import time\n"
        "from shared.services.health import deep_check\n"
        "print(deep_check({'database': lambda: time.sleep(120) or 'ok'}, 0.1).checks)\n"
    )
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "{'database': 'timeout'}"
    assert time.monotonic() - started < 20
