"""The Twilio SMS backend: Twilio's Messages API through the official SDK, and webhook signatures.

The only module that imports `twilio`. gateway.py imports it lazily when the backend is twilio,
the webhook guard (notifications/sms/signatures.py) when a webhook arrives.

Where requests go: the SDK builds every Messages URL from the `base_url` of its `api` domain
(`twilio.base.domain.Domain.absolute_url`: base_url + "/2010-04-01/Accounts/{sid}/Messages.json").
Setting `client.api.base_url` to FAIRHEAT_TWILIO_API_BASE_URL therefore sends them to a compatible
endpoint (the fake Twilio of the tests, a regional proxy); a path prefix in the URL is kept. The
SDK would still rewrite the host for TWILIO_EDGE / TWILIO_REGION, which it reads from the process
environment by itself; both are cleared, so configuration stays in config/ (a region is chosen by
its URL, e.g. https://api.dublin.ie1.twilio.com).

Threads: one gateway, one Client and one requests.Session are shared by the dispatcher's threads.
Sending through a shared Session is safe (urllib3's pools are locked; requests' cookie jar too),
and the SDK keeps no per-request state except `_test_only_last_response`, which is not read here.
The lazily built SDK objects are resolved once, in the constructor. The connection pool holds up
to `max_connections` keep-alive connections per host, reused across sends and threads.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import hmac
import math
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from config.sms_settings import SmsSettings
from notifications.sms.gateway import SendError, SendResult, classify_http_error

# Seconds, for connecting and for each read; Twilio answers in well under a second.
DEFAULT_TIMEOUT = 10.0
# Idle keep-alive connections kept per host: at least the dispatcher's sending threads (at most
# 128), or connections beyond the pool are closed after each request and opened again. Connections
# are opened only on demand, so a large pool costs nothing at low rates.
DEFAULT_MAX_CONNECTIONS = 128


def _settle_environment(session: requests.Session, base_url: str) -> None:
    """Apply the process environment's proxy and CA settings for `base_url` once, not per send.

    With `trust_env` on, requests looks at the proxy variables, no_proxy and ~/.netrc on every
    request (about a tenth of the dispatcher's CPU per message). Every send goes to the same
    host, so the answer is the same each time: resolve it here, pin it on the session, and
    switch the per-request lookup off. An outbound proxy (HTTPS_PROXY) or a CA bundle
    (REQUESTS_CA_BUNDLE) set for the worker process still applies.
    """
    settled = session.merge_environment_settings(base_url, {}, None, None, None)
    session.proxies.update(settled.get("proxies") or {})
    session.verify = settled.get("verify", True)
    session.trust_env = False


class _PooledHttpClient(TwilioHttpClient):
    """The SDK's HTTP client with a pool sized for concurrent sends, for http:// too.

    TwilioRestException carries no response headers, so each thread's last response is kept
    here to read Retry-After when a send fails.
    """

    def __init__(self, *, timeout: float, max_connections: int, base_url: str) -> None:
        super().__init__(pool_connections=True, timeout=timeout)
        assert self.session is not None
        for prefix in ("https://", "http://"):
            # max_retries=0 (the default): the dispatcher decides about retries, with backoff.
            self.session.mount(prefix, HTTPAdapter(pool_maxsize=max_connections))
        _settle_environment(self.session, base_url)
        self._local = threading.local()

    def request(self, *args: Any, **kwargs: Any) -> Response:
        self._local.response = None
        response = super().request(*args, **kwargs)
        self._local.response = response
        return response

    def last_response_headers(self) -> Mapping[str, str]:
        response = getattr(self._local, "response", None)
        return response.headers if response is not None and response.headers else {}

    def close(self) -> None:
        if self.session is not None:
            self.session.close()


class TwilioGateway:
    name = "twilio"

    def __init__(
        self,
        sms: SmsSettings,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
    ) -> None:
        self._http = _PooledHttpClient(
            timeout=timeout, max_connections=max_connections, base_url=sms.twilio_api_base_url
        )
        client = Client(sms.twilio_account_sid, sms.twilio_auth_token, http_client=self._http)
        client.edge = None
        client.region = None
        client.api.base_url = sms.twilio_api_base_url
        self.base_url: str = sms.twilio_api_base_url
        self._messages = client.messages  # resolved once: the SDK builds it lazily
        if sms.twilio_messaging_service_sid:
            self._sender = {"messaging_service_sid": sms.twilio_messaging_service_sid}
        else:
            self._sender = {"from_": sms.twilio_from_number}

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> SendResult:
        arguments: dict[str, str] = {"to": to, "body": body, **self._sender}
        if status_callback:
            arguments["status_callback"] = status_callback
        try:
            message = self._messages.create(**arguments)
        except (TwilioRestException, TwilioServiceException) as error:
            raise self._rejected(error) from error
        except requests.Timeout as error:
            raise SendError(
                f"Twilio did not answer in time: {error}", code="timeout", retryable=True
            ) from error
        except requests.RequestException as error:
            raise SendError(
                f"Could not reach Twilio: {error}", code="connection", retryable=True
            ) from error
        return SendResult(provider_sid=str(message.sid), status=str(message.status))

    def close(self) -> None:
        self._http.close()

    def _rejected(self, error: TwilioRestException | TwilioServiceException) -> SendError:
        if isinstance(error, TwilioServiceException):
            message = error.title + (f": {error.detail}" if error.detail else "")
        else:
            message = str(error.msg)
        code = error.code if isinstance(error.code, int) else None
        retry_after = parse_retry_after(self._http.last_response_headers().get("Retry-After"))
        return classify_http_error(int(error.status), code, message, retry_after)


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delay-seconds or an HTTP date (RFC 9110)."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        seconds = (when - (now or dt.datetime.now(dt.UTC))).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None


class _Parameters:
    """POST parameters as RequestValidator reads them. It asks for `getall(name)` first, and a
    plain dict costs it two exceptions per name; every value of a repeated name is signed."""

    __slots__ = ("_params",)

    def __init__(self, params: Mapping[str, Any]) -> None:
        self._params = params

    def __iter__(self) -> Iterator[str]:
        return iter(self._params)

    def getall(self, name: str) -> list[str]:
        getlist = getattr(self._params, "getlist", None)
        return list(getlist(name)) if getlist is not None else [self._params[name]]


@functools.lru_cache(maxsize=4)
def _validator(auth_token: str) -> RequestValidator:
    return RequestValidator(auth_token)


def signature_is_valid(
    auth_token: str, url: str, params: Mapping[str, Any], signature: str
) -> bool:
    """Whether `signature` (X-Twilio-Signature) is Twilio's for the public `url` and POST `params`
    (a dict, or a MultiDict such as request.form).

    Twilio signs with the account's auth token: HMAC-SHA1 over the URL followed by the POST
    parameters sorted by name (https://www.twilio.com/docs/usage/security#validating-requests).
    The URL exactly as configured is tried first, one HMAC; only when that fails does
    RequestValidator.validate try it with and without the port (two more).
    """
    if not signature:
        return False
    validator = _validator(auth_token)
    signed = _Parameters(params)
    expected = validator.compute_signature(url, signed)
    if hmac.compare_digest(expected.encode(), signature.encode()):
        return True
    return bool(validator.validate(url, signed, signature))
