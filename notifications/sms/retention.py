"""SMS data over time (service/retention/hooks.py).

- `sms_message`: a message in a final state before the cutoff keeps its event, kind, status,
  times and segments (the delivered share of the compliance export) and loses its number and
  text.
- `sms_subscriber_left`: a number that said STOP (or was removed) before the cutoff is deleted
  with its addresses; its messages lose number and text as above.
- Data-subject requests by phone number: the subscription, its addresses and every message sent
  to the number; erasure deletes the subscription and codes and anonymises the messages (their
  counts stay in the figures, no longer tied to the number).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from notifications.sms.models import (
    MessageStatus,
    OutboxMessage,
    Subscriber,
    SubscriberAddress,
    VerificationCode,
)
from notifications.sms.subscriptions import ERASED_PHONE
from service.db import utcnow
from service.extensions import db
from service.retention import Erasure, Kept, Subject
from service.retention.holds import held_ids

FINAL = (
    MessageStatus.SENT,
    MessageStatus.DELIVERED,
    MessageStatus.UNDELIVERED,
    MessageStatus.FAILED,
    MessageStatus.EXPIRED,
    MessageStatus.CANCELLED,
)


def _count(result: Any) -> int:
    return int(result.rowcount or 0)


def _anonymise_messages(*where: sa.ColumnElement[bool]) -> int:
    return _count(
        db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.status.in_(FINAL), OutboxMessage.phone != ERASED_PHONE, *where)
            .values(phone=ERASED_PHONE, body="")
            .execution_options(synchronize_session=False)
        )
    )


def expire_messages(cutoff: dt.datetime, held: frozenset[int]) -> int:
    when = sa.func.coalesce(OutboxMessage.status_at, OutboxMessage.created_at)
    where = [when < cutoff]
    if held:
        where.append(OutboxMessage.id.not_in(held))
    return _anonymise_messages(*where)


def _cancel_queued(where: sa.ColumnElement[bool]) -> None:
    """Nothing more goes to a number whose data is gone."""
    db.session.execute(
        sa.update(OutboxMessage)
        .where(where, OutboxMessage.status == MessageStatus.QUEUED)
        .values(status=MessageStatus.CANCELLED, status_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _delete_subscribers(ids: list[int]) -> int:
    if not ids:
        return 0
    phones = list(db.session.scalars(sa.select(Subscriber.phone).where(Subscriber.id.in_(ids))))
    _cancel_queued(OutboxMessage.subscriber_id.in_(ids))
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.subscriber_id.in_(ids))
        .values(subscriber_id=None)
        .execution_options(synchronize_session=False)
    )
    _anonymise_messages(OutboxMessage.phone.in_(phones))
    db.session.execute(sa.delete(VerificationCode).where(VerificationCode.phone.in_(phones)))
    db.session.execute(sa.delete(SubscriberAddress).where(SubscriberAddress.subscriber_id.in_(ids)))
    return _count(db.session.execute(sa.delete(Subscriber).where(Subscriber.id.in_(ids))))


def expire_subscribers(cutoff: dt.datetime, held: frozenset[int]) -> int:
    """Delete the numbers that left before `cutoff`."""
    query = sa.select(Subscriber.id).where(
        Subscriber.opted_out_at.is_not(None), Subscriber.opted_out_at < cutoff
    )
    ids = [i for i in db.session.scalars(query) if i not in held]
    return sum(_delete_subscribers(ids[i : i + 500]) for i in range(0, len(ids), 500))


def find_sms_data(subject: Subject) -> list[dict[str, Any]]:
    if not subject.phone:
        return []
    found: list[dict[str, Any]] = []
    subscriber = db.session.scalar(sa.select(Subscriber).where(Subscriber.phone == subject.phone))
    if subscriber is not None:
        found.append(
            {
                "record": "sms_subscription",
                "phone": subscriber.phone,
                "language": subscriber.language,
                "wants_planned": subscriber.wants_planned,
                "wants_unplanned": subscriber.wants_unplanned,
                "created_at": subscriber.created_at.isoformat(),
                "opted_out_at": subscriber.opted_out_at.isoformat()
                if subscriber.opted_out_at
                else None,
                "addresses": [
                    {"postcode": a.postcode, "street": a.street, "number": a.number_text}
                    for a in subscriber.addresses
                ],
            }
        )
    messages = db.session.execute(
        sa.select(
            OutboxMessage.created_at, OutboxMessage.kind, OutboxMessage.status, OutboxMessage.body
        )
        .where(OutboxMessage.phone == subject.phone)
        .order_by(OutboxMessage.id)
    ).all()
    found.extend(
        {
            "record": "sms_message",
            "created_at": created.isoformat(),
            "kind": str(kind.value),
            "status": str(status.value),
            "text": body,
        }
        for created, kind, status, body in messages
    )
    return found


def erase_sms_data(subject: Subject) -> Erasure:
    erasure = Erasure()
    if not subject.phone:
        return erasure
    subscriber_id = db.session.scalar(
        sa.select(Subscriber.id).where(Subscriber.phone == subject.phone)
    )
    if subscriber_id is not None:
        if subscriber_id in held_ids("sms_subscriber_left"):
            erasure.kept.append(Kept(f"sms_subscriber {subscriber_id}", "under a legal hold"))
        else:
            erasure.erased += _delete_subscribers([subscriber_id])
    _cancel_queued(OutboxMessage.phone == subject.phone)
    erasure.erased += _anonymise_messages(OutboxMessage.phone == subject.phone)
    db.session.execute(sa.delete(VerificationCode).where(VerificationCode.phone == subject.phone))
    pending = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.phone == subject.phone, OutboxMessage.status.not_in(FINAL))
    )
    if pending:
        erasure.kept.append(
            Kept(f"sms_message × {pending}", "being sent now: anonymised by the nightly run")
        )
    return erasure
