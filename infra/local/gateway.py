"""The local gateway: plays Firebase Hosting and Eventarc on a developer machine.

- Serves ``web/`` and routes requests to the function targets exactly as the rewrites in
  ``firebase.json`` say (firebase.json is the one source of truth); each target is loaded
  through ``functions_framework.create_app``.
- Delivers every message on a Pub/Sub-triggered function's topic to that function as a
  CloudEvent push, in the binary-mode shape Eventarc uses in production.

    python -m infra.local.gateway --port 8080   # with the local cloud's env already set
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import gzip
import json
import logging
import mimetypes
import os
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

ROOT = Path(__file__).resolve().parents[2]
_log = logging.getLogger("chatdesk.gateway")


def glob_to_regex(glob: str) -> re.Pattern[str]:
    """Hosting's glob: ``**`` crosses slashes, ``*`` and ``?`` do not, ``{a,b}`` alternates."""
    return re.compile("^" + _glob_body(glob) + "$", re.DOTALL)  # a decoded path may hold any character


def _glob_body(glob: str) -> str:
    out, i = [], 0
    while i < len(glob):
        c = glob[i]
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "{":
            end = glob.index("}", i)
            out.append("(?:" + "|".join(_glob_body(p) for p in glob[i + 1 : end].split(",")) + ")")
            i = end
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


@dataclass(frozen=True)
class Rewrite:
    """One entry of ``hosting.rewrites``."""

    pattern: re.Pattern[str]
    function: str | None
    destination: str | None

    @classmethod
    def parse(cls, entry: dict[str, Any]) -> Rewrite:
        pattern = re.compile(entry["regex"]) if "regex" in entry else glob_to_regex(entry["source"])
        function = entry.get("function")
        function_id = function.get("functionId") if isinstance(function, dict) else function
        return cls(pattern, function_id, entry.get("destination"))


@dataclass(frozen=True)
class Route:
    """Where a path goes: a function, a static file, or nowhere."""

    kind: str  # "function" | "static" | "none"
    target: str


class Hosting:
    """Firebase Hosting's resolution order: exact static file, clean URL, then rewrites in order."""

    def __init__(self, firebase_json: Path) -> None:
        config = json.loads(firebase_json.read_text())["hosting"]
        self.public = (firebase_json.parent / config.get("public", "public")).resolve()
        self.clean_urls = bool(config.get("cleanUrls", False))
        self.rewrites = [Rewrite.parse(r) for r in config.get("rewrites", [])]
        self.headers = [
            (glob_to_regex(h["source"]), {e["key"]: e["value"] for e in h["headers"]}) for h in config.get("headers", [])
        ]

    def headers_for(self, path: str) -> dict[str, str]:
        """The ``hosting.headers`` that apply to a path (later entries win)."""
        out: dict[str, str] = {}
        for pattern, headers in self.headers:
            if pattern.match(path):
                out.update(headers)
        return out

    def functions(self) -> list[str]:
        """Every function named by a rewrite, in order of first appearance."""
        return list(dict.fromkeys(r.function for r in self.rewrites if r.function))

    def _static(self, path: str) -> Path | None:
        # Normalised, not resolved: ".." cannot leave web/, but a symlinked folder inside it (a worktree's shared
        # web/vendor) is served, as Hosting serves what was deployed.
        candidate = Path(os.path.normpath(self.public / path.lstrip("/")))
        if not candidate.is_relative_to(self.public):
            return None
        if candidate.is_file():
            return candidate
        if candidate.is_dir() and (candidate / "index.html").is_file():
            return candidate / "index.html"
        if self.clean_urls and candidate.with_suffix(".html").is_file():
            return candidate.with_suffix(".html")
        return None

    def resolve(self, path: str) -> Route:
        """The route for a request path."""
        static = self._static(path)
        if static is not None:
            return Route("static", str(static))
        for rewrite in self.rewrites:
            if rewrite.pattern.match(path):
                if rewrite.function:
                    return Route("function", rewrite.function)
                if rewrite.destination:
                    target = self._static(rewrite.destination)
                    return Route("static", str(target)) if target else Route("none", path)
        return Route("none", path)


def load_functions() -> dict[str, dict[str, Any]]:
    """The function definitions in infra/resources.yaml."""
    data: dict[str, Any] = yaml.safe_load((ROOT / "infra" / "resources.yaml").read_text())
    functions: dict[str, dict[str, Any]] = data["functions"]
    return functions


def load_function_app(name: str, spec: dict[str, Any]) -> Any:
    """The function's WSGI app, built by functions-framework exactly as in production."""
    from functions_framework import create_app

    source = ROOT / "functions" / name / "main.py"
    signature = "http" if spec["trigger"] == "http" else "cloudevent"
    return create_app(target=spec["entry_point"], source=str(source), signature_type=signature)


def cloud_event_push(project: str, topic: str, subscription: str, message: Any) -> tuple[dict[str, str], bytes]:
    """Headers and body of the binary-mode CloudEvent Eventarc pushes for one Pub/Sub message."""
    publish_time = message.publish_time.isoformat().replace("+00:00", "Z")
    body = {
        "message": {
            "data": base64.b64encode(message.data).decode(),
            "attributes": dict(message.attributes),
            "messageId": message.message_id,
            "message_id": message.message_id,
            "publishTime": publish_time,
            "publish_time": publish_time,
        },
        "subscription": f"projects/{project}/subscriptions/{subscription}",
    }
    headers = {
        "ce-id": message.message_id,
        "ce-specversion": "1.0",
        "ce-source": f"//pubsub.googleapis.com/projects/{project}/topics/{topic}",
        "ce-type": "google.cloud.pubsub.topic.v1.messagePublished",
        "ce-time": publish_time,
        "Content-Type": "application/json",
    }
    return headers, json.dumps(body).encode()


_COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")


def compress_for(body: bytes, mime: str, accept_encoding: str) -> tuple[bytes, str | None]:
    """The body as Hosting would send it: brotli or gzip when the client accepts it and it helps."""
    accepted = {part.split(";")[0].strip().lower() for part in accept_encoding.split(",")}
    if len(body) < 256 or not mime.startswith(_COMPRESSIBLE):
        return body, None
    if "br" in accepted:
        try:
            import brotli  # type: ignore[import-untyped]  # dev dependency; without it, gzip

            return brotli.compress(body, quality=9), "br"
        except ImportError:
            pass
    if "gzip" in accepted:
        return gzip.compress(body, compresslevel=9, mtime=0), "gzip"
    return body, None


@dataclass(frozen=True)
class DeliveryPolicy:
    """A push subscription's retry policy (exponential backoff) and dead-letter policy."""

    dead_letter_topic: str | None = None
    max_attempts: int = 5
    min_backoff: float = 0.2  # locally short; production's are in Terraform (wt-deploy)
    max_backoff: float = 2.0

    @classmethod
    def of(cls, spec: dict[str, Any]) -> DeliveryPolicy:
        return cls(spec.get("dead_letter_topic"), int(spec.get("max_delivery_attempts", 5)))

    def backoff(self, attempts: int) -> float:
        return float(min(self.max_backoff, self.min_backoff * 2 ** (attempts - 1)))


class Gateway:
    """Hosting + function targets + Pub/Sub push, in one process."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1", project: str | None = None, *, sweep_outbox: bool = True) -> None:
        self.hosting = Hosting(ROOT / "firebase.json")
        self.definitions = load_functions()
        self.project = project or os.environ.get("GOOGLE_CLOUD_PROJECT", "demo-chatdesk")
        sys.path.insert(0, str(ROOT))  # functions import `shared` from the repo root, as when bundled
        self.apps: dict[str, Any] = {}
        for name in self.hosting.functions():
            if name not in self.definitions:
                raise ValueError(f"firebase.json rewrites to unknown function {name!r}")
            self.apps[name] = load_function_app(name, self.definitions[name])
        self.event_apps = {
            name: load_function_app(name, spec) for name, spec in self.definitions.items() if spec["trigger"] == "pubsub"
        }
        self._server: BaseWSGIServer = make_server(host, port, self.wsgi, threaded=True)
        # Each function logs its own requests (JSON, Cloud Logging shape); the dev server's access log would double them.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._thread: threading.Thread | None = None
        self._pulls: list[Any] = []
        self._attempts: dict[str, int] = {}
        self._attempts_lock = threading.Lock()
        self._publisher: Any = None
        self._sweep_outbox = sweep_outbox
        self._sweeper: Any = None

    @property
    def url(self) -> str:
        return f"http://{self._server.host}:{self._server.port}"

    def firebase_init(self) -> dict[str, Any]:
        """What Hosting serves at /__/firebase/init.json, plus where the local emulators listen."""
        emulators = {}
        if os.environ.get("FIREBASE_AUTH_EMULATOR_HOST"):
            emulators["auth"] = f"http://{os.environ['FIREBASE_AUTH_EMULATOR_HOST']}"
        if os.environ.get("FIRESTORE_EMULATOR_HOST"):
            emulators["firestore"] = os.environ["FIRESTORE_EMULATOR_HOST"]
        return {
            "projectId": self.project,
            "apiKey": "local-emulator-key",  # the Auth emulator accepts any key; not a secret
            "authDomain": "localhost",
            "emulators": emulators,
        }

    def local_headers(self, path: str) -> dict[str, str]:
        """firebase.json's headers for a path; the CSP also lets pages reach the local emulators, as production reaches Google."""
        headers = self.hosting.headers_for(path)
        policy = headers.get("Content-Security-Policy")
        emulators = [
            f"http://{os.environ[v]}" for v in ("FIREBASE_AUTH_EMULATOR_HOST", "FIRESTORE_EMULATOR_HOST") if os.environ.get(v)
        ]
        if policy and emulators:
            directives = [d.strip() for d in policy.split(";")]
            headers["Content-Security-Policy"] = "; ".join(
                " ".join([d, *emulators]) if d.startswith("connect-src") else d for d in directives
            )
        return headers

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.path == "/__/firebase/init.json":
            response = Response(json.dumps(self.firebase_init()), mimetype="application/json")
            response.headers["Access-Control-Allow-Origin"] = "*"  # public config; the widget runs on tenants' sites
            return response(environ, start_response)
        route = self.hosting.resolve(request.path)
        if route.kind == "function":
            # Like Hosting and Google's front end: append the peer's address; whatever the client sent stays to its left.
            peer = request.remote_addr or "127.0.0.1"
            forwarded = environ.get("HTTP_X_FORWARDED_FOR", "").strip()
            environ["HTTP_X_FORWARDED_FOR"] = f"{forwarded}, {peer}" if forwarded else peer
            extra = self.local_headers(request.path)

            def with_hosting_headers(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
                # Hosting adds its headers to rewritten responses too; a header the function set itself wins.
                present = {name.lower() for name, _ in headers}
                headers = headers + [(k, v) for k, v in extra.items() if k.lower() not in present]
                return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

            return self.apps[route.target](environ, with_hosting_headers)
        if route.kind == "static":
            path = Path(route.target)
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            body, encoding = compress_for(path.read_bytes(), mime, request.headers.get("Accept-Encoding", ""))
            response = Response(body, mimetype=mime)
            if encoding:
                response.headers["Content-Encoding"] = encoding
            response.headers["Vary"] = "Accept-Encoding"
            response.headers.update(self.local_headers(request.path))
            response.headers["Cache-Control"] = "no-cache"  # local development: always the file on disk
            return response(environ, start_response)
        return Response("Not Found", status=404, mimetype="text/plain")(environ, start_response)

    # --- Eventarc --------------------------------------------------------------------------

    def start_event_delivery(self) -> None:
        """Subscribe each Pub/Sub-triggered function to its topic and push every message to it."""
        from google.cloud import pubsub_v1

        from infra.local.cloud import ensure_resources, eventarc_subscription, load_resources

        ensure_resources(self.project, load_resources())
        subscriber = pubsub_v1.SubscriberClient()
        for name, app in self.event_apps.items():
            topic = self.definitions[name]["topic"]
            subscription = eventarc_subscription(name)
            path = subscriber.subscription_path(self.project, subscription)
            client = Client(app)

            policy = DeliveryPolicy.of(self.definitions[name])

            def deliver(
                message: Any,
                client: Client = client,
                topic: str = topic,
                subscription: str = subscription,
                policy: DeliveryPolicy = policy,
            ) -> None:
                headers, body = cloud_event_push(self.project, topic, subscription, message)
                try:
                    response = client.post("/", headers=headers, data=body)
                    ok = 200 <= response.status_code < 300
                except Exception:  # noqa: BLE001 - a crashing function is a failed delivery, retried
                    _log.exception("event delivery crashed")
                    ok = False
                self._settle(message, ok, policy, subscription)

            self._pulls.append(subscriber.subscribe(path, callback=deliver))

    def _settle(self, message: Any, ok: bool, policy: DeliveryPolicy, subscription: str) -> None:
        """Ack a success; retry a failure after a backoff; after the last attempt, dead-letter it.

        pstest has no dead-letter or retry policy, so the gateway plays Pub/Sub's part here.
        """
        with self._attempts_lock:
            attempts = self._attempts.get(message.message_id, 0) + 1
            self._attempts[message.message_id] = attempts
        if ok:
            message.ack()
        elif policy.dead_letter_topic and attempts >= policy.max_attempts:
            from google.cloud import pubsub_v1

            attributes = {
                **dict(message.attributes),
                "CloudPubSubDeadLetterSourceDeliveryCount": str(attempts),
                "CloudPubSubDeadLetterSourceSubscription": subscription,
            }
            topic = pubsub_v1.PublisherClient.topic_path(self.project, policy.dead_letter_topic)
            self._dead_letter_publisher().publish(topic, message.data, **attributes).result(timeout=30)
            message.ack()
        else:
            threading.Timer(policy.backoff(attempts), message.nack).start()
            return
        with self._attempts_lock:
            self._attempts.pop(message.message_id, None)

    def _dead_letter_publisher(self) -> Any:
        from google.cloud import pubsub_v1

        with self._attempts_lock:
            if self._publisher is None:
                self._publisher = pubsub_v1.PublisherClient()
            return self._publisher

    # --- lifecycle -------------------------------------------------------------------------

    def start_outbox_sweep(self, interval: float = 5.0) -> None:
        """Republish undelivered outbox events every few seconds (Cloud Scheduler's job in production)."""
        from shared.bootstrap import container
        from shared.services.outbox import SweepLoop

        self._sweeper = SweepLoop(container().outbox_relay, interval).start()

    def start(self) -> Gateway:
        self.start_event_delivery()
        if self._sweep_outbox:
            self.start_outbox_sweep()
        self._thread = threading.Thread(target=self._server.serve_forever, name="gateway", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.stop()
        for pull in self._pulls:
            pull.cancel()
        self._pulls.clear()
        self._server.shutdown()
        self._server.server_close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    gateway = Gateway(args.port, args.host).start()
    print(f"READY {gateway.url}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()
    gateway.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
