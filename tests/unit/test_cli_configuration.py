"""Operator tools: configuration problems end in one line and exit 2; output ends with a newline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from infra.local.stack import tool_environment

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    "tool",
    [
        ("tools.tenants", "import", "data/tenants/hotel.yaml"),
        ("tools.canned", "import", "data/canned/hotel.yaml"),
        ("tools.agents", "demo"),
        ("tools.keys", "list", "--tenant", "hotel"),
        ("tools.backups", "list", "--tenant", "hotel"),
        ("tools.integrations", "show", "--tenant", "hotel"),
        ("tools.migrate", "--dry-run"),
        ("tools.whatsapp", "send", "--tenant", "hotel", "--from", "+48600100200", "Hi"),
    ],
)
def test_a_configuration_problem_is_one_clear_line_and_exit_2(tool: tuple[str, ...]) -> None:
    env = {"PATH": "/usr/bin:/bin", "CHATDESK_ENV": "production", "FIRESTORE_EMULATOR_HOST": "127.0.0.1:1"}
    result = _run(*tool, env=env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "CHATDESK_ENV" in lines[0]


def test_tenants_check_ends_with_a_newline_and_warns_about_uncovered_languages() -> None:
    result = _run("tools.tenants", "check", "data/tenants/novahouse.yaml", env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 0
    assert result.stdout.endswith("\n")
    assert "warning: language 'en' is declared but" in result.stdout


def test_the_printed_environment_names_chatdesk_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHATDESK_ENV", raising=False)
    lines = tool_environment({"FIRESTORE_EMULATOR_HOST": "127.0.0.1:8081"})
    assert "export CHATDESK_ENV=development" in lines
    assert "export FIRESTORE_EMULATOR_HOST=127.0.0.1:8081" in lines
