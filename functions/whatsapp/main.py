"""`whatsapp` function: Twilio's webhook for inbound WhatsApp messages and delivery status callbacks.

Acknowledges at once with empty TwiML; the reply is sent later through Twilio's Messages API by the
``events`` function, so a slow model never holds Twilio's webhook open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.bootstrap import container
from shared.http.app import HttpApp

if TYPE_CHECKING:
    from flask import Request, Response

app = HttpApp("whatsapp", project_id=lambda: container().settings.project_id)
_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def public_url(request: Request) -> str:
    """The URL Twilio called (and signed): behind Hosting the host and scheme come from X-Forwarded-*."""
    proto = request.headers.get("X-Forwarded-Proto", request.scheme).split(",")[0].strip()
    host = request.headers.get("X-Forwarded-Host", request.host).split(",")[0].strip()
    query = request.query_string.decode()
    return f"{proto}://{host}{request.path}" + (f"?{query}" if query else "")


def _twiml() -> Response:
    from flask import Response

    return Response(_EMPTY_TWIML, status=200, mimetype="text/xml")


@app.route("/api/whatsapp/<tenant>", methods=["POST"])
def inbound(request: Request, tenant: str) -> Response:
    params = request.form.to_dict()
    container().whatsapp.receive(tenant, public_url(request), params, request.headers.get("X-Twilio-Signature"))
    return _twiml()


@app.route("/api/whatsapp/<tenant>/status", methods=["POST"])
def status(request: Request, tenant: str) -> Response:
    params = request.form.to_dict()
    container().whatsapp.status(tenant, public_url(request), params, request.headers.get("X-Twilio-Signature"))
    return _twiml()


def whatsapp(request: Request) -> Response:
    """Entry point."""
    return app(request)
