"""Delivery receipts: Twilio's status callbacks applied to the outbox, and what a message's final
outcome does to its subscriber.

A status only moves forward ("sent" after "delivered" matches no row), so repeated and
out-of-order callbacks are harmless and need no lock. A final failure counts against the
subscriber (quarantined after FAIRHEAT_SMS_QUARANTINE_AFTER in a row; Twilio's 21610 means they
opted out there); a delivery ends the run.

Callbacks come at several times the send rate (bench/fanout.py measures how many the app
absorbs a second), so each is as few statements as its outcome needs, built once:
- PostgreSQL: one statement on an autocommit connection, the subscriber's update riding along
  as a data-modifying CTE. The status and the subscriber change together or not at all, in one round
  trip instead of BEGIN, UPDATE, COMMIT.
- SQLite: the status update returns the subscriber's current run of failures, and the
  subscriber is written, in the same transaction, only when there is something to count or to
  reset (a delivery to someone whose last messages went through needs nothing more).
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import sqlalchemy as sa

from notifications.sms.models import (
    FINAL_STATUSES,
    STATUS_RANK,
    MessageStatus,
    OutboxMessage,
    Subscriber,
)
from service.db import single_statement_writes, utcnow
from service.extensions import db
from service.settings import current_settings

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

_OUTBOX = OutboxMessage.__table__
_SUBSCRIBERS = Subscriber.__table__


def _subscriber_outcome(delivered: bool, subscriber_id: sa.ColumnElement[Any]) -> sa.Update:
    """The subscriber's update for one final outcome. Binds: `at`, and for a failure `opted_out`
    and `limit` (see _outcome_parameters).

    A delivery resets the run of failures (and writes nothing when there was none); a failure
    adds one, in the statement itself so that two at once both count, quarantines at the limit
    and, for 21610, records the opt-out. Earlier quarantine and opt-out times are kept.
    """
    column = _SUBSCRIBERS.c
    at = sa.bindparam("at", type_=column.updated_at.type)
    if delivered:
        return (
            sa.update(_SUBSCRIBERS)
            .where(column.id == subscriber_id, column.consecutive_failures != 0)
            .values(consecutive_failures=0, updated_at=at)
        )
    failures = column.consecutive_failures + 1
    opted_out = sa.bindparam("opted_out", type_=sa.Boolean)
    limit = sa.bindparam("limit", type_=sa.Integer)
    return (
        sa.update(_SUBSCRIBERS)
        .where(column.id == subscriber_id)
        .values(
            consecutive_failures=failures,
            opted_out_at=sa.case(
                (opted_out, sa.func.coalesce(column.opted_out_at, at)), else_=column.opted_out_at
            ),
            quarantined_at=sa.case(
                (failures >= limit, sa.func.coalesce(column.quarantined_at, at)),
                else_=column.quarantined_at,
            ),
            updated_at=at,
        )
    )


@functools.cache
def _count_for(delivered: bool) -> sa.Update:
    return _subscriber_outcome(delivered, sa.bindparam("subscriber", type_=sa.Integer))


def _outcome_parameters(opted_out: bool) -> dict[str, Any]:
    return {
        "at": utcnow(),
        "opted_out": opted_out,
        "limit": current_settings().sms.quarantine_after_failures,
    }


def count_failure(subscriber_id: int, *, opted_out: bool) -> None:
    """Count a message that failed for good against its subscriber (the dispatcher's permanent
    errors), in the session's transaction."""
    db.session.execute(
        _count_for(False), {"subscriber": subscriber_id, **_outcome_parameters(opted_out)}
    )


def _advance(new: MessageStatus) -> sa.Update:
    """The outbox update of a callback moving a message to `new`: only from an earlier status."""
    earlier = [status for status, rank in STATUS_RANK.items() if rank < STATUS_RANK[new]]
    return (
        sa.update(_OUTBOX)
        .where(
            _OUTBOX.c.provider_sid == sa.bindparam("sid"),
            sa.or_(*(_OUTBOX.c.status == status for status in earlier)),
        )
        .values(
            status=sa.bindparam("new", type_=_OUTBOX.c.status.type),
            status_at=sa.bindparam("at", type_=_OUTBOX.c.status_at.type),
            error_code=sa.func.coalesce(
                sa.bindparam("code", type_=sa.String), _OUTBOX.c.error_code
            ),
        )
    )


@functools.cache
def _in_one_statement(new: MessageStatus) -> sa.Select[Any]:
    """PostgreSQL: the status update, and the subscriber's with it for a final status; returns
    one row when the message moved."""
    moved = _advance(new).returning(_OUTBOX.c.subscriber_id).cte("moved")
    statement = sa.select(moved.c.subscriber_id)
    if new in FINAL_STATUSES:
        counted = _subscriber_outcome(new == MessageStatus.DELIVERED, moved.c.subscriber_id)
        statement = statement.add_cte(counted.cte("counted"))
    return statement


@functools.cache
def _returning_failures(new: MessageStatus) -> sa.Update:
    """SQLite: the status update, returning the subscriber and their current run of failures.

    SQLite's RETURNING names no tables, so the subquery renders as `WHERE id = subscriber_id`:
    `id` is the subscriber's (the innermost table has one) and `subscriber_id` the outbox row's,
    because sms_subscribers has no column of that name (the delivery tests would catch one).
    """
    subscriber = _SUBSCRIBERS.alias("subscriber")
    failures = (
        sa.select(subscriber.c.consecutive_failures)
        .where(subscriber.c.id == _OUTBOX.c.subscriber_id)
        .scalar_subquery()
    )
    return _advance(new).returning(_OUTBOX.c.subscriber_id, failures)


def record_delivery_status(
    provider_sid: str, twilio_status: str, error_code: str | None = None
) -> bool:
    """Apply one status callback; False when the message is unknown (logged, not an error).

    On its own connection, not the request's ORM session: nothing else in the request writes.
    """
    new = TWILIO_STATUSES.get(twilio_status.lower())
    if new is None:
        log.warning("status callback with unknown status %r for %s", twilio_status, provider_sid)
        return False
    parameters = {
        "sid": provider_sid,
        "new": new.value,
        "code": str(error_code)[:20] if error_code else None,
        **_outcome_parameters(error_code is not None and str(error_code) == OPTED_OUT_ERROR),
    }
    with single_statement_writes(db.engine) as connection:
        if connection.dialect.name == "postgresql":
            moved = connection.execute(_in_one_statement(new), parameters).first() is not None
        else:
            moved = _apply_in_two_steps(connection, new, parameters)
        return moved or _known(connection, provider_sid, twilio_status)


def _apply_in_two_steps(
    connection: sa.Connection, new: MessageStatus, parameters: dict[str, Any]
) -> bool:
    """SQLite (one transaction): the status, then the subscriber if there is anything to do."""
    row = connection.execute(_returning_failures(new), parameters).first()
    if row is None:
        return False
    subscriber_id, failures = row
    delivered = new == MessageStatus.DELIVERED
    if subscriber_id is not None and new in FINAL_STATUSES and (failures or not delivered):
        connection.execute(_count_for(delivered), {**parameters, "subscriber": subscriber_id})
    return True


def _known(connection: sa.Connection, provider_sid: str, twilio_status: str) -> bool:
    """Whether a callback that moved nothing is about a known message (a repeat, or late)."""
    known = connection.execute(
        sa.select(_OUTBOX.c.id).where(_OUTBOX.c.provider_sid == provider_sid)
    ).first()
    if known is None:
        log.warning("status callback for unknown message %s (%s)", provider_sid, twilio_status)
    return known is not None
