"""A real SMTP server on 127.0.0.1 (aiosmtpd), for the e-mail dispatcher to talk to in tests.

It records every message it accepts, parsed with the standard library, and answers a refusal
for the recipients a test names, once or every time:

    with SmtpServer() as server:
        server.refuse("greylisted@example.fi", "451 4.7.1 Greylisted, try again later", times=1)
        server.refuse("nobody@example.fi", "550 5.1.1 No such user")
        ...  # point FAIRHEAT_SMTP_HOST/PORT at server.host/server.port
        assert [m.rcpt_tos for m in server.messages] == [...]

With `credentials` it offers AUTH PLAIN/LOGIN without TLS and accepts only that user and
password. A port that nothing listens on (for "the server is down") comes from `free_port()`.
"""

from __future__ import annotations

import email
import email.message
import email.policy
import socket
import threading
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the moment of asking)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes  # as the server received it (DATA)
    message: email.message.EmailMessage  # parsed with email.policy.default: decoded headers

    @property
    def body(self) -> str:
        """The decoded text of the plain-text body, with the wire's CRLF line ends as \\n."""
        part = self.message.get_body(("plain",))
        assert part is not None
        return str(part.get_content()).replace("\r\n", "\n")  # type: ignore[attr-defined]


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: list[str]
    ) -> str:
        if self.server.credentials is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        reply = self.server._reply_for(address)
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        self.server._accept(Received(envelope.mail_from, list(envelope.rcpt_tos), raw, parsed))
        return "250 2.0.0 Message accepted for delivery"


class SmtpServer:
    def __init__(self, credentials: tuple[str, str] | None = None, port: int | None = None) -> None:
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.credentials = credentials
        self._lock = threading.Lock()
        self._controller: Controller | None = None
        self.reset()

    def reset(self) -> None:
        """Forget messages and refusals (for a server shared by the tests of a module)."""
        with self._lock:
            self._messages: list[Received] = []
            self._refusals: dict[str, tuple[str, int | None]] = {}  # reply, times left
            self.logins = 0

    def refuse(self, address: str, reply: str, times: int | None = None) -> None:
        """Answer RCPT TO:<address> with `reply` ("451 …", "550 …"), `times` times or always."""
        with self._lock:
            self._refusals[address.lower()] = (reply, times)

    @property
    def messages(self) -> list[Received]:
        """The accepted messages, in order (a copy)."""
        with self._lock:
            return list(self._messages)

    def _reply_for(self, address: str) -> str | None:
        key = address.lower()
        with self._lock:
            if key not in self._refusals:
                return None
            reply, left = self._refusals[key]
            if left is not None:
                if left <= 1:
                    del self._refusals[key]
                else:
                    self._refusals[key] = (reply, left - 1)
            return reply

    def _accept(self, received: Received) -> None:
        with self._lock:
            self._messages.append(received)

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert self.credentials is not None
        user, password = self.credentials
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
        ok = ok and auth_data.password.decode() == password
        if ok:
            with self._lock:
                self.logins += 1
        return AuthResult(success=ok, handled=False)

    def start(self) -> SmtpServer:
        options: dict[str, Any] = {}
        if self.credentials is not None:
            options = {
                "authenticator": self._authenticate,
                # Loopback only. AUTH is required by handle_MAIL rather than aiosmtpd's
                # auth_required, which warns about AUTH without TLS.
                "auth_require_tls": False,
            }
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port, **options)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
