"""A local Cloud Scheduler: the REST subset ``google-cloud-scheduler`` speaks, and Pub/Sub targets fired on cron.

    python -m infra.local.fake_scheduler --port 0    # prints READY http://127.0.0.1:PORT

Jobs live in memory. Each enabled job's Pub/Sub message is published (the real Pub/Sub client, to
PUBSUB_EMULATOR_HOST) when its cron comes due in the job's time zone (croniter), and on ``:run``.
Point the client at it with ``client_options={"api_endpoint": "http://..."}`` and ``transport="rest"``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import re
import signal
import sys
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

JOB = re.compile(r"^/v1/(projects/[^/]+/locations/[^/]+/jobs/[^/:]+)(?::(run|pause|resume))?$")
JOBS = re.compile(r"^/v1/(projects/[^/]+/locations/[^/]+)/jobs$")
CAMEL = {"time_zone": "timeZone", "pubsub_target": "pubsubTarget", "retry_config": "retryConfig"}


class ApiError(Exception):
    def __init__(self, code: int, status: str, message: str) -> None:
        super().__init__(message)
        self.code, self.status, self.message = code, status, message


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class SchedulerState:
    """The jobs and their next fire times; thread-safe."""

    def __init__(self) -> None:
        self.jobs: dict[str, dict[str, Any]] = {}
        self.next_fire: dict[str, datetime] = {}
        self.fired: list[tuple[str, str]] = []  # (job name, message id)
        self.lock = threading.Lock()
        self._publisher: Any = None

    # --- validation ----------------------------------------------------------------------

    @staticmethod
    def _check(job: dict[str, Any]) -> None:
        schedule = job.get("schedule", "")
        if not isinstance(schedule, str) or not croniter.is_valid(schedule):
            raise ApiError(400, "INVALID_ARGUMENT", f"Schedule has an invalid format: {schedule!r}")
        try:
            ZoneInfo(job.get("timeZone") or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            raise ApiError(400, "INVALID_ARGUMENT", f"Invalid time zone: {job.get('timeZone')!r}") from None
        if "pubsubTarget" not in job:
            raise ApiError(400, "INVALID_ARGUMENT", "Only Pub/Sub targets are supported locally")

    def _plan(self, name: str, after: datetime) -> None:
        job = self.jobs[name]
        if job.get("state") != "ENABLED":
            self.next_fire.pop(name, None)
            return
        tz = ZoneInfo(job.get("timeZone") or "UTC")
        nxt: datetime = croniter(job["schedule"], after.astimezone(tz)).get_next(datetime)
        self.next_fire[name] = nxt.astimezone(UTC)
        job["scheduleTime"] = _stamp(nxt)

    # --- REST ----------------------------------------------------------------------------

    def create(self, parent: str, job: dict[str, Any]) -> dict[str, Any]:
        name = job.get("name") or f"{parent}/jobs/job-{len(self.jobs) + 1}"
        if not name.startswith(f"{parent}/jobs/"):
            raise ApiError(400, "INVALID_ARGUMENT", "Job name must be under the parent")
        self._check(job)
        with self.lock:
            if name in self.jobs:
                raise ApiError(409, "ALREADY_EXISTS", f"Job {name} already exists")
            self.jobs[name] = {**job, "name": name, "state": "ENABLED", "userUpdateTime": _stamp(_now())}
            self._plan(name, _now())
            return dict(self.jobs[name])

    def get(self, name: str) -> dict[str, Any]:
        with self.lock:
            if name not in self.jobs:
                raise ApiError(404, "NOT_FOUND", f"Job not found: {name}")
            return dict(self.jobs[name])

    def list(self, parent: str) -> dict[str, Any]:
        with self.lock:
            return {"jobs": [dict(j) for n, j in sorted(self.jobs.items()) if n.startswith(f"{parent}/jobs/")]}

    def update(self, name: str, job: dict[str, Any], mask: list[str]) -> dict[str, Any]:
        with self.lock:
            if name not in self.jobs:
                raise ApiError(404, "NOT_FOUND", f"Job not found: {name}")
            fields = [CAMEL.get(f, f) for f in mask] or [k for k in job if k != "name"]
            updated = {**self.jobs[name], **{f: job[f] for f in fields if f in job}}
            self._check(updated)
            updated["userUpdateTime"] = _stamp(_now())
            self.jobs[name] = updated
            self._plan(name, _now())
            return dict(updated)

    def delete(self, name: str) -> dict[str, Any]:
        with self.lock:
            if self.jobs.pop(name, None) is None:
                raise ApiError(404, "NOT_FOUND", f"Job not found: {name}")
            self.next_fire.pop(name, None)
            return {}

    def set_state(self, name: str, state: str) -> dict[str, Any]:
        with self.lock:
            if name not in self.jobs:
                raise ApiError(404, "NOT_FOUND", f"Job not found: {name}")
            self.jobs[name]["state"] = state
            self._plan(name, _now())
            return dict(self.jobs[name])

    def run(self, name: str) -> dict[str, Any]:
        job = self.get(name)
        self.fire(job)
        return self.get(name)

    # --- firing --------------------------------------------------------------------------

    def fire(self, job: dict[str, Any]) -> str:
        """Publish the job's Pub/Sub message, as Cloud Scheduler does."""
        from google.cloud import pubsub_v1

        target = job["pubsubTarget"]
        if self._publisher is None:
            self._publisher = pubsub_v1.PublisherClient()
        data = base64.b64decode(target.get("data", ""))
        message_id: str = self._publisher.publish(target["topicName"], data, **target.get("attributes", {})).result(timeout=30)
        with self.lock:
            self.fired.append((job["name"], message_id))
            if job["name"] in self.jobs:
                self.jobs[job["name"]]["lastAttemptTime"] = _stamp(_now())
        return message_id

    def due(self, now: datetime) -> list[dict[str, Any]]:
        with self.lock:
            names = [n for n, t in self.next_fire.items() if t <= now]
            for name in names:
                self._plan(name, now)
            return [dict(self.jobs[n]) for n in names]


class SchedulerServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: SchedulerState | None = None) -> None:
        super().__init__(address, _Handler)
        self.state = state or SchedulerState()
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="fake-scheduler-cron", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.server_address[0]}:{self.server_address[1]}"

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            for job in self.state.due(_now()):
                try:
                    self.state.fire(job)
                except Exception as exc:  # noqa: BLE001 - a failed attempt is logged; the next tick goes on
                    print(f"fake-scheduler: {job['name']} failed: {exc}", file=sys.stderr, flush=True)

    def start(self) -> SchedulerServer:
        self._ticker.start()
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.1}, name="fake-scheduler", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: SchedulerServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            raise ApiError(400, "INVALID_ARGUMENT", "Body is not JSON") from None
        if not isinstance(body, dict):
            raise ApiError(400, "INVALID_ARGUMENT", "Body must be an object")
        return body

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        state = self.server.state
        try:
            body = self._body() if method in ("POST", "PATCH") else {}
            if m := JOBS.match(url.path):
                if method == "POST":
                    return self._send(200, state.create(m.group(1), body))
                if method == "GET":
                    return self._send(200, state.list(m.group(1)))
            elif m := JOB.match(url.path):
                name, verb = m.group(1), m.group(2)
                if verb and method == "POST":
                    action = {
                        "run": state.run,
                        "pause": lambda n: state.set_state(n, "PAUSED"),
                        "resume": lambda n: state.set_state(n, "ENABLED"),
                    }
                    return self._send(200, action[verb](name))
                if not verb and method == "GET":
                    return self._send(200, state.get(name))
                if not verb and method == "DELETE":
                    return self._send(200, state.delete(name))
                if not verb and method == "PATCH":
                    mask = [f for v in query.get("updateMask", []) for f in v.split(",") if f]
                    return self._send(200, state.update(name, body, mask))
            raise ApiError(404, "NOT_FOUND", f"No route {method} {url.path}")
        except ApiError as err:
            self._send(err.code, {"error": {"code": err.code, "message": err.message, "status": err.status}})
        except Exception as exc:  # noqa: BLE001 - a stand-in reports its own failures as the API would
            self._send(500, {"error": {"code": 500, "message": str(exc), "status": "INTERNAL"}})

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")


def start_fake_scheduler(port: int = 0) -> SchedulerServer:
    """Start on 127.0.0.1 in daemon threads."""
    return SchedulerServer(("127.0.0.1", port)).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    server = start_fake_scheduler(args.port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"READY {server.base_url}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
