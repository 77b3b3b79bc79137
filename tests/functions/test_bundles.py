"""Each staged bundle installs into a clean venv, imports, and serves a request against the local cloud.

One venv per distinct requirement set (the bundles mostly share one), built in parallel from
pip's cache and the local wheel mirror, and kept in .local/bundle-venvs/<hash of the pins>: the
first run on a machine installs (minutes on a busy 2-core box), later runs reuse it (seconds).
Catches a file or pin missing from a bundle before deploy.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tools.stage import function_names, stage

ROOT = Path(__file__).resolve().parents[2]
PIP = ROOT / ".venv" / "bin" / "pip"

# Runs inside the bundle's own venv, from the unpacked bundle folder, with nothing of the repo on the path.
SERVE = """
import json, sys
from functions_framework import create_app
name, entry, trigger, method, path, body = sys.argv[1:7]
app = create_app(target=entry, source="main.py", signature_type="http" if trigger == "http" else "cloudevent")
result = {"shared": __import__("shared").__file__}
if method:
    client = app.test_client()
    response = client.open(path, method=method, json=json.loads(body) if body else None)
    result.update(status=response.status_code, body=response.get_json())
print(json.dumps(result))
"""

REQUESTS = {
    "health": ("GET", "/api/health", ""),
    "chat": ("POST", "/api/chat", json.dumps({"tenant": "hotel", "message": "What time is check-in?"})),
    "agent": ("GET", "/api/agent/me", ""),
}


VENVS = ROOT / ".local" / "bundle-venvs"


def _venv(requirements: str, where: Path) -> Path:
    python = where / "bin" / "python"
    stamp = where / ".installed"
    if stamp.exists() and stamp.read_text() == requirements:
        return python  # exactly these pins and nothing else were installed into it before
    subprocess.run([sys.executable, "-m", "venv", "--clear", "--without-pip", str(where)], check=True)
    req = where / "requirements.txt"
    req.write_text(requirements)
    # The repo's pip installs into the clean venv: no ensurepip, and pip's cache is shared.
    subprocess.run(
        [str(PIP), "--python", str(python), "install", "-q", "--disable-pip-version-check", "-r", str(req)],
        check=True,
        capture_output=True,
        timeout=900,
    )
    stamp.write_text(requirements)
    return python


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Every function staged, unpacked, and paired with a clean venv for its requirement set."""
    root = tmp_path_factory.mktemp("bundles")
    staged = {name: stage(name, root / "dist") for name in function_names()}
    sets = {"\n".join(b.requirements) + "\n" for b in staged.values()}
    with ThreadPoolExecutor(max_workers=len(sets)) as pool:
        futures = {reqs: pool.submit(_venv, reqs, VENVS / hashlib.sha256(reqs.encode()).hexdigest()[:12]) for reqs in sets}
        pythons = {reqs: future.result() for reqs, future in futures.items()}
    unpacked: dict[str, tuple[Path, Path]] = {}
    for name, bundle in staged.items():
        folder = root / name
        with zipfile.ZipFile(bundle.path) as archive:
            archive.extractall(folder)
        unpacked[name] = (folder, pythons["\n".join(bundle.requirements) + "\n"])
    return unpacked


def _serve(name: str, folder: Path, python: Path, env: dict[str, str]) -> dict[str, object]:
    from infra.local.gateway import load_functions

    spec = load_functions()[name]
    method, path, body = REQUESTS.get(name, ("", "", ""))
    clean_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    run = subprocess.run(
        [str(python), "-c", SERVE, name, spec["entry_point"], spec["trigger"], method, path, body],
        cwd=folder,
        env={**clean_env, **env, "CHATDESK_ENV": "test", "PYTHONNOUSERSITE": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result: dict[str, object] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


def test_every_bundle_imports_from_its_own_folder_and_serves(bundles, local_cloud, demo_tenants) -> None:  # type: ignore[no-untyped-def]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = {name: pool.submit(_serve, name, folder, python, local_cloud) for name, (folder, python) in bundles.items()}
        served = {name: future.result() for name, future in results.items()}
    for name, result in served.items():
        assert str(result["shared"]).startswith(str(bundles[name][0])), f"{name} imported shared/ from outside its bundle"
    assert served["health"]["status"] == 200 and served["health"]["body"]["status"] == "healthy"  # type: ignore[index]
    chat = served["chat"]
    assert chat["status"] == 200, chat
    assert chat["body"]["source"] == "faq" and chat["body"]["response"]  # type: ignore[index]
    assert served["agent"]["status"] == 401  # no ID token: the bundle's auth path answers


def test_a_bundle_carries_only_the_pins_its_imports_need(bundles) -> None:  # type: ignore[no-untyped-def]
    events = (bundles["events"][0] / "requirements.txt").read_text()
    chat = (bundles["chat"][0] / "requirements.txt").read_text()
    assert "flask==" not in events and "flask==" in chat  # events imports no web framework
    runtime = {line.split("==")[0] for line in (ROOT / "requirements.txt").read_text().splitlines() if "==" in line}
    for text in (events, chat):
        # Lazy imports in the shared composition root count (conservatively), so the pins are a subset of
        # requirements.txt, never a dev tool.
        pins = [line for line in text.splitlines() if line.strip()]
        assert all("==" in line and line.split("==")[0] in runtime for line in pins), pins
        assert not any(tool in text for tool in ("pytest", "ruff", "mypy", "schemathesis", "playwright"))
