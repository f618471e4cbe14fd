"""Writing e-mail to the outbox, in the caller's transaction.

`enqueue_email` never sends and never commits: the caller commits its event and its e-mail
together, or neither, and the dispatcher sends the row later; a crash never loses a queued
message.
"""

from __future__ import annotations

import sqlalchemy as sa

from config.mail_settings import is_email_address
from config.settings import SUPPORTED_LANGUAGES
from service.db import utcnow
from service.extensions import db
from service.inserts import insert_rows
from service.mail.models import EmailMessage, EmailStatus


def enqueue_email(
    *,
    event_key: str,
    to: str,
    subject: str,
    body: str,
    language: str,
    reference: str | None = None,
    fresh_key: bool = False,
) -> EmailMessage | None:
    """Add one e-mail to the outbox in the caller's transaction (the caller commits).

    Idempotent by `event_key` (at most 200 characters, e.g. "case:123:acknowledged"): when a
    message with that key exists already, nothing is added and None is returned, so a retried
    request or job mails nobody twice. Two transactions racing with the same key both pass the
    check; the unique constraint then fails the later commit.

    `fresh_key`: the caller vouches that no message can have this key yet (it names a row created
    in the same transaction, e.g. a new case's acknowledgement). The look-up is skipped (the
    unique constraint alone guards) and the row goes in at once with one Core INSERT, in the
    same transaction, instead of an object for the session to flush; None is returned.

    Line breaks in the subject become spaces (a header is one line) and a subject longer than
    300 characters is cut there. A recipient that is not a
    plain address, or a language other than fi, sv, en, pl, is a programming error: ValueError.
    """
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"unsupported e-mail language {language!r}")
    to = to.strip()
    if not is_email_address(to) or len(to) > 254:
        raise ValueError(f"not an e-mail address: {to!r}")
    if len(event_key) > 200:
        raise ValueError("event_key is longer than 200 characters")
    row = {
        "event_key": event_key,
        "to_address": to,
        "subject": " ".join(subject.split())[:300],
        "body": body,
        "language": language,
        "reference": reference,
        "status": EmailStatus.QUEUED,
        "next_attempt_at": utcnow(),
    }
    if fresh_key:
        insert_rows(EmailMessage.__table__, [row])
        return None
    exists = db.session.scalar(
        sa.select(EmailMessage.id).where(EmailMessage.event_key == event_key)
    )
    if exists is not None:
        return None
    message = EmailMessage(**row)
    db.session.add(message)
    return message
