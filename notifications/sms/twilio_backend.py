"""The Twilio SMS backend: Twilio's Messages API through the official SDK.

The only module that sends through `twilio`; gateway.py imports it lazily when the backend is
twilio. Webhook signatures are checked by service/webhooks.py (with the SDK's RequestValidator,
imported there when a webhook arrives), for SMS and Voice alike.

Where requests go: the SDK builds every Messages URL from the `base_url` of its `api` domain
(`twilio.base.domain.Domain.absolute_url`: base_url + "/2010-04-01/Accounts/{sid}/Messages.json").
Setting `client.api.base_url` to FAIRHEAT_TWILIO_API_BASE_URL therefore sends them to a compatible
endpoint (the fake Twilio of the tests, a regional proxy); a path prefix in the URL is kept. The
SDK would still rewrite the host for TWILIO_EDGE / TWILIO_REGION, which it reads from the process
environment by itself; both are cleared, so configuration stays in config/ (a region is chosen by
its URL, e.g. https://api.dublin.ie1.twilio.com).

How: the SDK's asynchronous API (`messages.create_async`) over aiohttp, on one event loop that the
gateway runs in its own thread. `submit` hands a message to that loop and returns a Future at
once; `send` waits for it. Hundreds of sends are in flight over a pool of keep-alive connections
without a thread each: a send costs about a third of the CPU it cost through requests and a
thread pool (measured: 0.32 against 0.87 ms), which is what lets one dispatcher keep up with a
rate of 1,000 a second (bench/fanout.py).

The network settings of the process are read once, in the constructor, with the same rules as
the requests library (which the SDK's default client uses): the outbound proxy the environment
names for the API's URL (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, minus NO_PROXY, address ranges
included), and the CA bundle REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE names (a file or a directory),
else certifi's.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import email.utils
import functools
import logging
import math
import os
import ssl
import threading
from collections.abc import Mapping
from concurrent.futures import Future
from urllib.parse import urlsplit

import aiohttp
import certifi
import requests.utils
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http import AsyncHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from config.sms_settings import SmsSettings
from notifications.sms.gateway import SendError, SendResult, classify_http_error

# Seconds, for connecting and for each read; Twilio answers in well under a second.
DEFAULT_TIMEOUT = 10.0
# Connections kept open to the API (keep-alive, reused). Sends beyond it wait for a free one;
# the dispatcher keeps at most two batches in flight.
DEFAULT_MAX_CONNECTIONS = 128
_log = logging.getLogger("twilio.http_client")


def environment_proxy(url: str) -> str | None:
    """The outbound proxy the process environment names for `url`, or None (NO_PROXY)."""
    proxies = requests.utils.get_environ_proxies(url)
    return proxies.get(urlsplit(url).scheme) or proxies.get("all")


def _tls_context() -> ssl.SSLContext:
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle and os.path.isdir(bundle):
        return ssl.create_default_context(capath=bundle)
    return ssl.create_default_context(cafile=bundle or certifi.where())


@functools.lru_cache(maxsize=4)
def _basic_auth(login: str, password: str) -> str:
    return aiohttp.encode_basic_auth(login, password)


class _AiohttpClient(AsyncHttpClient):
    """The SDK's HTTP client interface over one aiohttp session, made on the gateway's loop.

    TwilioRestException carries no response headers, so each send's response headers are kept
    in a context variable (one context per send) to read Retry-After when it fails.
    """

    def __init__(self, *, timeout: float, max_connections: int, base_url: str) -> None:
        super().__init__(logger=_log, is_async=True, timeout=timeout)
        self._timeouts = aiohttp.ClientTimeout(total=None, sock_connect=timeout, sock_read=timeout)
        self._max_connections = max_connections
        self.proxy = environment_proxy(base_url)
        self._tls = _tls_context() if urlsplit(base_url).scheme == "https" else None
        self._session: aiohttp.ClientSession | None = None
        self.last_headers: contextvars.ContextVar[Mapping[str, str] | None] = (
            contextvars.ContextVar("twilio_response_headers", default=None)
        )

    def _session_on_loop(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self._max_connections, ssl=self._tls if self._tls is not None else True
            )
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=self._timeouts, trust_env=False
            )
        return self._session

    async def request(
        self,
        method: str,
        uri: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        if auth:
            headers = {**(headers or {}), "Authorization": _basic_auth(*auth)}
        async with self._session_on_loop().request(
            method.upper(),
            uri,
            params=params,  # type: ignore[arg-type]
            data=data,
            headers=headers,
            allow_redirects=allow_redirects,
            proxy=self.proxy,
        ) as answer:
            self.last_headers.set(answer.headers)  # first: Retry-After counts whatever the body
            body = await answer.read()
        # Twilio answers JSON in UTF-8; a proxy's error page may be anything, and must still
        # become the SDK's error for its status, not a decoding error.
        text = body.decode(answer.charset or "utf-8", errors="replace")
        return Response(answer.status, text, answer.headers)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class TwilioGateway:
    name = "twilio"

    def __init__(
        self,
        sms: SmsSettings,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
    ) -> None:
        self.base_url: str = sms.twilio_api_base_url
        self._http = _AiohttpClient(
            timeout=timeout, max_connections=max_connections, base_url=self.base_url
        )
        client = Client(sms.twilio_account_sid, sms.twilio_auth_token, http_client=self._http)
        client.edge = None
        client.region = None
        client.api.base_url = self.base_url
        self._messages = client.messages  # resolved once: the SDK builds it lazily
        if sms.twilio_messaging_service_sid:
            self._sender = {"messaging_service_sid": sms.twilio_messaging_service_sid}
        else:
            self._sender = {"from_": sms.twilio_from_number}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="twilio-sends", daemon=True
        )
        self._thread.start()
        self._closed = False
        self._lifecycle = threading.Lock()

    @property
    def proxy(self) -> str | None:
        return self._http.proxy

    def submit(
        self, to: str, body: str, *, status_callback: str | None = None
    ) -> Future[SendResult]:
        """Start sending one message; the Future gives the SendResult or raises SendError."""
        with self._lifecycle:
            if not self._closed:
                return asyncio.run_coroutine_threadsafe(
                    self._send(to, body, status_callback), self._loop
                )
        refused: Future[SendResult] = Future()
        refused.set_exception(SendError("the gateway is closed", code="closed", retryable=True))
        return refused

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> SendResult:
        return self.submit(to, body, status_callback=status_callback).result()

    async def _send(self, to: str, body: str, status_callback: str | None) -> SendResult:
        arguments: dict[str, str] = {"to": to, "body": body, **self._sender}
        if status_callback:
            arguments["status_callback"] = status_callback
        try:
            message = await self._messages.create_async(**arguments)
        except (TwilioRestException, TwilioServiceException) as error:
            raise self._rejected(error) from error
        except TimeoutError as error:  # aiohttp's read and connect timeouts are TimeoutErrors
            raise SendError(
                f"Twilio did not answer in time: {error!r}", code="timeout", retryable=True
            ) from error
        except aiohttp.ClientError as error:
            raise SendError(
                f"Could not reach Twilio: {error}", code="connection", retryable=True
            ) from error
        return SendResult(provider_sid=str(message.sid), status=str(message.status))

    def close(self, timeout: float = DEFAULT_TIMEOUT * 2) -> None:
        """Let the sends in flight finish (up to `timeout` seconds; the rest are cancelled and
        their Futures say so), then close the connections and stop the loop."""
        with self._lifecycle:
            if self._closed:
                return
            self._closed = True
        asyncio.run_coroutine_threadsafe(self._shut_down(timeout), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    async def _shut_down(self, timeout: float) -> None:
        sending = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        if sending:
            _, late = await asyncio.wait(sending, timeout=timeout)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        await self._http.close()

    def _rejected(self, error: TwilioRestException | TwilioServiceException) -> SendError:
        if isinstance(error, TwilioServiceException):
            message = error.title + (f": {error.detail}" if error.detail else "")
        else:
            message = str(error.msg)
        code = error.code if isinstance(error.code, int) else None
        headers = self._http.last_headers.get() or {}
        retry_after = parse_retry_after(headers.get("Retry-After"))
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
