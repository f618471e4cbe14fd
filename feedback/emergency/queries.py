"""Reading the emergency line log: the API's list, the dispatcher's board and the intake hints.

Read-only; services.py owns the writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from feedback.emergency.models import (
    CALL_STATUS_RANK,
    Callback,
    CallChannel,
    CallStatus,
    EmergencyCall,
    Priority,
)
from notifications.streets import street_keys
from service.db import utcnow
from service.extensions import db

FINAL_UNANSWERED = tuple(
    s for s, rank in CALL_STATUS_RANK.items() if rank == 2 and s is not CallStatus.COMPLETED
)
STREET_WINDOW = dt.timedelta(hours=6)
HISTORY_LIMIT = 10

_PRIORITY_RANK = sa.case(
    (EmergencyCall.priority == Priority.DANGER, 0),
    (EmergencyCall.priority == Priority.VULNERABLE, 1),
    else_=2,
)


def missed_clause() -> sa.ColumnElement[bool]:
    """A call through Twilio that ended with nobody on duty answering."""
    return sa.and_(
        EmergencyCall.channel == CallChannel.TWILIO,
        EmergencyCall.answered_at.is_(None),
        sa.or_(
            EmergencyCall.call_status.in_(FINAL_UNANSWERED),
            EmergencyCall.call_status == CallStatus.COMPLETED,
        ),
    )


def list_calls(
    *,
    from_: dt.datetime | None = None,
    to: dt.datetime | None = None,
    status: str | None = None,
    postcode: str | None = None,
    outage: int | None = None,
    limit: int = 100,
    offset: int = 0,
    now: dt.datetime | None = None,
) -> list[EmergencyCall]:
    """Calls received in [from, to), newest first, by state, postcode and outage."""
    now = now or utcnow()
    query = sa.select(EmergencyCall)
    if from_ is not None:
        query = query.where(EmergencyCall.received_at >= from_)
    if to is not None:
        query = query.where(EmergencyCall.received_at < to)
    if status == "open":
        query = query.where(EmergencyCall.resolved_at.is_(None))
    elif status == "resolved":
        query = query.where(EmergencyCall.resolved_at.is_not(None))
    elif status == "missed":
        query = query.where(missed_clause())
    elif status == "callback_due":
        query = query.where(
            EmergencyCall.id.in_(
                sa.select(Callback.call_id).where(
                    Callback.done_at.is_(None), Callback.due_at <= now
                )
            )
        )
    if postcode:
        query = query.where(EmergencyCall.postcode == postcode)
    if outage is not None:
        query = query.where(EmergencyCall.outage_id == outage)
    query = query.order_by(EmergencyCall.received_at.desc(), EmergencyCall.id.desc())
    return list(db.session.scalars(query.limit(limit).offset(offset)))


@dataclass(frozen=True)
class Board:
    open_calls: list[EmergencyCall]  # by priority, then the earliest due clock, then age
    callbacks: list[Callback]  # not done, by due time (a callback keeps its place)
    now: dt.datetime


def board(now: dt.datetime | None = None, limit: int = 200) -> Board:
    now = now or utcnow()
    due = (
        sa.select(Callback.due_at)
        .where(Callback.call_id == EmergencyCall.id, Callback.done_at.is_(None))
        .scalar_subquery()
    )
    open_calls = list(
        db.session.scalars(
            sa.select(EmergencyCall)
            .where(EmergencyCall.resolved_at.is_(None))
            .order_by(
                _PRIORITY_RANK,
                sa.func.coalesce(due, EmergencyCall.received_at),
                EmergencyCall.received_at,
                EmergencyCall.id,
            )
            .limit(limit)
        )
    )
    callbacks = list(
        db.session.scalars(
            sa.select(Callback)
            .where(Callback.done_at.is_(None))
            .order_by(Callback.due_at, Callback.id)
            .limit(limit)
        )
    )
    return Board(open_calls, callbacks, now)


def calls_from_phone(phone: str, limit: int = HISTORY_LIMIT) -> list[EmergencyCall]:
    """Earlier calls from one number, newest first (open ones are marked by resolved_at)."""
    return list(
        db.session.scalars(
            sa.select(EmergencyCall)
            .where(EmergencyCall.caller_phone == phone)
            .order_by(EmergencyCall.received_at.desc(), EmergencyCall.id.desc())
            .limit(limit)
        )
    )


def calls_on_street(
    postcode: str,
    street: str | None,
    *,
    now: dt.datetime | None = None,
    window: dt.timedelta = STREET_WINDOW,
) -> list[EmergencyCall]:
    """Calls from the same street (or postcode, without a street) in the last hours."""
    now = now or utcnow()
    query = sa.select(EmergencyCall).where(
        EmergencyCall.postcode == postcode, EmergencyCall.received_at >= now - window
    )
    keys = street_keys(postcode, street)  # every name of the street (Mannerheimvägen too)
    if keys:
        query = query.where(EmergencyCall.street_key.in_(sorted(keys)))
    return list(
        db.session.scalars(query.order_by(EmergencyCall.received_at.desc()).limit(HISTORY_LIMIT))
    )


def outages_at(postcode: str, street: str | None, number: str | None) -> list[Any]:
    """Published, unfinished interruptions covering the address (surely, then possibly)."""
    from notifications import lookup_address

    found = lookup_address(postcode, street, number)
    return [*found.outages, *found.possibly_affected]


def call_by_sid(sid: str) -> EmergencyCall | None:
    return db.session.scalar(sa.select(EmergencyCall).where(EmergencyCall.twilio_call_sid == sid))
