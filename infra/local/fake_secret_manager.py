"""A local stand-in for Secret Manager: the REST subset google-cloud-secret-manager uses with
``transport="rest"`` (create a secret, add a version, access a version), kept in memory.

Point the client at it with ``client_options={"api_endpoint": base_url}`` and anonymous credentials.
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from typing import Any, ClassVar

from infra.local.recording_server import COMMON_MODES, Answer, Incoming, RecordingServer

_SECRETS = re.compile(r"^/v1/projects/(?P<project>[^/]+)/secrets$")
_ADD_VERSION = re.compile(r"^/v1/projects/(?P<project>[^/]+)/secrets/(?P<secret>[^/:]+):addVersion$")
_ACCESS = re.compile(r"^/v1/projects/(?P<project>[^/]+)/secrets/(?P<secret>[^/]+)/versions/(?P<version>[^/:]+):access$")


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _not_found(what: str) -> Answer:
    return Answer.json(404, {"error": {"code": 404, "message": f"{what} not found", "status": "NOT_FOUND"}})


class FakeSecretManager(RecordingServer):
    """Secrets and their versions in memory; records names only, never payloads."""

    name: ClassVar[str] = "fake-secret-manager"
    modes: ClassVar[tuple[str, ...]] = (*COMMON_MODES, "denied")

    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self.secrets: dict[str, list[bytes]] = {}  # secret name -> versions (1-based)

    def failure(self) -> Answer | None:
        if self.recorder.mode == "denied":
            return Answer.json(403, {"error": {"code": 403, "message": "Permission denied", "status": "PERMISSION_DENIED"}})
        return super().failure()

    def route(self, request: Incoming) -> Answer:
        if request.method == "POST" and (m := _SECRETS.match(request.path)):
            secret_id = (request.query.get("secretId") or [""])[0]
            name = f"projects/{m['project']}/secrets/{secret_id}"
            self.record(request, {"op": "create", "name": name})
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,255}", secret_id):
                return Answer.json(400, {"error": {"code": 400, "message": "bad secretId", "status": "INVALID_ARGUMENT"}})
            with self.recorder.lock:
                if name in self.secrets:
                    return Answer.json(
                        409, {"error": {"code": 409, "message": f"Secret [{name}] already exists.", "status": "ALREADY_EXISTS"}}
                    )
                self.secrets[name] = []
            return Answer.json(200, {"name": name, "replication": {"automatic": {}}, "createTime": _now()})
        if request.method == "POST" and (m := _ADD_VERSION.match(request.path)):
            name = f"projects/{m['project']}/secrets/{m['secret']}"
            self.record(request, {"op": "addVersion", "name": name})
            data = base64.b64decode(request.json().get("payload", {}).get("data", ""))
            with self.recorder.lock:
                if name not in self.secrets:
                    return _not_found(f"Secret [{name}]")
                self.secrets[name].append(data)
                number = len(self.secrets[name])
            return Answer.json(200, {"name": f"{name}/versions/{number}", "createTime": _now(), "state": "ENABLED"})
        if request.method == "GET" and (m := _ACCESS.match(request.path)):
            name = f"projects/{m['project']}/secrets/{m['secret']}"
            self.record(request, {"op": "access", "name": name, "version": m["version"]})
            return self._access(name, m["version"])
        return _not_found(request.path)

    def _access(self, name: str, version: str) -> Answer:
        with self.recorder.lock:
            versions = self.secrets.get(name)
            if not versions:
                return _not_found(f"Secret [{name}]")
            index = len(versions) if version == "latest" else int(version) if version.isdigit() else 0
            if not 1 <= index <= len(versions):
                return _not_found(f"Secret Version [{name}/versions/{version}]")
            payload: dict[str, Any] = {"data": base64.b64encode(versions[index - 1]).decode()}
        return Answer.json(200, {"name": f"{name}/versions/{index}", "payload": payload})
