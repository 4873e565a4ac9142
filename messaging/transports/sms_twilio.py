"""SMS through Twilio's own client, optionally pointed at another API host."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
import requests.adapters
from flask import Flask
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from app.links import external_url
from messaging.models import OutboundMessage
from messaging.pacing import sms_in_flight
from messaging.transports import SendResult

TIMEOUT_SECONDS = 15.0
# The client logs every request and response at INFO: at 100 texts a second that is the bottleneck.
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
# 21610: the recipient replied STOP to us at Twilio; never retry, record the opt-out.
OPTED_OUT = 21610
# 20429 and 21611 (sender queue full) are Twilio's "slow down" codes.
RETRY_CODES = {20429, 21611}


def pooled_http_client(pool_size: int, timeout: float = TIMEOUT_SECONDS) -> TwilioHttpClient:
    """Return twilio's own HTTP client with a connection pool of ``pool_size`` (one per text in flight)."""
    client = TwilioHttpClient(pool_connections=True, timeout=timeout)
    _size_pool(client, pool_size)
    return client


def _size_pool(client: TwilioHttpClient, pool_size: int) -> None:
    # twilio keeps a requests Session (pool_connections=True) whose https adapter holds at most
    # min(32, CPUs + 4) connections; more texts in flight than that would open and drop connections.
    assert client.session is not None
    adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=max(1, pool_size))
    client.session.mount("https://", adapter)
    client.session.mount("http://", adapter)


class RewritingHttpClient(TwilioHttpClient):
    """An HTTP client that sends every Twilio request to another scheme and host."""

    def __init__(self, base_url: str, timeout: float = TIMEOUT_SECONDS, pool_size: int = 10) -> None:
        super().__init__(pool_connections=True, timeout=timeout)
        _size_pool(self, pool_size)
        parts = urlsplit(base_url)
        self._scheme, self._netloc = parts.scheme, parts.netloc

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        """Send the request to the configured host, keeping path and query."""
        parts = urlsplit(url)
        url = urlunsplit((self._scheme, self._netloc, parts.path, parts.query, parts.fragment))
        return super().request(method, url, params, data, headers, auth, timeout, allow_redirects)


class TwilioSms:
    """Send texts with the twilio client; classify its errors into retry, fail or unknown."""

    name = "twilio"
    paced = True

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        from_number: str = "",
        messaging_service_sid: str = "",
        status_callback: str = "",
        api_base_url: str = "",
        pool_size: int = 10,
    ) -> None:
        self._credentials = (account_sid, auth_token, api_base_url)
        self.timeout = TIMEOUT_SECONDS
        self.pool_size = pool_size
        # One client for every sender thread: its connection pool (thread-safe in urllib3) holds a
        # connection per text in flight, and Twilio sets no cookies for the session to share.
        self._client: Client | None = None
        self._lock = threading.Lock()
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self.status_callback = status_callback

    @property
    def client(self) -> Client:
        """Return the twilio client, built on first use."""
        with self._lock:
            if self._client is None:
                sid, token, base = self._credentials
                http_client = (
                    RewritingHttpClient(base, self.timeout, self.pool_size)
                    if base
                    else pooled_http_client(self.pool_size, self.timeout)
                )
                client = Client(sid, token, http_client=http_client)
                # The Messages API's modules are imported on first use, under the import lock:
                # done here, before the first slot, not by the first senders while the rest queue.
                client.messages  # noqa: B018
                self._client = client
            return self._client

    @classmethod
    def from_config(cls, config: Mapping[str, Any], *, app: Flask | None = None) -> TwilioSms:
        """Build the transport from the app's settings (``app`` outside an app context)."""
        return cls(
            config["TWILIO_ACCOUNT_SID"],
            config["TWILIO_AUTH_TOKEN"],
            from_number=config.get("TWILIO_FROM_NUMBER", ""),
            messaging_service_sid=config.get("TWILIO_MESSAGING_SERVICE_SID", ""),
            status_callback=external_url(
                "messaging.twilio_status", _app=app, _base=config["PUBLIC_BASE_URL"]
            ),
            api_base_url=config.get("TWILIO_API_BASE_URL", ""),
            pool_size=sms_in_flight(config),
        )

    def send(self, message: OutboundMessage) -> SendResult:
        """Create the message at Twilio."""
        kwargs: dict[str, Any] = {"to": message.to_address, "body": message.body}
        if self.messaging_service_sid:
            kwargs["messaging_service_sid"] = self.messaging_service_sid
        else:
            kwargs["from_"] = self.from_number
        if self.status_callback:
            # Our id rides along so a callback can settle a message whose send result was lost.
            kwargs["status_callback"] = f"{self.status_callback}?m={message.id}"
        try:
            created = self.client.messages.create(**kwargs)
        except TwilioRestException as exc:
            return classify(exc.status, exc.code, exc.msg or str(exc))
        except TwilioException as exc:
            return classify(getattr(exc, "status", 0) or 0, getattr(exc, "code", None), str(exc))
        except requests.ReadTimeout as exc:
            return _read_timeout(exc)
        except (requests.ConnectionError, requests.Timeout) as exc:
            return SendResult("retry", error_code="connection", error_message=str(exc)[:500])
        except requests.RequestException as exc:
            return SendResult("unknown", error_code="http", error_message=str(exc)[:500])
        return SendResult("sent", provider_id=created.sid)


def _read_timeout(exc: Exception) -> SendResult:
    # The request reached Twilio and the answer never came: it may have been sent. Resending could
    # text the customer twice, so the message becomes "unknown"; a status callback can settle it.
    return SendResult("unknown", error_code="timeout", error_message=f"no answer from Twilio: {exc}"[:500])


def classify(status: int, code: int | None, text: str) -> SendResult:
    """Turn an HTTP status and Twilio error code into a result."""
    error_code = str(code) if code else str(status or "")
    if code == OPTED_OUT:
        return SendResult("failed", error_code=error_code, error_message=text, suppress_reason="opt-out")
    if status == 429 or status >= 500 or code in RETRY_CODES:
        return SendResult("retry", error_code=error_code, error_message=text, throttle=True)
    return SendResult("failed", error_code=error_code, error_message=text)
