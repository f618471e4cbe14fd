"""The outbox: messages written in the caller's transaction, and their delivery status.

`enqueue` never sends: it adds a row that the dispatcher sends later, so a request either
commits its event and its messages together or neither, and a crash never loses a queued
message. `record_delivery_status` applies Twilio's status callbacks, forward only.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from typing import Any

import sqlalchemy as sa
from flask import current_app

from notifications.sms.encoding import prepare_sms
from notifications.sms.models import (
    FINAL_STATUSES,
    STATUS_RANK,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    Subscriber,
)
from service.db import utcnow
from service.extensions import db

log = logging.getLogger(__name__)

# Twilio's message statuses (status callbacks) in our vocabulary.
TWILIO_STATUSES = {
    "accepted": MessageStatus.SENT,
    "scheduled": MessageStatus.SENT,
    "queued": MessageStatus.SENT,
    "sending": MessageStatus.SENT,
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.DELIVERED,
    "undelivered": MessageStatus.UNDELIVERED,
    "failed": MessageStatus.FAILED,
    "canceled": MessageStatus.CANCELLED,
}
OPTED_OUT_ERROR = "21610"


def _sms_settings() -> Any:
    return current_app.config["FAIRHEAT"].sms


def prepared(body: str, language: str) -> Any:
    """The text as it will be sent: normalised for GSM-7, optionally without Polish diacritics."""
    transliterate = _sms_settings().transliterate_polish and language == "pl"
    return prepare_sms(body, transliterate_polish=transliterate)


def enqueue(
    *,
    event_key: str,
    kind: MessageKind,
    phone: str,
    language: str,
    body: str,
    subscriber_id: int | None = None,
    outage_id: int | None = None,
    priority: int = 0,
    not_before: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
) -> OutboxMessage:
    """Add one message to the outbox in the caller's transaction (the caller commits)."""
    text = prepared(body, language)
    message = OutboxMessage(
        event_key=event_key,
        kind=kind,
        phone=phone,
        language=language,
        body=text.text,
        encoding=text.encoding,
        segments=text.segments,
        subscriber_id=subscriber_id,
        outage_id=outage_id,
        priority=priority,
        status=MessageStatus.QUEUED,
        not_before=not_before or utcnow(),
        expires_at=expires_at,
    )
    db.session.add(message)
    return message


def send_text_message(*, event_key: str, phone: str, language: str, body: str) -> None:
    """Queue one SMS to a person who is not a subscriber (e.g. about their feedback case).

    Written in the caller's transaction like every outbox row; the caller makes `event_key`
    unique per message (the same key twice adds nothing).
    """
    exists = db.session.scalar(
        sa.select(OutboxMessage.id).where(
            OutboxMessage.event_key == event_key, OutboxMessage.subscriber_id.is_(None)
        )
    )
    if exists is None:
        enqueue(
            event_key=event_key, kind=MessageKind.CASE, phone=phone, language=language, body=body
        )


@functools.cache
def _advance_status(new: MessageStatus) -> sa.Update:
    """The one statement of a status callback moving a message to `new`, built once per status
    (it runs thousands of times a second): it matches only rows in an earlier status."""
    table = OutboxMessage.__table__
    earlier = [status for status, rank in STATUS_RANK.items() if rank < STATUS_RANK[new]]
    return (
        sa.update(table)
        .where(
            table.c.provider_sid == sa.bindparam("sid"),
            sa.or_(*(table.c.status == status for status in earlier)),
        )
        .values(
            status=sa.bindparam("new", type_=table.c.status.type),
            status_at=sa.bindparam("at", type_=table.c.status_at.type),
            error_code=sa.func.coalesce(sa.bindparam("code", type_=sa.String), table.c.error_code),
        )
        .returning(table.c.subscriber_id)
    )


def record_delivery_status(
    provider_sid: str, twilio_status: str, error_code: str | None = None
) -> bool:
    """Apply one status callback; False when the message is unknown (logged, not an error).

    One conditional UPDATE: the status only moves forward ("sent" after "delivered" matches no
    row), so repeated and out-of-order callbacks are harmless and need no lock. A final failure
    counts against the subscriber (quarantined after too many in a row); 21610 means they opted
    out at Twilio. bench/fanout.py measures how many of these the app absorbs a second.
    """
    new = TWILIO_STATUSES.get(twilio_status.lower())
    if new is None:
        log.warning("status callback with unknown status %r for %s", twilio_status, provider_sid)
        return False
    moved = db.session.execute(
        _advance_status(new),
        {
            "sid": provider_sid,
            "new": new.value,
            "at": utcnow(),
            "code": str(error_code)[:20] if error_code else None,
        },
    ).first()
    if moved is None:
        known = db.session.scalar(
            sa.select(OutboxMessage.id).where(OutboxMessage.provider_sid == provider_sid)
        )
        db.session.rollback()
        if known is None:
            log.warning("status callback for unknown message %s (%s)", provider_sid, twilio_status)
        return known is not None
    subscriber_id = moved[0]
    if subscriber_id is not None and new in FINAL_STATUSES:
        if new == MessageStatus.DELIVERED:
            db.session.execute(
                sa.update(Subscriber)
                .where(Subscriber.id == subscriber_id, Subscriber.consecutive_failures != 0)
                .values(consecutive_failures=0)
            )
        else:
            subscriber = db.session.get(Subscriber, subscriber_id)
            if subscriber is not None:
                note_delivery(subscriber, delivered=False, error_code=error_code)
    db.session.commit()
    return True


def note_delivery(subscriber: Subscriber, *, delivered: bool, error_code: str | None) -> None:
    """Count a final outcome for the subscriber: reset on delivery, quarantine on repeats."""
    now = utcnow()
    if delivered:
        subscriber.consecutive_failures = 0
        return
    if error_code and str(error_code) == OPTED_OUT_ERROR and subscriber.opted_out_at is None:
        subscriber.opted_out_at = now
    subscriber.consecutive_failures += 1
    limit = _sms_settings().quarantine_after_failures
    if subscriber.consecutive_failures >= limit and subscriber.quarantined_at is None:
        subscriber.quarantined_at = now
