"""A local stand-in for Twilio: the Messages API (create) and media URLs, recording every message.

    POST /2010-04-01/Accounts/{sid}/Messages.json     what ``client.messages.create`` sends (form)
    GET  /2010-04-01/Accounts/{sid}/Messages/{m}/Media/{id}   media a guest "sent" (see /_media)
    POST /_accounts   {"sid", "token"}   require these credentials for that account
    POST /_media?content_type=...        store bytes; answers the media URL Twilio would give
    GET  /_messages?to=whatsapp:+48...   outbound messages the stand-in accepted (newest last)
"""

from __future__ import annotations

import base64
import re
import secrets
from datetime import UTC, datetime
from typing import Any, ClassVar

from infra.local.recording_server import COMMON_MODES, Answer, Incoming, RecordingServer

_ACCOUNT = r"^/2010-04-01/Accounts/(?P<account>AC[0-9a-zA-Z]+)"
_MESSAGES = re.compile(_ACCOUNT + r"/Messages\.json$")
_MEDIA = re.compile(_ACCOUNT + r"/Messages/(?P<message>MM[0-9a-f]+)/Media/(?P<media>ME[0-9a-f]+)$")


def _error(status: int, code: int, message: str) -> Answer:
    # Twilio's error shape; the client raises TwilioRestException from it.
    more_info = f"https://www.twilio.com/docs/errors/{code}"
    return Answer.json(status, {"code": code, "message": message, "more_info": more_info, "status": status})


class FakeTwilio(RecordingServer):
    """Accepts messages, serves media, and can refuse as Twilio does."""

    name: ClassVar[str] = "fake-twilio"
    modes: ClassVar[tuple[str, ...]] = (*COMMON_MODES, "rejected")

    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self.accounts: dict[str, str] = {}
        self.media: dict[str, tuple[str, bytes]] = {}  # path -> (content type, bytes)
        self.messages: list[dict[str, Any]] = []

    def failure(self) -> Answer | None:
        if self.recorder.mode == "rejected":
            return _error(400, 63016, "Failed to send freeform message because you are outside the allowed window.")
        return super().failure()

    def handle_control(self, request: Incoming) -> Answer | None:
        if request.path == "/_accounts" and request.method == "POST":
            body = request.json()
            with self.recorder.lock:
                self.accounts[str(body["sid"])] = str(body["token"])
            return Answer.json(200, {"sid": body["sid"]})
        if request.path == "/_media" and request.method == "POST":
            content_type = (request.query.get("content_type") or ["application/octet-stream"])[0]
            account = (request.query.get("account") or ["AC" + "0" * 32])[0]
            path = f"/2010-04-01/Accounts/{account}/Messages/MM{secrets.token_hex(16)}/Media/ME{secrets.token_hex(16)}"
            with self.recorder.lock:
                self.media[path] = (content_type, request.body)
            return Answer.json(200, {"url": self.base_url + path, "content_type": content_type})
        if request.path == "/_messages" and request.method == "GET":
            to = (request.query.get("to") or [None])[0]
            with self.recorder.lock:
                found = [m for m in self.messages if to is None or m["to"] == to]
            return Answer.json(200, {"messages": found})
        return super().handle_control(request)

    def _authorized(self, request: Incoming, account: str) -> bool:
        header = request.headers.get("authorization", "")
        if not header.startswith("Basic "):
            return False
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        expected = self.accounts.get(account)
        return user == account and (expected is None or secrets.compare_digest(expected, password))

    def route(self, request: Incoming) -> Answer:
        if request.method == "GET" and (m := _MEDIA.match(request.path)):
            self.record(request, {"op": "media"})
            with self.recorder.lock:
                stored = self.media.get(request.path)
            if stored is None:
                return _error(404, 20404, "The requested resource was not found")
            return Answer(200, stored[1], stored[0])
        if request.method == "POST" and (m := _MESSAGES.match(request.path)):
            if not self._authorized(request, m["account"]):
                self.record(request, {"op": "message", "refused": "auth"})
                return _error(401, 20003, "Authenticate")
            form = {k: v[-1] for k, v in request.form().items()}
            if not form.get("To") or not (form.get("From") or form.get("MessagingServiceSid")):
                return _error(400, 21604, "A 'To' phone number is required.")
            now = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
            message = {
                "sid": "SM" + secrets.token_hex(16),
                "account_sid": m["account"],
                "to": form["To"],
                "from": form.get("From"),
                "body": form.get("Body", ""),
                "media_url": request.form().get("MediaUrl", []),
                "status_callback": form.get("StatusCallback"),
                "status": "queued",
                "num_media": str(len(request.form().get("MediaUrl", []))),
                "num_segments": "1",
                "direction": "outbound-api",
                "date_created": now,
                "date_updated": now,
                "api_version": "2010-04-01",
                "uri": f"/2010-04-01/Accounts/{m['account']}/Messages/SM.json",
            }
            with self.recorder.lock:
                self.messages.append(message)
                del self.messages[:-1000]
            self.record(request, {"op": "message", "to": message["to"], "from": message["from"], "body": message["body"]})
            return Answer.json(201, message)
        return _error(404, 20404, "The requested resource was not found")
