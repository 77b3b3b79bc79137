"""WhatsApp through Twilio's own client library; ``base_url`` points it at a local stand-in."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from shared.domain.integrations import TwilioAccount
from shared.services.channel_ports import DeliveryFailed, Media, WhatsAppGateway

TWILIO_API = "https://api.twilio.com"


class TwilioWhatsAppGateway(WhatsAppGateway):
    """One ``twilio.rest.Client`` per tenant account, built on first use."""

    def __init__(self, base_url: str | None = None, timeout: float = 10.0) -> None:
        self._base_url = base_url.rstrip("/") if base_url else None
        self._timeout = timeout
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        # The library logs request bodies (numbers, texts) at INFO; they are guests' personal data.
        logging.getLogger("twilio").setLevel(logging.WARNING)

    def _client(self, account: TwilioAccount) -> Any:
        key = f"{account.account_sid}:{hash(account.auth_token.get_secret_value())}"
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                from twilio.rest import Client

                http = _http_client(self._base_url, self._timeout)
                client = Client(account.account_sid, account.auth_token.get_secret_value(), http_client=http)
                self._clients = {k: v for k, v in self._clients.items() if not k.startswith(account.account_sid)}
                self._clients[key] = client
            return client

    def send(self, account: TwilioAccount, to: str, body: str, status_callback: str | None = None) -> str:
        from twilio.base.exceptions import TwilioException

        try:
            message = self._client(account).messages.create(
                to=to, from_=account.whatsapp_from, body=body, status_callback=status_callback
            )
        except (TwilioException, OSError) as exc:
            raise DeliveryFailed(f"Twilio refused the message: {type(exc).__name__} {getattr(exc, 'code', '')}") from None
        return str(message.sid)

    def fetch_media(self, account: TwilioAccount, url: str, max_bytes: int) -> Media | None:
        import requests

        if self._base_url and url.startswith(TWILIO_API):
            url = self._base_url + url[len(TWILIO_API) :]
        auth = (account.account_sid, account.auth_token.get_secret_value())
        try:
            with requests.get(url, auth=auth, timeout=self._timeout, stream=True) as response:
                response.raise_for_status()
                data = bytearray()
                for chunk in response.iter_content(64 * 1024):
                    data += chunk
                    if len(data) > max_bytes:
                        return None
                return Media(bytes(data), response.headers.get("Content-Type", ""))
        except requests.RequestException as exc:
            raise DeliveryFailed(f"could not fetch media: {type(exc).__name__}") from None

    def signature_valid(self, auth_token: str, url: str, params: Mapping[str, str], signature: str) -> bool:
        from twilio.request_validator import RequestValidator

        return bool(RequestValidator(auth_token).validate(url, dict(params), signature))


def _http_client(base_url: str | None, timeout: float) -> Any:
    """Twilio's HTTP client, rewriting ``https://api.twilio.com`` to the stand-in when one is named."""
    from twilio.http.http_client import TwilioHttpClient

    if base_url is None:
        return TwilioHttpClient(timeout=timeout)

    base: str = base_url

    class _Rebased(TwilioHttpClient):  # type: ignore[misc]
        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            if url.startswith(TWILIO_API):
                url = base + url[len(TWILIO_API) :]
            return super().request(method, url, *args, **kwargs)

    return _Rebased(timeout=timeout)
