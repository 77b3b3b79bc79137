"""The local Google Cloud: starts and stops the servers that stand in for Firestore, Firebase Auth,
Cloud Storage, Pub/Sub and Cloud Scheduler (plus small stand-ins for Secret Manager, Twilio and Monday.com),
then creates topics, subscriptions, buckets and scheduler jobs from infra/resources.yaml.

    python -m infra.local.cloud run -- <command>   # start, run the command with the env set, stop
    python -m infra.local.cloud up                  # start and wait for Ctrl-C; prints the env

Each server gets a free loopback port, is waited on until it answers, keeps its state in a temp
dir, and is torn down on exit or Ctrl-C. FIRESTORE_EMULATOR_HOST / PUBSUB_EMULATOR_HOST that are
already set are reused instead of starting our own.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "infra" / "resources.yaml"
NODE_BIN = ROOT / "node_modules" / ".bin"
PSTEST_SOURCE = ROOT / "infra" / "local" / "pstest" / "main.go"
PSTEST_CACHE = ROOT / ".local" / "bin"
GOPATH = "/usr/share/gocode"  # Debian's golang-google-cloud-dev sources


def free_port() -> int:
    """A free loopback port (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_resources() -> dict[str, Any]:
    """The one definition of topics, buckets and functions."""
    data: dict[str, Any] = yaml.safe_load(RESOURCES.read_text())
    return data


def wait_until(check: Callable[[], bool], what: str, timeout: float = 60.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Poll ``check`` until it is true; fail early if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode} before it was ready")
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.1)
    raise TimeoutError(f"{what} was not ready within {timeout:.0f}s")


def tcp_open(host: str, port: int) -> bool:
    """True when something accepts connections on host:port."""
    with socket.create_connection((host, port), timeout=0.5):
        return True


def http_ok(url: str) -> bool:
    """True when the URL answers with a status below 500."""
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - loopback only
            return int(response.status) < 500
    except urllib.error.HTTPError as err:
        return err.code < 500


@dataclass
class Server:
    """One local server process."""

    name: str
    proc: subprocess.Popen[bytes]
    log: IO[bytes]
    env: dict[str, str] = field(default_factory=dict)

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.log.close()


class LocalCloud:
    """The local servers; use as a context manager or call start()/stop()."""

    def __init__(self, project: str | None = None, state_dir: Path | None = None, quiet: bool = True) -> None:
        self.resources = load_resources()
        self.project = project or str(self.resources["project"])
        self._own_state = state_dir is None
        self.state_dir = state_dir or Path(tempfile.mkdtemp(prefix="chatdesk-cloud-"))
        self.servers: dict[str, Server] = {}
        self.env: dict[str, str] = {"GOOGLE_CLOUD_PROJECT": self.project}
        self.quiet = quiet
        self._stopped = False
        self.stand_ins: dict[str, Any] = {}

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> dict[str, str]:
        """Start every server (in parallel), create resources, return the environment to use."""
        atexit.register(self.stop)
        starters: list[Callable[[], None]] = [self.start_storage, self.start_auth, self.start_stand_ins]
        if os.environ.get("FIRESTORE_EMULATOR_HOST"):
            self.env["FIRESTORE_EMULATOR_HOST"] = os.environ["FIRESTORE_EMULATOR_HOST"]
        else:
            starters.append(self.start_firestore)
        if os.environ.get("PUBSUB_EMULATOR_HOST"):
            self.env["PUBSUB_EMULATOR_HOST"] = os.environ["PUBSUB_EMULATOR_HOST"]
        else:
            starters.append(self.start_pubsub)
        errors: list[BaseException] = []

        def run(starter: Callable[[], None]) -> None:
            try:
                starter()
            except BaseException as exc:  # noqa: BLE001 - reported below, after every thread ends
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(s,)) for s in starters]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            self.stop()
            raise RuntimeError(f"local cloud failed to start: {errors[0]}") from errors[0]
        try:
            self.start_scheduler()  # after Pub/Sub: it publishes there
        except BaseException:
            self.stop()
            raise
        self.create_resources()
        return dict(self.env)

    def stop(self) -> None:
        """Stop every server we started and remove our temp state."""
        if self._stopped:
            return
        self._stopped = True
        for server in list(self.servers.values()):
            server.stop()
        self.servers.clear()
        for stand_in in self.stand_ins.values():
            stand_in.stop()
        self.stand_ins.clear()
        if self._own_state:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def stop_server(self, name: str) -> None:
        """Stop one server (to test degraded behaviour)."""
        server = self.servers.pop(name)
        server.stop()

    def __enter__(self) -> LocalCloud:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- servers ---------------------------------------------------------------------------

    def _spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> Server:
        log = open(self.state_dir / f"{name}.log", "w+b")  # noqa: SIM115 - closed in Server.stop
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            start_new_session=True,  # own process group, so teardown reaches its children
        )
        server = Server(name, proc, log)
        self.servers[name] = server
        return server

    def _log_tail(self, name: str) -> str:
        path = self.state_dir / f"{name}.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def _wait(self, name: str, check: Callable[[], bool], timeout: float = 90.0) -> None:
        try:
            wait_until(check, name, timeout, self.servers[name].proc)
        except (RuntimeError, TimeoutError) as exc:
            raise RuntimeError(f"{exc}\n--- {name} log ---\n{self._log_tail(name)}") from None

    def start_firestore(self) -> None:
        """@firestore-emulator/server (gRPC) under Node."""
        port = free_port()
        self._spawn("firestore", ["node", str(ROOT / "infra" / "local" / "firestore-server.mjs"), str(port)])
        self._wait("firestore", lambda: tcp_open("127.0.0.1", port))
        self.env["FIRESTORE_EMULATOR_HOST"] = f"127.0.0.1:{port}"

    def start_storage(self) -> None:
        """gcp-storage-emulator, in memory."""
        port = free_port()
        exe = Path(sys.executable).with_name("gcp-storage-emulator")
        self._spawn("storage", [str(exe), "start", "--host", "127.0.0.1", "--port", str(port), "--in-memory", "--quiet"])
        self._wait("storage", lambda: http_ok(f"http://127.0.0.1:{port}/storage/v1/b?project={self.project}"))
        self.env["STORAGE_EMULATOR_HOST"] = f"http://127.0.0.1:{port}"

    def start_auth(self) -> None:
        """The Firebase Auth emulator from firebase-tools (pure JS, offline with a demo- project)."""
        port = free_port()
        ui_port = free_port()
        config = self.state_dir / "firebase.auth.json"
        config.write_text(
            json.dumps(
                {
                    "emulators": {
                        "auth": {"host": "127.0.0.1", "port": port},
                        "ui": {"enabled": False},
                        "hub": {"host": "127.0.0.1", "port": ui_port},
                        "logging": {"host": "127.0.0.1", "port": free_port()},
                        "singleProjectMode": True,
                    },
                }
            )
        )
        home = self.state_dir / "firebase-home"
        home.mkdir(exist_ok=True)
        self._spawn(
            "auth",
            [str(NODE_BIN / "firebase"), "emulators:start", "--only", "auth", "--project", self.project, "--config", str(config)],
            env={
                "HOME": str(home),
                "XDG_CONFIG_HOME": str(home),
                "NO_UPDATE_NOTIFIER": "1",
                "FIREBASE_CLI_DISABLE_UPDATE_CHECK": "1",
                "CI": "true",
            },
            cwd=self.state_dir,
        )
        self._wait("auth", lambda: http_ok(f"http://127.0.0.1:{port}/"), timeout=120)
        self.env["FIREBASE_AUTH_EMULATOR_HOST"] = f"127.0.0.1:{port}"

    def start_pubsub(self) -> None:
        """Google's pstest fake, built here from Debian's Go sources (cached by source hash)."""
        binary = build_pstest()
        server = self._spawn("pubsub", [str(binary)])
        address: list[str] = []

        def ready() -> bool:
            server.log.flush()
            for line in (self.state_dir / "pubsub.log").read_text().splitlines():
                if line.startswith("READY "):
                    address.append(line.split()[1])
                    return True
            return False

        self._wait("pubsub", ready, timeout=30)
        host, port = address[0].rsplit(":", 1)
        self._wait("pubsub", lambda: tcp_open(host, int(port)), timeout=10)
        self.env["PUBSUB_EMULATOR_HOST"] = address[0]

    def start_scheduler(self) -> None:
        """The local Cloud Scheduler (infra/local/fake_scheduler.py); fires Pub/Sub targets on cron and on :run."""
        port = free_port()
        env = {"PUBSUB_EMULATOR_HOST": self.env["PUBSUB_EMULATOR_HOST"], "GRPC_VERBOSITY": "ERROR"}
        self._spawn("scheduler", [sys.executable, "-m", "infra.local.fake_scheduler", "--port", str(port)], env=env)
        self._wait("scheduler", lambda: tcp_open("127.0.0.1", port), timeout=30)
        self.env["CLOUD_SCHEDULER_EMULATOR_HOST"] = f"http://127.0.0.1:{port}"

    def start_stand_ins(self) -> None:
        """Secret Manager, Twilio and Monday stand-ins, served from this process (threads)."""
        servers, env = start_stand_ins()
        self.stand_ins.update(servers)
        self.env.update(env)

    # --- resources -------------------------------------------------------------------------

    def create_resources(self) -> None:
        """Topics, subscriptions and buckets from infra/resources.yaml; safe to run twice."""
        with patched_environ(self.env):
            ensure_resources(self.project, self.resources)


@contextlib.contextmanager
def patched_environ(env: dict[str, str]) -> Iterator[None]:
    """Temporarily apply env to os.environ (the client libraries read it)."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def ensure_resources(project: str, resources: dict[str, Any]) -> None:
    """Create what is missing; existing resources are left as they are."""
    from google.api_core import exceptions
    from google.cloud import pubsub_v1, storage

    publisher = pubsub_v1.PublisherClient()
    for topic in resources.get("topics", []):
        with contextlib.suppress(exceptions.AlreadyExists):
            publisher.create_topic(request={"name": publisher.topic_path(project, topic)})
    subscriber = pubsub_v1.SubscriberClient()
    for name, spec in resources.get("functions", {}).items():
        if spec.get("trigger") == "pubsub":
            # Eventarc makes one push subscription per trigger; locally the gateway pulls from it.
            with contextlib.suppress(exceptions.AlreadyExists):
                subscriber.create_subscription(
                    request={
                        "name": subscriber.subscription_path(project, eventarc_subscription(name)),
                        "topic": publisher.topic_path(project, spec["topic"]),
                        "ack_deadline_seconds": 60,
                    }
                )
    client = storage.Client(project=project)
    for bucket in resources.get("buckets", []):
        with contextlib.suppress(exceptions.Conflict):
            client.create_bucket(bucket)
    ensure_schedules(project, resources)


def ensure_schedules(project: str, resources: dict[str, Any]) -> None:
    """The ``schedules:`` as Cloud Scheduler jobs on the local stand-in (when one is running)."""
    from google.api_core import exceptions
    from google.cloud import scheduler_v1

    from shared.adapters.cloud_scheduler import scheduler_client

    host = os.environ.get("CLOUD_SCHEDULER_EMULATOR_HOST")
    if not host or not resources.get("schedules"):
        return
    client = scheduler_client(host)
    parent = f"projects/{project}/locations/{resources['region']}"
    for name, spec in resources["schedules"].items():
        job = scheduler_v1.Job(
            name=f"{parent}/jobs/{name}",
            schedule=spec["cron"],
            time_zone=spec.get("timezone", "UTC"),
            pubsub_target=scheduler_v1.PubsubTarget(
                topic_name=f"projects/{project}/topics/{spec['topic']}", data=json.dumps(spec.get("data", {})).encode()
            ),
        )
        with contextlib.suppress(exceptions.Conflict):  # REST answers 409 for an existing job
            client.create_job(parent=parent, job=job)


def start_stand_ins() -> tuple[dict[str, Any], dict[str, str]]:
    """Start the small HTTP stand-ins on free loopback ports; returns them and the env that points at them."""
    from infra.local.fake_monday import FakeMonday
    from infra.local.fake_secret_manager import FakeSecretManager
    from infra.local.fake_twilio import FakeTwilio

    servers = {"secretmanager": FakeSecretManager().start(), "twilio": FakeTwilio().start(), "monday": FakeMonday().start()}
    env = {
        "SECRET_MANAGER_EMULATOR_HOST": servers["secretmanager"].base_url,
        "TWILIO_BASE_URL": servers["twilio"].base_url,
        "MONDAY_BASE_URL": servers["monday"].base_url + "/v2",
    }
    return servers, env


def eventarc_subscription(function: str) -> str:
    """The subscription that delivers a Pub/Sub-triggered function's events."""
    return f"eventarc-{function}"


def build_pstest() -> Path:
    """Build the pstest binary once per source version; Debian's golang-go and golang-google-cloud-dev."""
    digest = hashlib.sha256(PSTEST_SOURCE.read_bytes()).hexdigest()[:12]
    binary = PSTEST_CACHE / f"pstest-{digest}"
    if binary.exists():
        return binary
    if not Path(GOPATH, "src/cloud.google.com/go/pubsub/pstest").exists() or shutil.which("go") is None:
        raise RuntimeError("pstest needs Debian's golang-go and golang-google-cloud-dev (scripts/install.sh installs them)")
    PSTEST_CACHE.mkdir(parents=True, exist_ok=True)
    tmp = binary.with_suffix(".tmp")
    subprocess.run(
        ["go", "build", "-o", str(tmp), "."],
        cwd=PSTEST_SOURCE.parent,
        env={**os.environ, "GOPATH": GOPATH, "GO111MODULE": "off", "GOCACHE": str(PSTEST_CACHE / "gocache")},
        check=True,
    )
    tmp.rename(binary)
    return binary


def _wait_forever() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="start and wait for Ctrl-C")
    run = sub.add_parser("run", help="start, run a command with the env set, stop")
    run.add_argument("argv", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)

    with LocalCloud() as cloud:
        if args.command == "up":
            for key, value in sorted(cloud.env.items()):
                print(f"export {key}={value}")
            print("local cloud is up; Ctrl-C stops it", flush=True)
            _wait_forever()
            return 0
        command = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
        if not command:
            parser.error("run needs a command")
        return subprocess.call(command, env={**os.environ, **cloud.env})


if __name__ == "__main__":
    sys.exit(main())
