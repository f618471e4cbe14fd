"""A fake Twilio Messages API on 127.0.0.1, for the real twilio SDK to talk to in tests.

It answers `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` the way Twilio does: HTTP Basic
auth with the account SID and auth token (401, code 20003, otherwise); 201 with the message
resource (an SM… SID, status "accepted" with a Messaging Service, "queued" with a From number);
400 with Twilio's error JSON for invalid (21211), non-mobile (21614) and unsubscribed (21610)
numbers; and, when a test asks, latency, 429 with Retry-After, 500, a random share of 429/500
(seeded, so a run is repeatable) and requests that hang past the client's timeout.

    with FakeTwilio(account_sid, auth_token) as fake:
        fake.invalid_numbers.add("+358401234567")
        fake.script.append(Reply.too_many_requests(retry_after="2"))
        ...  # point FAIRHEAT_TWILIO_API_BASE_URL at fake.url
        assert [m.to for m in fake.messages] == [...]

It listens on loopback only and stops cleanly: open keep-alive connections are shut down, every
handler thread is joined and every socket closed, so warnings-as-errors sees no ResourceWarning.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import datetime as dt
import email.utils
import json
import random
import re
import secrets
import socket
import socketserver
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

MESSAGES_PATH = re.compile(r"/2010-04-01/Accounts/([^/]+)/Messages\.json")
CALLS_PATH = re.compile(r"/2010-04-01/Accounts/([^/]+)/Calls\.json")
RECORDING_PATH = re.compile(r"/2010-04-01/Accounts/([^/]+)/Recordings/([^/]+)\.json")
ERRORS_URL = "https://www.twilio.com/docs/errors/{code}"


@dataclass(frozen=True)
class Reply:
    """A forced answer for one request, queued in FakeTwilio.script (consumed in order)."""

    status: int
    code: int | None = None
    message: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    raw_body: str | bytes | None = None  # a non-JSON body, as a proxy in front of Twilio may answer
    hang_seconds: float = 0.0  # wait this long, then drop the connection without an answer

    @classmethod
    def accept(cls) -> Reply:
        """Handle the request normally (to let some requests through between forced ones)."""
        return cls(201)

    @classmethod
    def error(cls, code: int, message: str, status: int = 400) -> Reply:
        return cls(status, code, message)

    @classmethod
    def too_many_requests(cls, retry_after: str | None = "1") -> Reply:
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        return cls(429, 20429, "Too Many Requests", headers)

    @classmethod
    def server_error(cls, status: int = 500) -> Reply:
        return cls(status, 20500, "An internal server error has occurred")

    @classmethod
    def bad_gateway(cls) -> Reply:
        return cls(502, raw_body="<html><body>502 Bad Gateway</body></html>")

    @classmethod
    def hang(cls, seconds: float = 5.0) -> Reply:
        return cls(0, hang_seconds=seconds)


@dataclass(frozen=True)
class FakeMessage:
    """A message the fake accepted."""

    sid: str
    account_sid: str
    to: str
    body: str
    from_: str | None
    messaging_service_sid: str | None
    status_callback: str | None
    status: str
    date_created: dt.datetime


@dataclass(frozen=True)
class _Answer:
    status: int
    payload: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw_body: str | bytes | None = None
    hang_seconds: float = 0.0


def _twilio_error(status: int, code: int, message: str, **headers: str) -> _Answer:
    payload = {
        "code": code,
        "message": message,
        "more_info": ERRORS_URL.format(code=code),
        "status": status,
    }
    return _Answer(status, payload, dict(headers))


class FakeTwilio:
    def __init__(self, account_sid: str, auth_token: str, *, seed: int = 0) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.seed = seed
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._open_sockets: set[socket.socket] = set()
        self.reset()

    # --- what a test programs -----------------------------------------------------------

    def reset(self) -> None:
        """Forget messages, counters and everything programmed (for a fake shared by tests)."""
        with self._lock:
            self.invalid_numbers: set[str] = set()
            self.not_mobile_numbers: set[str] = set()
            self.opted_out_numbers: set[str] = set()
            self.latency_ms: float = 0.0
            self.failure_rate: float = 0.0  # share of requests answered 429 or 500
            self.retry_after: str | None = "1"  # on the 429s of failure_rate
            self.script: collections.deque[Reply] = collections.deque()
            self._rng = random.Random(self.seed)
            self._messages: list[FakeMessage] = []
            self._requests = 0
            self._connections = 0
            self.errors: list[BaseException] = []  # unexpected exceptions in handler threads
            # Voice: the calls GET Calls.json lists (add_call), recordings DELETE removed.
            self._calls: list[dict[str, Any]] = []
            self.recordings: set[str] = set()
            self.deleted_recordings: list[str] = []

    @property
    def messages(self) -> list[FakeMessage]:
        """The accepted messages, in order of acceptance (a copy)."""
        with self._lock:
            return list(self._messages)

    def add_call(
        self,
        sid: str,
        *,
        from_: str,
        to: str,
        status: str = "completed",
        start_time: dt.datetime | None = None,
        duration: int = 0,
        direction: str = "inbound",
        parent_call_sid: str | None = None,
    ) -> None:
        """A call Twilio knows of, for GET Calls.json (the emergency line's reconciliation)."""
        start = (start_time or dt.datetime.now(dt.UTC)).replace(microsecond=0)
        with self._lock:
            self._calls.append(
                {
                    "sid": sid,
                    "account_sid": self.account_sid,
                    "from": from_,
                    "to": to,
                    "status": status,
                    "direction": direction,
                    "parent_call_sid": parent_call_sid,
                    "duration": str(duration),
                    "start_time": email.utils.format_datetime(start),
                    "date_created": email.utils.format_datetime(start),
                    "_start": start,
                }
            )

    def _list_calls(self, query: dict[str, str]) -> _Answer:
        after = query.get("StartTime>")
        since = dt.datetime.fromisoformat(after.replace("Z", "+00:00")) if after else None
        parent = query.get("ParentCallSid")
        with self._lock:
            found = [
                {k: v for k, v in call.items() if k != "_start"}
                for call in self._calls
                if (since is None or call["_start"] >= since)
                and (parent is None or call["parent_call_sid"] == parent)
            ]
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Calls.json"
        return _Answer(
            200,
            {
                "calls": found,
                "first_page_uri": uri,
                "next_page_uri": None,
                "previous_page_uri": None,
                "page": 0,
                "page_size": len(found) or 50,
                "start": 0,
                "end": max(len(found) - 1, 0),
                "uri": uri,
            },
        )

    @property
    def requests(self) -> int:
        """HTTP requests received, answered or not."""
        with self._lock:
            return self._requests

    @property
    def connections(self) -> int:
        """TCP connections accepted: far fewer than requests when the client reuses them."""
        with self._lock:
            return self._connections

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeTwilio is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # --- lifecycle --------------------------------------------------------------------

    def start(self) -> FakeTwilio:
        if self._server is not None:
            raise RuntimeError("FakeTwilio is already started")
        self._stopping.clear()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-twilio",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._stopping.set()  # wakes handlers waiting out latency or a hang
        server.shutdown()  # no new connections after this returns
        with self._lock:
            still_open = list(self._open_sockets)
        for sock in still_open:  # wake handlers waiting for the next keep-alive request
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        server.server_close()  # closes the listening socket and joins every handler thread
        thread.join()
        self._server = self._thread = None

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- serving ----------------------------------------------------------------------

    def _connection_opened(self, sock: socket.socket) -> None:
        with self._lock:
            self._connections += 1
            self._open_sockets.add(sock)

    def _connection_closed(self, sock: socket.socket) -> None:
        with self._lock:
            self._open_sockets.discard(sock)

    def _answer(self, path: str, authorization: str | None, form: dict[str, str]) -> _Answer:
        with self._lock:
            self._requests += 1
            latency = self.latency_ms
        if latency > 0:
            self._stopping.wait(latency / 1000)

        if not self._authorized(authorization):
            return _twilio_error(
                401, 20003, "Authenticate", **{"WWW-Authenticate": 'Basic realm="Twilio API"'}
            )
        found = MESSAGES_PATH.fullmatch(path)
        if found is None or found.group(1) != self.account_sid:
            return _twilio_error(404, 20404, f"The requested resource {path} was not found")

        with self._lock:
            forced = self.script.popleft() if self.script else None
            if forced is None and self.failure_rate > 0 and self._rng.random() < self.failure_rate:
                if self._rng.random() < 0.5:
                    forced = Reply.too_many_requests(self.retry_after)
                else:
                    forced = Reply.server_error()
        if forced is not None and forced.status != 201:
            if forced.hang_seconds or forced.raw_body is not None or forced.code is None:
                return _Answer(
                    forced.status, None, forced.headers, forced.raw_body, forced.hang_seconds
                )
            return _twilio_error(forced.status, forced.code, forced.message, **forced.headers)
        return self._create_message(form)

    def _authorized(self, authorization: str | None) -> bool:
        if not authorization or not authorization.startswith("Basic "):
            return False
        try:
            decoded = base64.b64decode(authorization[6:], validate=True).decode()
        except ValueError:
            return False
        user, _, password = decoded.partition(":")
        expected = f"{self.account_sid}:{self.auth_token}"
        return secrets.compare_digest(f"{user}:{password}".encode(), expected.encode())

    def _create_message(self, form: dict[str, str]) -> _Answer:
        to = form.get("To", "")
        body = form.get("Body", "")
        from_ = form.get("From") or None
        service_sid = form.get("MessagingServiceSid") or None
        if not to:
            return _twilio_error(400, 21604, "A 'To' phone number is required.")
        if not body:
            return _twilio_error(400, 21602, "Message body is required.")
        if not (from_ or service_sid):
            return _twilio_error(400, 21603, "A 'From' phone number is required.")
        if to in self.invalid_numbers:
            return _twilio_error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if to in self.not_mobile_numbers:
            return _twilio_error(400, 21614, f"'To' number {to} is not a valid mobile number")
        if to in self.opted_out_numbers:
            return _twilio_error(400, 21610, "Attempt to send to unsubscribed recipient")

        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        message = FakeMessage(
            sid="SM" + secrets.token_hex(16),
            account_sid=self.account_sid,
            to=to,
            body=body,
            from_=from_,
            messaging_service_sid=service_sid,
            status_callback=form.get("StatusCallback") or None,
            # Twilio: "accepted" when a Messaging Service will pick the sender, else "queued".
            status="accepted" if service_sid and not from_ else "queued",
            date_created=now,
        )
        with self._lock:
            self._messages.append(message)
        return _Answer(201, self._resource(message))

    def _resource(self, message: FakeMessage) -> dict[str, Any]:
        uri = f"/2010-04-01/Accounts/{message.account_sid}/Messages/{message.sid}"
        created = email.utils.format_datetime(message.date_created)
        return {
            "account_sid": message.account_sid,
            "api_version": "2010-04-01",
            "body": message.body,
            "date_created": created,
            "date_sent": None,
            "date_updated": created,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": message.from_,
            "messaging_service_sid": message.messaging_service_sid,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": message.sid,
            "status": message.status,
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": message.to,
            "uri": f"{uri}.json",
        }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = True  # server_close() joins the handler threads
    # A dispatcher opens up to 128 connections at once; socketserver's default listen backlog
    # of 5 would refuse some of them, which Twilio's API never does.
    request_queue_size = 256

    def __init__(self, fake: FakeTwilio) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would look the host name up (getfqdn); loopback needs none.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        self.fake._connection_opened(sock)
        return sock, address

    def shutdown_request(self, request: Any) -> None:
        self.fake._connection_closed(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return  # the client went away (it timed out, or the fake is stopping)
        if error is not None:
            with self.fake._lock:
                self.fake.errors.append(error)
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, as Twilio's API: clients may reuse connections
    timeout = 30  # an idle keep-alive connection is dropped after this many seconds
    # Headers and body leave in two writes; with Nagle on, the body would wait for the client's
    # delayed ACK (40 ms on Linux) and every answer would look slow.
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        form = {key: values[-1] for key, values in parse_qs(raw, keep_blank_values=True).items()}
        path = urlsplit(self.path).path
        self._send(self.server.fake._answer(path, self.headers.get("Authorization"), form))

    def do_GET(self) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        found = CALLS_PATH.fullmatch(parts.path)
        if found is None or found.group(1) != fake.account_sid:
            self._send(
                _twilio_error(404, 20404, f"The requested resource {self.path} was not found")
            )
            return
        if not fake._authorized(self.headers.get("Authorization")):
            self._send(_twilio_error(401, 20003, "Authenticate"))
            return
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        self._send(fake._list_calls(query))

    def do_DELETE(self) -> None:
        fake = self.server.fake
        found = RECORDING_PATH.fullmatch(urlsplit(self.path).path)
        if found is None or not fake._authorized(self.headers.get("Authorization")):
            self._send(
                _twilio_error(404, 20404, f"The requested resource {self.path} was not found")
            )
            return
        sid = found.group(2)
        with fake._lock:
            known = sid in fake.recordings
            fake.recordings.discard(sid)
            if known:
                fake.deleted_recordings.append(sid)
        if not known:
            self._send(
                _twilio_error(404, 20404, f"The requested resource {self.path} was not found")
            )
            return
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, answer: _Answer) -> None:
        if answer.hang_seconds:
            self.server.fake._stopping.wait(answer.hang_seconds)
            self.close_connection = True  # no answer at all: the client times out
            return
        if answer.raw_body is not None:
            raw = answer.raw_body
            data, content_type = raw if isinstance(raw, bytes) else raw.encode(), "text/html"
        else:
            data, content_type = json.dumps(answer.payload).encode(), "application/json"
        self.send_response(answer.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests assert on fake.messages and fake.requests instead."""
