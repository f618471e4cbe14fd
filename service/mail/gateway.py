"""The e-mail gateway the dispatcher sends through, the message it sends, and the backend
chosen by settings.

Backends (FAIRHEAT_EMAIL_BACKEND): `console` sends nothing (the outbox rows are listed on the
development page /dev/mail and each message is logged); `smtp` hands messages to an SMTP server
with the standard library (service/mail/smtp_backend.py), one connection reused for a batch.

`send` either returns (the server accepted the message) or raises MailSendError, which says
whether sending the same message again later may succeed and whether the server itself is out
of reach (then the rest of the batch waits too).
"""

from __future__ import annotations

import binascii
import datetime as dt
import email.utils
import functools
import hashlib
import quopri
import secrets
from dataclasses import dataclass
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from config.settings import Settings


class MailSendError(Exception):
    """The server did not accept the message.

    `permanent`: sending it again would fail the same way (a 5xx answer: unknown mailbox,
    message refused). Otherwise the failure is temporary (a 4xx answer such as greylisting,
    a timeout, a refused or dropped connection) and the message is retried with backoff.
    `unreachable`: the server could not be reached or would not let us in (connect, TLS, login);
    nothing is known about this message, and no other message would get through either.
    """

    def __init__(self, message: str, *, permanent: bool = False, unreachable: bool = False):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.unreachable = unreachable

    def __repr__(self) -> str:
        return (
            f"MailSendError(permanent={self.permanent}, unreachable={self.unreachable}, "
            f"message={self.message!r})"
        )


class MailGateway(Protocol):
    """What the dispatcher needs from a backend; used by one thread at a time."""

    name: str

    def send(self, message: Message | RawEmail) -> None:
        """Hand one message to the server; raise MailSendError when it is not accepted."""
        ...

    def close(self) -> None:
        """Release the connection; the gateway is not used afterwards."""
        ...


def message_id(outbox_id: int, event_key: str, from_address: str) -> str:
    """A Message-ID that stays the same across retries of one outbox row.

    A receiver that got the message although our connection broke before its answer came can
    recognise the retry as the same message.
    """
    digest = hashlib.sha256(event_key.encode()).hexdigest()[:16]
    domain = from_address.rpartition("@")[2]
    return f"<fairheat.{outbox_id}.{digest}@{domain}>"


def _text_part(text: str, subtype: str) -> MIMENonMultipart:
    """UTF-8 text, quoted-printable: ä, ö, ą, ę, ł pass any 7-bit server, lines stay short."""
    part = MIMENonMultipart("text", subtype, charset="utf-8")
    part["Content-Transfer-Encoding"] = "quoted-printable"
    part.set_payload(quopri.encodestring(text.encode("utf-8")).decode("ascii"))
    return part


def compose_email(
    settings: Settings,
    *,
    to: str,
    subject: str,
    body: str,
    language: str,
    message_id: str,
    date: dt.datetime,
    html: str | None = None,
    list_unsubscribe: str | None = None,
) -> Message:
    """A plain-text UTF-8 message (multipart/alternative with `html`), ready for any SMTP server.

    Non-ASCII headers (the utility's name in From, the subject) are RFC 2047 encoded and the
    body is quoted-printable, so ä, ö, ą, ę, ł survive servers without 8BITMIME. It is marked
    `Auto-Submitted: auto-generated` (RFC 3834) so that vacation responders do not answer it.
    Built with the standard library's compat32 MIME classes: the same message as with the
    header-registry API at a sixth of the CPU (3.3 ms to 0.5 ms a message composed and
    flattened), which bounds how fast one dispatcher can mail a large notice
    (bench/email_fanout.py).
    """
    message: Message
    if html is None:
        message = _text_part(body, "plain")
    else:
        message = MIMEMultipart("alternative")
        message.attach(_text_part(body, "plain"))
        message.attach(_text_part(html, "html"))
    message["From"] = email.utils.formataddr(
        (settings.utility_name, settings.mail.from_address), charset="utf-8"
    )
    message["To"] = to
    message["Subject"] = (
        subject if subject.isascii() else Header(subject, "utf-8", header_name="Subject").encode()
    )
    message["Date"] = email.utils.format_datetime(date)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message["Content-Language"] = language
    if list_unsubscribe:
        # RFC 2369 and RFC 8058 one-click: mail clients show an unsubscribe button.
        message["List-Unsubscribe"] = f"<{list_unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message


@dataclass(frozen=True)
class RawEmail:
    """A message already in its wire form, for the dispatcher's hot path.

    `compose_raw` writes the same headers and encodings as `compose_email` straight to bytes
    (RFC 2047 words for non-ASCII headers, quoted-printable UTF-8 parts, CRLF): the dispatcher
    then spends about a tenth of a millisecond a message on it instead of a millisecond or two
    building and flattening an email.message tree, which bounds how fast one dispatcher mails
    30,000 contacts (bench/email_fanout.py).
    """

    sender: str
    to: str
    subject: str
    data: bytes

    def __getitem__(self, name: str) -> str:  # what the console backend logs
        return {"To": self.to, "Subject": self.subject}.get(name, "")


def _qp(text: str) -> bytes:
    # b2a_qp encodes "=", non-ASCII and trailing blanks and keeps lines within 76 characters.
    encoded = binascii.b2a_qp(text.encode("utf-8"), istext=True)
    return encoded.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _part_headers(subtype: str) -> bytes:
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    ).encode("ascii")


def _header_value(value: str) -> str:
    value = " ".join(value.split())  # one line: no CR/LF can reach the header block
    return value if value.isascii() else Header(value, "utf-8").encode()


def compose_raw(
    settings: Settings,
    *,
    to: str,
    subject: str,
    body: str,
    language: str,
    message_id: str,
    date: dt.datetime,
    html: str | None = None,
    list_unsubscribe: str | None = None,
) -> RawEmail:
    """The message compose_email builds, as bytes on the wire (see RawEmail)."""
    sender = settings.mail.from_address
    headers = [
        f"From: {_from_header(settings.utility_name, sender)}",
        f"To: {' '.join(to.split())}",
        f"Subject: {_header_value(subject)}",
        f"Date: {email.utils.format_datetime(date)}",
        f"Message-ID: {message_id}",
        "Auto-Submitted: auto-generated",
        f"Content-Language: {language}",
        "MIME-Version: 1.0",
    ]
    if list_unsubscribe:
        headers.append(f"List-Unsubscribe: <{' '.join(list_unsubscribe.split())}>")
        headers.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
    head = "\r\n".join(headers).encode("ascii") + b"\r\n"
    if html is None:
        data = head + _part_headers("plain") + _qp(body)
    else:
        boundary = f"=_fairheat_{secrets.token_hex(12)}"  # "=_" never occurs in QP text
        mark = f"--{boundary}\r\n".encode("ascii")
        data = (
            head
            + f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'.encode()
            + mark + _part_headers("plain") + _qp(body) + b"\r\n"
            + mark + _part_headers("html") + _qp(html) + b"\r\n"
            + f"--{boundary}--\r\n".encode("ascii")
        )  # fmt: skip
    return RawEmail(sender=sender, to=to, subject=subject, data=data)


@functools.lru_cache(maxsize=8)
def _from_header(name: str, address: str) -> str:
    return email.utils.formataddr((name, address), charset="utf-8")


def gateway_from_settings(settings: Settings) -> MailGateway:
    """The backend FAIRHEAT_EMAIL_BACKEND names (the SMTP one connects on its first send)."""
    if settings.mail.backend == "smtp":
        from service.mail.smtp_backend import SmtpGateway

        return SmtpGateway(settings.mail)
    if settings.mail.backend == "console":
        from service.mail.console import ConsoleGateway

        return ConsoleGateway()
    raise ValueError(f"unknown e-mail backend {settings.mail.backend!r}")
