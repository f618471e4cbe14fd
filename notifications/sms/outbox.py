"""The outbox: messages written in the caller's transaction, and their delivery status.

`enqueue` never sends: it adds a row that the dispatcher sends later, so a request either
commits its event and its messages together or neither, and a crash never loses a queued
message. Twilio's status callbacks are applied by receipts.py.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import sqlalchemy as sa

from notifications.sms.encoding import prepare_sms
from notifications.sms.models import (
    MessageKind,
    MessageStatus,
    OutboxMessage,
)
from service.db import utcnow
from service.extensions import db
from service.inserts import insert_rows
from service.settings import current_settings

log = logging.getLogger(__name__)


def _sms_settings() -> Any:
    return current_settings().sms


def prepared(body: str, language: str) -> Any:
    """The text as it will be sent: normalised for GSM-7, optionally without Polish diacritics.

    Transliteration applies to every language: a Polish utility or street name in an English
    message would otherwise make it UCS-2 as well.
    """
    return prepare_sms(body, transliterate_polish=_sms_settings().transliterate_polish)


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
    message = OutboxMessage(
        **_row(
            event_key=event_key,
            kind=kind,
            phone=phone,
            language=language,
            body=body,
            subscriber_id=subscriber_id,
            outage_id=outage_id,
            priority=priority,
            not_before=not_before,
            expires_at=expires_at,
        )
    )
    db.session.add(message)
    return message


def _row(
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
) -> dict[str, Any]:
    text = prepared(body, language)
    return {
        "event_key": event_key,
        "kind": kind,
        "phone": phone,
        "language": language,
        "body": text.text,
        "encoding": text.encoding,
        "segments": text.segments,
        "subscriber_id": subscriber_id,
        "outage_id": outage_id,
        "priority": priority,
        "status": MessageStatus.QUEUED,
        "not_before": not_before or utcnow(),
        "expires_at": expires_at,
    }


def send_text_message(
    *, event_key: str, phone: str, language: str, body: str, fresh_key: bool = False
) -> None:
    """Queue one SMS to a person who is not a subscriber (e.g. about their feedback case).

    Written in the caller's transaction like every outbox row; the caller makes `event_key`
    unique per message (the same key twice adds nothing). `fresh_key`: the caller vouches that
    nothing can be queued under the key yet (it names a row created in this transaction): no
    look-up, and the row goes in at once with one Core INSERT in the same transaction.
    """
    if fresh_key:
        row = _row(
            event_key=event_key, kind=MessageKind.CASE, phone=phone, language=language, body=body
        )
        insert_rows(OutboxMessage.__table__, [row])
        return
    exists = db.session.scalar(
        sa.select(OutboxMessage.id).where(
            OutboxMessage.event_key == event_key, OutboxMessage.subscriber_id.is_(None)
        )
    )
    if exists is None:
        enqueue(
            event_key=event_key, kind=MessageKind.CASE, phone=phone, language=language, body=body
        )
