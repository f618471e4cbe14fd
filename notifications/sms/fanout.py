"""Fan-out: one outbox row per (event, subscriber) for every subscriber an outage affects.

Matching and writing happen in the database as one INSERT … SELECT in the caller's
transaction, so 100,000 subscribers cost one statement, and the unique (event_key,
subscriber_id) constraint with ON CONFLICT DO NOTHING means an event never reaches a number
twice, whatever is retried. A subscriber follows a whole postcode (no street), a street (no
number) or one building; they are told about an outage when any of its address ranges could
include it.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from notifications.models import Outage, OutageKind
from notifications.range_sql import in_range
from notifications.sms.models import MessageKind, MessageStatus, OutboxMessage, Subscriber
from notifications.sms.models import SubscriberAddress as Address
from notifications.sms.outbox import prepared
from notifications.sms.texts import SmsEvent, sms_text
from notifications.streets.queries import resolver
from service.db import utcnow
from service.extensions import db
from service.settings import current_settings

PRIORITY_SUBSCRIBER = 10


def matching_subscribers(outage: Outage) -> sa.Select[Any]:
    """Active subscribers who want this kind of notice and follow an address in its area."""
    wants = (
        Subscriber.wants_planned
        if outage.kind == OutageKind.PLANNED
        else Subscriber.wants_unplanned
    )
    names = resolver(a.postcode for a in outage.areas)
    in_area = (
        sa.select(Address.subscriber_id)
        .where(
            sa.or_(
                *[
                    in_range(a, names, Address.postcode, Address.street_key, Address.number)
                    for a in outage.areas
                ]
            )
        )
        .distinct()
    )
    return sa.select(Subscriber).where(
        Subscriber.id.in_(in_area),
        Subscriber.verified_at.is_not(None),
        Subscriber.opted_out_at.is_(None),
        Subscriber.quarantined_at.is_(None),
        wants.is_(True),
    )


def _quiet_until(now: dt.datetime) -> dt.datetime:
    """Now, or the end of tonight's quiet hours (local time) when now falls inside them."""
    conf = current_settings()
    zone = zoneinfo.ZoneInfo(conf.timezone)
    local = now.astimezone(zone)
    start, end = conf.sms.quiet_start, conf.sms.quiet_end
    t = local.time()
    inside = (start <= t or t < end) if start > end else (start <= t < end)
    if not inside:
        return now
    day = local.date() if t < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=zone).astimezone(dt.UTC)


def _held_by_quiet_hours(outage: Outage, event: SmsEvent) -> bool:
    """Planned notices and reminders wait for morning; faults and restorations go at once."""
    return outage.kind == OutageKind.PLANNED and event in (
        SmsEvent.PUBLISHED,
        SmsEvent.REMINDER,
        SmsEvent.CANCELLED,
    )


def fan_out(outage: Outage, event: SmsEvent, event_key: str, now: dt.datetime | None = None) -> int:
    """Queue the event's message for every matching subscriber; returns how many were queued."""
    if not outage.areas:
        return 0
    conf = current_settings()
    now = now or utcnow()
    texts = {lang: prepared(sms_text(outage, event, lang), lang) for lang in conf.languages}
    fallback = conf.default_language
    not_before = _quiet_until(now) if _held_by_quiet_hours(outage, event) else now
    expires_at = (
        now + dt.timedelta(hours=conf.sms.unplanned_expiry_hours)
        if outage.kind == OutageKind.UNPLANNED and event != SmsEvent.ENDED
        else None
    )
    matched = matching_subscribers(outage).subquery()

    def by_language(attribute: str) -> sa.Case[Any]:
        """The subscriber's language's text (or its encoding, segments) as a SQL CASE."""
        return sa.case(
            {lang: sa.literal(getattr(t, attribute)) for lang, t in texts.items()},
            value=matched.c.language,
            else_=sa.literal(getattr(texts[fallback], attribute)),
        )

    language = sa.case(
        {lang: sa.literal(lang) for lang in texts}, value=matched.c.language, else_=fallback
    )
    rows = sa.select(
        sa.literal(event_key),
        sa.literal(MessageKind.NOTICE.value),
        matched.c.id,
        sa.literal(outage.id),
        matched.c.phone,
        language,
        by_language("text"),
        by_language("encoding"),
        by_language("segments"),
        sa.case((matched.c.priority.is_(True), PRIORITY_SUBSCRIBER), else_=0),
        sa.literal(MessageStatus.QUEUED.value),
        sa.literal(0),
        sa.literal(not_before, type_=OutboxMessage.__table__.c.not_before.type),
        sa.literal(expires_at, type_=OutboxMessage.__table__.c.expires_at.type),
        sa.literal(now, type_=OutboxMessage.__table__.c.created_at.type),
    ).where(sa.true())  # SQLite parses INSERT … SELECT … ON CONFLICT only with a WHERE
    columns = [
        "event_key", "kind", "subscriber_id", "outage_id", "phone", "language", "body",
        "encoding", "segments", "priority", "status", "attempts", "not_before", "expires_at",
        "created_at",
    ]  # fmt: skip
    # ON CONFLICT DO NOTHING on the (event_key, subscriber_id) unique constraint: a repeated
    # event adds nothing. (A NOT EXISTS guard let PostgreSQL plan a nested loop over the table
    # being filled, quadratic when its statistics said it was empty: bench/fanout.py.)
    dialect = db.session.get_bind().dialect.name
    insert_for = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert_for(OutboxMessage.__table__)
        .from_select(columns, rows)
        .on_conflict_do_nothing(index_elements=["event_key", "subscriber_id"])
    )
    # Counted, not taken from rowcount: psycopg reports -1 for this INSERT … SELECT.
    count = sa.select(sa.func.count()).where(OutboxMessage.event_key == event_key)
    before = db.session.scalar(count) or 0
    db.session.execute(statement)
    return (db.session.scalar(count) or 0) - before
