"""Delivery figures and histories, read-only: for staff pages and the compliance evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from notifications.sms.models import MessageStatus, OutboxMessage, Subscriber
from service import audit
from service.errors import NotFound
from service.extensions import db

PENDING = (MessageStatus.QUEUED, MessageStatus.SENDING)


@dataclass(frozen=True)
class DeliveryFigures:
    recipients: int = 0
    segments: int = 0
    sent: int = 0  # accepted by the gateway, no receipt yet
    delivered: int = 0
    failed: int = 0  # failed or undelivered
    pending: int = 0  # queued or being sent
    other: int = 0  # expired or cancelled
    reasons: dict[str, int] = field(default_factory=dict)  # error code → messages


def outage_delivery(outage_id: int) -> DeliveryFigures:
    """What the SMS notices of one outage did, by status, with the failure reasons."""
    rows = db.session.execute(
        sa.select(
            OutboxMessage.status,
            sa.func.count(OutboxMessage.id),
            sa.func.count(sa.distinct(OutboxMessage.subscriber_id)),
            sa.func.coalesce(sa.func.sum(OutboxMessage.segments), 0),
        )
        .where(OutboxMessage.outage_id == outage_id)
        .group_by(OutboxMessage.status)
    ).all()
    by_status = {status: count for status, count, _, _ in rows}
    reasons = db.session.execute(
        sa.select(OutboxMessage.error_code, sa.func.count(OutboxMessage.id))
        .where(
            OutboxMessage.outage_id == outage_id,
            OutboxMessage.status.in_((MessageStatus.FAILED, MessageStatus.UNDELIVERED)),
        )
        .group_by(OutboxMessage.error_code)
    ).all()
    recipients = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(OutboxMessage.phone))).where(
            OutboxMessage.outage_id == outage_id
        )
    )
    return DeliveryFigures(
        recipients=recipients or 0,
        segments=sum(int(segments) for _, _, _, segments in rows),
        sent=by_status.get(MessageStatus.SENT, 0),
        delivered=by_status.get(MessageStatus.DELIVERED, 0),
        failed=by_status.get(MessageStatus.FAILED, 0) + by_status.get(MessageStatus.UNDELIVERED, 0),
        pending=sum(by_status.get(s, 0) for s in PENDING),
        other=by_status.get(MessageStatus.EXPIRED, 0) + by_status.get(MessageStatus.CANCELLED, 0),
        reasons={code or "?": count for code, count in reasons},
    )


def subscriber_history(subscriber_id: int, limit: int = 200) -> tuple[Subscriber, list[Any]]:
    """One subscriber and their messages, for staff; the look-up is audited (D3)."""
    subscriber = db.session.get(Subscriber, subscriber_id)
    if subscriber is None:
        raise NotFound()
    audit.record("subscriber.viewed", "sms_subscriber", subscriber_id)
    db.session.commit()
    messages = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.subscriber_id == subscriber_id)
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    ).all()
    return subscriber, list(messages)


def quarantined_subscribers() -> list[Subscriber]:
    """Numbers whose messages failed permanently several times in a row: staff look at these."""
    return list(
        db.session.scalars(
            sa.select(Subscriber)
            .where(Subscriber.quarantined_at.is_not(None))
            .order_by(Subscriber.quarantined_at.desc())
        )
    )


def find_subscriber(phone: str) -> Subscriber | None:
    """The subscriber with this number, typed as people type it (staff search)."""
    from service.phones import any_number_e164

    e164 = any_number_e164(phone)
    if e164 is None:
        return None
    found = db.session.scalar(sa.select(Subscriber).where(Subscriber.phone == e164))
    # Audited whether found or not: a search tells whether a number is subscribed (D3).
    audit.record("subscriber.searched", "sms_subscriber", found.id if found else None)
    db.session.commit()
    return found
