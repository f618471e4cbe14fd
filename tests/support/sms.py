"""Helpers for the SMS dispatcher and status callback tests.

The settings that point the real twilio SDK at tests/support/fake_twilio.py, outbox rows written
the way the application writes them (enqueue) or in bulk, a dispatcher loop bounded by a deadline,
and Twilio-signed status callbacks. Nothing here replaces application code: the tests run the
real Dispatcher, the real SDK over a socket, and the real Flask routes.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

from notifications.sms.dispatcher import Dispatcher
from notifications.sms.models import MessageKind, MessageStatus, OutboxMessage, Subscriber
from notifications.sms.outbox import enqueue, prepared
from service.db import utcnow
from service.extensions import db
from tests.support.fake_twilio import FakeTwilio

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
SERVICE_SID = "MG" + "fedcba9876543210" * 2
PUBLIC_BASE_URL = "https://lampo.example"
STATUS_PATH = "/twilio/sms/status"
STATUS_URL = PUBLIC_BASE_URL + STATUS_PATH
BODY = "Kaukolämpökatko Mannerheimintie 5: klo 10-14. Vastaa STOP lopettaaksesi."
PENDING = (MessageStatus.QUEUED, MessageStatus.SENDING)


def twilio_env(fake: FakeTwilio, **extra: str) -> dict[str, str]:
    """FAIRHEAT_* settings for the twilio backend talking to `fake`."""
    return {
        "FAIRHEAT_SMS_BACKEND": "twilio",
        "FAIRHEAT_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "FAIRHEAT_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "FAIRHEAT_TWILIO_MESSAGING_SERVICE_SID": SERVICE_SID,
        "FAIRHEAT_TWILIO_API_BASE_URL": fake.url,
        "FAIRHEAT_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        **extra,
    }


def phone(i: int) -> str:
    """A distinct Finnish mobile number for every i below 10,000,000."""
    return f"+35840{i:07d}"


# --- subscribers and outbox rows ----------------------------------------------------------


def add_subscriber(number: str, *, language: str = "fi", **flags: Any) -> Subscriber:
    subscriber = Subscriber(phone=number, language=language, verified_at=utcnow(), **flags)
    db.session.add(subscriber)
    db.session.commit()
    return subscriber


_events = iter(range(1, 10**9))


def queue(
    number: str,
    *,
    subscriber: Subscriber | None = None,
    event_key: str | None = None,
    priority: int = 0,
    expires_at: dt.datetime | None = None,
    not_before: dt.datetime | None = None,
    body: str = BODY,
) -> int:
    """One notice through outbox.enqueue, committed; returns the row id."""
    message = enqueue(
        event_key=event_key or f"test:event:{next(_events)}",
        kind=MessageKind.NOTICE,
        phone=number,
        language=subscriber.language if subscriber else "fi",
        body=body,
        subscriber_id=subscriber.id if subscriber else None,
        priority=priority,
        not_before=not_before,
        expires_at=expires_at,
    )
    db.session.commit()
    return int(message.id)


def bulk_queue(numbers: Iterable[str], *, event_key: str, body: str = BODY) -> int:
    """One subscriber and one outbox row per number, as a fan-out writes them, in two executemany
    INSERTs (fast enough for 10,000 rows); committed, and the session released so that no lock or
    open transaction is left behind for another process. Returns the number of rows."""
    numbers = list(numbers)
    now = utcnow()
    text = prepared(body, "fi")
    db.session.execute(
        sa.insert(Subscriber),
        [
            {
                "phone": n,
                "language": "fi",
                "verified_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for n in numbers
        ],
    )
    ids = dict(
        db.session.execute(
            sa.select(Subscriber.phone, Subscriber.id).where(Subscriber.phone.in_(numbers))
        ).all()
    )
    db.session.execute(
        sa.insert(OutboxMessage),
        [
            {
                "event_key": event_key,
                "kind": MessageKind.NOTICE,
                "subscriber_id": ids[n],
                "phone": n,
                "language": "fi",
                "body": text.text,
                "encoding": text.encoding,
                "segments": text.segments,
                "priority": 0,
                "status": MessageStatus.QUEUED,
                "attempts": 0,
                "not_before": now,
                "created_at": now,
            }
            for n in numbers
        ],
    )
    db.session.commit()
    db.session.remove()
    return len(numbers)


# --- reading the outbox back --------------------------------------------------------------


def outbox(**filters: Any) -> list[OutboxMessage]:
    """The rows as the database has them now (not as this session last saw them)."""
    db.session.expire_all()
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    for name, value in filters.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    return list(db.session.scalars(query))


def message_row(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    found = db.session.get(OutboxMessage, message_id)
    assert found is not None
    return found


def subscriber_row(subscriber_id: int) -> Subscriber:
    db.session.expire_all()
    found = db.session.get(Subscriber, subscriber_id)
    assert found is not None
    return found


def status_counts() -> dict[MessageStatus, int]:
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
    ).all()
    db.session.commit()  # end the read transaction: hold nothing another dispatcher needs
    return {MessageStatus(status): count for status, count in rows}


def pending() -> int:
    counts = status_counts()
    return sum(counts.get(s, 0) for s in PENDING)


# --- running dispatchers ------------------------------------------------------------------


def run_until_done(
    dispatcher: Dispatcher, *, timeout: float = 60.0, idle_wait: float = 0.05
) -> int:
    """Run batches until no row is queued or being sent; returns the batches that claimed rows.

    Rows waiting for a retry (not_before in the future) or for a lease to run out are waited for
    in short sleeps; past `timeout` the test fails instead of hanging.
    """
    deadline = time.monotonic() + timeout
    batches = 0
    while True:
        claimed = dispatcher.run_once()
        if claimed:
            batches += 1
            continue
        left = pending()
        if left == 0:
            return batches
        if time.monotonic() > deadline:
            raise AssertionError(f"{left} messages still pending after {timeout} s")
        time.sleep(idle_wait)


def wait_until_due(message_id: int, timeout: float = 10.0) -> None:
    """Sleep until the row's not_before has passed (a retry's backoff, in real time)."""
    due = message_row(message_id).not_before
    db.session.commit()
    wait = (due - utcnow()).total_seconds()
    assert wait < timeout, f"message {message_id} is not due for {wait:.1f} s"
    if wait > 0:
        time.sleep(wait + 0.01)


# --- signed status callbacks --------------------------------------------------------------


def signature(params: Mapping[str, str], *, url: str = STATUS_URL, token: str = AUTH_TOKEN) -> str:
    return str(RequestValidator(token).compute_signature(url, dict(params)))


def status_params(sid: str, status: str, error_code: str | None = None) -> dict[str, str]:
    """The form Twilio posts to a StatusCallback (the fields this app reads, and a few more)."""
    params = {
        "AccountSid": ACCOUNT_SID,
        "MessagingServiceSid": SERVICE_SID,
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "To": "+358400000000",
        "ApiVersion": "2010-04-01",
    }
    if error_code is not None:
        params["ErrorCode"] = error_code
    return params


def post_status(
    client: FlaskClient,
    params: Mapping[str, str],
    *,
    signed_params: Mapping[str, str] | None = None,
    sign: bool = True,
) -> TestResponse:
    """POST a status callback, signed as Twilio would for `signed_params` (default: `params`)."""
    headers = {}
    if sign:
        headers["X-Twilio-Signature"] = signature(
            params if signed_params is None else signed_params
        )
    return client.post(STATUS_PATH, data=dict(params), headers=headers)
