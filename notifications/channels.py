"""One person, told by the channels they gave: an SMS and/or an e-mail, in their language.

For messages to someone who is not an SMS subscriber: the customer of a feedback case, the
caller of the emergency line, the applicant of a connection request. The caller says who
(`Contact`: e-mail and/or phone, language, the channel they prefer) and what (`render`, a
function returning the `PersonMessage`); `notify_person` renders it under
`force_locale(contact.language)`, so every gettext inside speaks the person's language, and
queues the SMS in the SMS outbox (notifications/sms/outbox.py) and the e-mail in the mail outbox
(service/mail). Both are rows in the caller's transaction: nothing is committed here, and a
rollback leaves no message behind.

Which channels: with `every_channel`, each one the person can be reached on (an
acknowledgement); otherwise one, the preferred if possible, else the other. An SMS needs a
mobile number (a landline given for a call back gets none) and an SMS text; an e-mail an address
and a subject and body. No contact, no message, and no error: the caller records what was used.

`event_key` makes the messages idempotent: the SMS is queued under "<event_key>:sms" and the
e-mail under "<event_key>:email", and a key already queued adds nothing (a retried request
tells nobody twice). A key is at most 116 characters (the SMS outbox keeps 120, with ":sms").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import marshmallow as ma
from flask_babel import force_locale

from config.settings import SUPPORTED_LANGUAGES
from notifications.sms.outbox import send_text_message
from service.extensions import db
from service.mail import enqueue_email
from service.phones import mobile_number

Channel = Literal["email", "sms"]
MAX_EVENT_KEY = 116  # OutboxMessage.event_key holds 120, and ":sms" is added


@dataclass(frozen=True)
class Contact:
    """How to reach a person. `phone` as typed or E.164; `prefers` decides when one is enough."""

    language: str
    email: str | None = None
    phone: str | None = None
    prefers: Channel = "email"


@dataclass(frozen=True)
class PersonMessage:
    """The texts, already in the person's language. Either may be missing (that channel is not
    used); an e-mail needs both its subject and its body."""

    sms: str | None = None
    email_subject: str | None = None
    email_body: str | None = None

    def __post_init__(self) -> None:
        if (self.email_subject is None) != (self.email_body is None):
            raise ValueError("an e-mail needs both a subject and a body")


def sms_number(contact: Contact) -> str | None:
    """The E.164 mobile number to text, or None (no phone, or a landline)."""
    if not contact.phone:
        return None
    try:
        return mobile_number(contact.phone)
    except ma.ValidationError:  # a landline: fine for a call back, not for a text message
        return None


def reachable_channels(
    contact: Contact, *, every_channel: bool, sms: bool = True, email: bool = True
) -> list[Channel]:
    """The channels a message goes by, e-mail first: every one the person has (`every_channel`),
    or the preferred one, else the other. `sms` / `email`: whether the message has that text."""
    return _choose(
        contact,
        every_channel=every_channel,
        has_email=email and bool(contact.email),
        has_sms=sms and sms_number(contact) is not None,
    )


def _choose(
    contact: Contact, *, every_channel: bool, has_email: bool, has_sms: bool
) -> list[Channel]:
    chosen: list[Channel] = []
    if has_email and (every_channel or contact.prefers == "email" or not has_sms):
        chosen.append("email")
    if has_sms and (every_channel or contact.prefers == "sms" or not has_email):
        chosen.append("sms")
    return chosen


def notify_person(
    contact: Contact,
    *,
    event_key: str,
    render: Callable[[], PersonMessage],
    every_channel: bool = False,
    reference: str | None = None,
    fresh_key: bool = False,
) -> list[Channel]:
    """Queue the message to `contact` in the caller's transaction; the channels used.

    `render` is called once, under force_locale(contact.language). `reference` (e.g. a case
    reference) is kept with the e-mail. A language other than fi, sv, en, pl, a key longer than
    MAX_EVENT_KEY or an e-mail address that is not one is a programming error (ValueError).
    `fresh_key`: the caller vouches that nothing can be queued under `event_key` yet (it names a
    row created in this very transaction, e.g. a new case's acknowledgement); the look-ups that
    make a repeated key add nothing are skipped (the outbox's unique keys still stand guard).
    """
    if contact.language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"unsupported language {contact.language!r}")
    if len(event_key) > MAX_EVENT_KEY:
        raise ValueError(f"event_key is longer than {MAX_EVENT_KEY} characters")
    with force_locale(contact.language):
        message = render()
    number = sms_number(contact) if message.sms is not None else None
    chosen = _choose(
        contact,
        every_channel=every_channel,
        has_email=bool(contact.email) and message.email_subject is not None,
        has_sms=number is not None,
    )
    with db.session.no_autoflush:  # the outbox checks need not flush the caller's rows again
        if "email" in chosen and contact.email and message.email_subject is not None:
            enqueue_email(
                event_key=f"{event_key}:email",
                to=contact.email,
                subject=message.email_subject,
                body=message.email_body or "",
                language=contact.language,
                reference=reference,
                fresh_key=fresh_key,
            )
        if "sms" in chosen and number and message.sms is not None:
            send_text_message(
                event_key=f"{event_key}:sms",
                phone=number,
                language=contact.language,
                body=message.sms,
                fresh_key=fresh_key,
            )
    return chosen
