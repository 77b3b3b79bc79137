"""Plays a WhatsApp guest against the local stack: signs and posts a message exactly as Twilio would,
waits for the bot's reply to reach the local Twilio, and prints it (the last line).

    python -m tools.whatsapp send --tenant hotel --from +48600100200 "Do you have parking?"
    python -m tools.whatsapp send --tenant hotel --from +48600100200 --media flat.jpg "Here is a photo"

Needs the local cloud's environment (``make start`` prints it) and the stack's URL (--url).
"""

from __future__ import annotations

import argparse
import mimetypes
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any

import requests

from shared.domain.integrations import PHONE, TwilioAccount, whatsapp_address
from tools.cli import guarded


def twilio_params(account: TwilioAccount, sender: str, body: str, media: list[tuple[str, str]]) -> dict[str, str]:
    """The form fields Twilio posts to a WhatsApp webhook."""
    params = {
        "MessageSid": "SM" + secrets.token_hex(16),
        "SmsMessageSid": "",
        "AccountSid": account.account_sid,
        "MessagingServiceSid": "",
        "From": whatsapp_address(sender),
        "To": account.whatsapp_from,
        "Body": body,
        "NumMedia": str(len(media)),
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
        "ProfileName": "Local guest",
        "WaId": sender.lstrip("+").removeprefix("whatsapp:+"),
    }
    params["SmsMessageSid"] = params["MessageSid"]
    for index, (url, content_type) in enumerate(media):
        params[f"MediaUrl{index}"] = url
        params[f"MediaContentType{index}"] = content_type
    return params


def signed_post(url: str, auth_token: str, params: dict[str, str], **headers: str) -> requests.Response:
    """POST ``params`` to ``url`` with the X-Twilio-Signature Twilio computes for them."""
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(auth_token).compute_signature(url, params)
    return requests.post(url, data=params, headers={"X-Twilio-Signature": signature, **headers}, timeout=30)


def upload_media(twilio_base: str, account: TwilioAccount, path: Path) -> tuple[str, str]:
    """Put a file on the local Twilio, as if the guest had sent it; returns its media URL and declared type."""
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    response = requests.post(
        f"{twilio_base}/_media",
        params={"content_type": content_type, "account": account.account_sid},
        data=path.read_bytes(),
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["url"]), content_type


def sent_to(twilio_base: str, address: str) -> list[dict[str, Any]]:
    """What the local Twilio has sent to a WhatsApp address."""
    response = requests.get(f"{twilio_base}/_messages", params={"to": address}, timeout=10)
    response.raise_for_status()
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


def send(url: str, tenant: str, sender: str, text: str, media: list[Path], timeout: float) -> str | None:
    """Post one guest message; the bot's reply text, or None when none arrived in time."""
    from shared.bootstrap import container

    account = container().integrations.twilio(tenant)
    if account is None:
        raise SystemExit(f"{tenant} has no WhatsApp (python -m tools.integrations set --tenant {tenant} twilio ...)")
    twilio_base = os.environ.get("TWILIO_BASE_URL")
    if not twilio_base:
        raise SystemExit("TWILIO_BASE_URL is not set: run with the local cloud's environment")
    address = whatsapp_address(sender)
    before = len(sent_to(twilio_base, address))
    uploaded = [upload_media(twilio_base, account, path) for path in media]
    webhook = f"{url.rstrip('/')}/api/whatsapp/{tenant}"
    started = time.monotonic()
    response = signed_post(webhook, account.auth_token.get_secret_value(), twilio_params(account, sender, text, uploaded))
    acknowledged_ms = (time.monotonic() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"the webhook answered {response.status_code}: {response.text[:200]}")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = sent_to(twilio_base, address)[before:]
        if replies:
            # Twilio gives a webhook 15 s; the acknowledgement must not wait for the model.
            replied_ms = (time.monotonic() - started) * 1000
            print(f"webhook acknowledged in {acknowledged_ms:.0f} ms; reply at Twilio after {replied_ms:.0f} ms", file=sys.stderr)
            return str(replies[-1]["body"])
        time.sleep(0.1)
    return None


@guarded
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sendp = sub.add_parser("send", help="send one message as a WhatsApp guest and print the reply")
    sendp.add_argument("--tenant", required=True)
    sendp.add_argument("--from", dest="sender", required=True, help="the guest's number, e.g. +48600100200")
    sendp.add_argument("--media", type=Path, action="append", default=[], help="a file the guest attaches")
    sendp.add_argument("--url", default=os.environ.get("CHATDESK_URL", "http://localhost:8080"), help="the local stack")
    sendp.add_argument("--timeout", type=float, default=30.0)
    sendp.add_argument("text")
    args = parser.parse_args(argv)
    if not PHONE.fullmatch(args.sender):
        parser.error("--from must be an international number like +48600100200")
    reply = send(args.url, args.tenant, args.sender, args.text, args.media, args.timeout)
    if reply is None:
        print(f"no reply within {args.timeout:.0f}s", file=sys.stderr)
        return 1
    print(reply)
    return 0


if __name__ == "__main__":
    sys.exit(main())
