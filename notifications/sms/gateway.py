"""The SMS gateway interface the dispatcher sends through, and the backend chosen by settings.

Backends (FAIRHEAT_SMS_BACKEND): `console` stores each message for the development page
/dev/sms instead of sending it; `twilio` sends through Twilio's Messages API with the real SDK,
which is imported in notifications/sms/twilio_backend.py only.

The dispatcher starts sends with `submit`, which returns a Future at once, and has many in flight;
`send` waits for one. Either gives a SendResult (the provider accepted the message) or raises
SendError, which says whether sending the same message again later may succeed (`retryable`).
Both may be called from several threads at once.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from flask import Flask

    from config.settings import Settings


@dataclass(frozen=True)
class SendResult:
    """The provider accepted the message."""

    provider_sid: str  # Twilio's message SID (SM…): status callbacks name the message by it
    status: str  # the provider's initial status: "queued", "accepted" (Messaging Service), "sent"


class SendError(Exception):
    """The provider did not accept the message.

    `code` is Twilio's error code as a string ("21211"), or "http-<status>" when the answer
    carried no Twilio code, or "timeout" / "connection" when no answer came. `retryable` is
    True for rate limiting (429), server errors (5xx), timeouts and connection failures, False for
    every other answer (invalid, non-mobile or unsubscribed number, bad credentials…): sending the
    same request again would fail the same way. `opted_out` marks Twilio 21610, the recipient
    replied STOP. `retry_after` is the wait in seconds the provider asked for (Retry-After).

    A timeout is retryable although the provider may have accepted the message before the answer
    was lost: Twilio has no idempotency key for Messages, so a retry may deliver it twice. That
    is the price of never losing a notice; duplicates stay bounded by what was in flight.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        retryable: bool = False,
        opted_out: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.retryable = retryable
        self.opted_out = opted_out
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return (
            f"SendError(code={self.code!r}, retryable={self.retryable}, "
            f"opted_out={self.opted_out}, retry_after={self.retry_after!r}, "
            f"message={self.message!r})"
        )


class SmsGateway(Protocol):
    """What the dispatcher needs from a backend; safe to call from several threads."""

    name: str

    def submit(
        self, to: str, body: str, *, status_callback: str | None = None
    ) -> Future[SendResult]:
        """Start handing one message to the provider; the Future raises SendError when it is
        not accepted."""
        ...

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> SendResult:
        """Hand one message to the provider and wait; raise SendError when it is not accepted."""
        ...

    def close(self) -> None:
        """Release connections; the gateway is not used afterwards."""
        ...


# Twilio error codes: https://www.twilio.com/docs/api/errors
OPTED_OUT_CODE = 21610  # "Attempt to send to unsubscribed recipient": the recipient sent STOP


def classify_http_error(
    status: int,
    twilio_code: int | None,
    message: str,
    retry_after: float | None = None,
) -> SendError:
    """Turn an HTTP error answer of the provider into a SendError.

    429 and 5xx are retryable: the provider is busy or broken, the message is fine. Every other
    4xx is permanent, among them Twilio 21211 (invalid 'To' number), 21614 (not a mobile
    number), 21408 (no permission to send to the region), 21612 (cannot route to this number)
    and 21610 (unsubscribed recipient, also `opted_out`).
    """
    has_code = twilio_code is not None and twilio_code != status
    code = str(twilio_code) if has_code else f"http-{status}"
    retryable = status == 429 or status >= 500
    return SendError(
        message,
        code=code,
        retryable=retryable,
        opted_out=has_code and twilio_code == OPTED_OUT_CODE,
        retry_after=retry_after if retryable else None,
    )


def gateway_from_settings(settings: Settings, *, app: Flask | None = None) -> SmsGateway:
    """The backend FAIRHEAT_SMS_BACKEND names.

    The console backend writes to the database of `app` (default: the current app, so call this
    inside an app context or pass the app). The twilio module is imported here, lazily, so that
    the SDK is loaded only where it is used and only by twilio_backend.py.
    """
    if settings.sms.backend == "twilio":
        from notifications.sms.twilio_backend import TwilioGateway

        return TwilioGateway(settings.sms)
    if settings.sms.backend == "console":
        from flask import current_app

        from notifications.sms.console import ConsoleGateway

        if app is None:
            app = current_app._get_current_object()  # type: ignore[attr-defined]
        return ConsoleGateway(app)
    raise ValueError(f"unknown SMS backend {settings.sms.backend!r}")
