"""Fan-out to contract customers: one e-mail outbox row per (event, contact) and one SMS outbox
row per (event, contact) for every contact of every delivery point an outage event affects.

The same design as the subscribers' fan-out (docs/decisions/0004): matching and writing are one
INSERT … SELECT per channel in the caller's transaction; the texts are rendered once per
language and chosen by a CASE on the contact's language; the building's address goes into the
e-mail by SQL replace(). ON CONFLICT DO NOTHING on a unique key makes a repeated event a no-op:
for e-mail the event key itself carries the contact ("outage:7:update:3:contact:42", unique in
email_outbox), for SMS the (event_key, contact_id) unique index. Rows are written care homes
and hospitals first (SMS by its priority column, e-mail in insertion order, which the
dispatcher claims by), planned notices wait out the quiet hours, and unplanned SMS expire like
the subscribers'.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from notifications.customers.models import (
    PRIORITY_RANK,
    CustomerContact,
    DeliveryPoint,
    EmailSubscription,
)
from notifications.customers.texts import ADDRESS, UNSUBSCRIBE, NoticeEmail, notice_email
from notifications.models import Outage, OutageKind
from notifications.range_sql import in_range
from notifications.sms.fanout import _held_by_quiet_hours, _quiet_until
from notifications.sms.models import MessageKind, MessageStatus, OutboxMessage
from notifications.sms.outbox import prepared
from notifications.sms.texts import SmsEvent, sms_text
from notifications.streets.queries import resolver
from service.db import utcnow
from service.extensions import db
from service.mail.models import EmailMessage, EmailStatus
from service.settings import current_settings

Point = DeliveryPoint.__table__
Person = CustomerContact.__table__
Follower = EmailSubscription.__table__


def affected_points(outage: Outage) -> sa.ColumnElement[bool]:
    """Delivery points one of the outage's ranges may include (notifications.range_sql)."""
    names = resolver(a.postcode for a in outage.areas)
    return sa.or_(
        *[
            in_range(
                a, names, Point.c.postcode, Point.c.street_key, Point.c.number, whole_postcode=False
            )
            for a in outage.areas
        ]
    )


def _rank() -> sa.Case[Any]:
    return sa.case(
        {priority.value: rank for priority, rank in PRIORITY_RANK.items()},
        value=Point.c.priority,
        else_=0,
    )


def _insert(table: sa.Table, columns: list[str], rows: sa.Select[Any], key: list[str]) -> Any:
    dialect = db.session.get_bind().dialect.name
    insert_for = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert_for(table).from_select(columns, rows).on_conflict_do_nothing(index_elements=key)


_MARKERS = re.compile(f"({re.escape(ADDRESS)}|{re.escape(UNSUBSCRIBE)})")


def spliced(
    texts: dict[str, str],
    language: sa.ColumnElement[Any],
    fallback: str,
    values: dict[str, sa.ColumnElement[str]],
) -> sa.ColumnElement[str]:
    """Each row's text: its language's text with the markers replaced by `values` (SQL).

    The texts are cut at the markers in Python and put together in SQL as CASE(part) ||
    value || CASE(part) …, so the database copies each text once instead of scanning it with
    replace() per row (bench/email_fanout.py). The markers come from the templates, so every
    language has them in the same order; if one did not, replace() is used.
    """
    pieces = {lang: _MARKERS.split(text) for lang, text in texts.items()}
    order = {lang: parts[1::2] for lang, parts in pieces.items()}

    def case(index: int) -> sa.ColumnElement[str]:
        return sa.case(
            {lang: sa.literal(parts[index]) for lang, parts in pieces.items()},
            value=language,
            else_=sa.literal(pieces[fallback][index]),
        )

    markers = order[fallback]
    if any(found != markers for found in order.values()):
        chosen: sa.ColumnElement[str] = sa.case(
            {lang: sa.literal(text) for lang, text in texts.items()},
            value=language,
            else_=sa.literal(texts[fallback]),
        )
        for marker, value in values.items():
            chosen = sa.func.replace(chosen, marker, value)
        return chosen
    result = case(0)
    for number, marker in enumerate(markers):
        result = result + values[marker] + case(2 * number + 2)
    return result


def _address(html: bool) -> sa.ColumnElement[str]:
    text = Point.c.street + " " + Point.c.number_text + ", " + Point.c.postcode
    if html:
        for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")):
            text = sa.func.replace(text, raw, escaped)
    return text


def email_rows(
    outage: Outage,
    event_key: str,
    texts: dict[str, NoticeEmail],
    language: Any,
    not_before: dt.datetime,
    now: dt.datetime,
) -> sa.Select[Any]:
    fallback = current_settings().default_language

    def by_language(attribute: str, html: bool = False) -> sa.ColumnElement[str]:
        return spliced(
            {lang: getattr(t, attribute) for lang, t in texts.items()},
            Person.c.language,
            fallback,
            {ADDRESS: _address(html)},
        )

    when = EmailMessage.__table__.c.next_attempt_at.type
    return (
        sa.select(
            sa.literal(f"{event_key}:contact:") + sa.cast(Person.c.id, sa.String),
            Person.c.email,
            language,
            sa.func.substr(by_language("subject"), 1, 300),
            by_language("text"),
            by_language("html", html=True),
            sa.literal(EmailStatus.QUEUED.value),
            sa.literal(0),
            sa.literal(not_before, type_=when),
            sa.literal(now, type_=when),
            sa.literal(outage.id),
            Person.c.id,
        )
        .select_from(Person.join(Point, Point.c.id == Person.c.delivery_point_id))
        .where(Person.c.email.is_not(None), Person.c.by_email.is_(True), affected_points(outage))
        .order_by(_rank().desc(), Person.c.id)
    )


EMAIL_COLUMNS = [
    "event_key", "to_address", "language", "subject", "body", "html", "status", "attempts",
    "next_attempt_at", "created_at", "outage_id", "contact_id",
]  # fmt: skip
SMS_COLUMNS = [
    "event_key", "kind", "contact_id", "outage_id", "phone", "language", "body", "encoding",
    "segments", "priority", "status", "attempts", "not_before", "expires_at", "created_at",
]  # fmt: skip


def sms_rows(
    outage: Outage,
    event: SmsEvent,
    event_key: str,
    language: Any,
    not_before: dt.datetime,
    expires_at: dt.datetime | None,
    now: dt.datetime,
) -> sa.Select[Any]:
    conf = current_settings()
    texts = {lang: prepared(sms_text(outage, event, lang), lang) for lang in conf.languages}
    fallback = conf.default_language

    def by_language(attribute: str) -> sa.Case[Any]:
        return sa.case(
            {lang: sa.literal(getattr(t, attribute)) for lang, t in texts.items()},
            value=Person.c.language,
            else_=sa.literal(getattr(texts[fallback], attribute)),
        )

    when = OutboxMessage.__table__.c.not_before.type
    return (
        sa.select(
            sa.literal(event_key),
            sa.literal(MessageKind.NOTICE.value),
            Person.c.id,
            sa.literal(outage.id),
            Person.c.phone,
            language,
            by_language("text"),
            by_language("encoding"),
            by_language("segments"),
            _rank(),
            sa.literal(MessageStatus.QUEUED.value),
            sa.literal(0),
            sa.literal(not_before, type_=when),
            sa.literal(expires_at, type_=when),
            sa.literal(now, type_=when),
        )
        .select_from(Person.join(Point, Point.c.id == Person.c.delivery_point_id))
        .where(Person.c.phone.is_not(None), Person.c.by_sms.is_(True), affected_points(outage))
    )


def subscriber_rows(
    outage: Outage,
    event_key: str,
    texts: dict[str, NoticeEmail],
    not_before: dt.datetime,
    now: dt.datetime,
) -> sa.Select[Any]:
    """One e-mail per confirmed subscription in the area, with its own unsubscribe link."""
    conf = current_settings()
    fallback = conf.default_language
    names = resolver(a.postcode for a in outage.areas)
    language = sa.case(
        {lang: sa.literal(lang) for lang in conf.languages},
        value=Follower.c.language,
        else_=fallback,
    )
    manage = (
        sa.literal(f"{conf.public_base_url}/") + language + "/email-notices/" + Follower.c.token
    )
    place = (
        sa.func.coalesce(
            Follower.c.street + " " + Follower.c.number_text + ", ",
            Follower.c.street + ", ",
            "",
        )
        + Follower.c.postcode
    )

    def by_language(attribute: str, html: bool = False) -> sa.ColumnElement[str]:
        where: sa.ColumnElement[str] = place
        if html:
            for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")):
                where = sa.func.replace(where, raw, escaped)
        return spliced(
            {lang: getattr(t, attribute) for lang, t in texts.items()},
            Follower.c.language,
            fallback,
            {ADDRESS: where, UNSUBSCRIBE: manage},
        )

    when = EmailMessage.__table__.c.next_attempt_at.type
    return sa.select(
        sa.literal(f"{event_key}:subscription:") + sa.cast(Follower.c.id, sa.String),
        Follower.c.email,
        language,
        sa.func.substr(by_language("subject"), 1, 300),
        by_language("text"),
        by_language("html", html=True),
        sa.literal(EmailStatus.QUEUED.value),
        sa.literal(0),
        sa.literal(not_before, type_=when),
        sa.literal(now, type_=when),
        sa.literal(outage.id),
        manage + "/unsubscribe",
    ).where(
        Follower.c.verified_at.is_not(None),
        sa.or_(
            *[
                in_range(a, names, Follower.c.postcode, Follower.c.street_key, Follower.c.number)
                for a in outage.areas
            ]
        ),
    )


SUBSCRIBER_COLUMNS = [
    "event_key", "to_address", "language", "subject", "body", "html", "status", "attempts",
    "next_attempt_at", "created_at", "outage_id", "list_unsubscribe",
]  # fmt: skip


def fan_out_to_customers(
    outage: Outage, event: SmsEvent, event_key: str, now: dt.datetime | None = None
) -> tuple[int, int]:
    """Queue the event for every contact of every affected delivery point: (e-mails, SMS)."""
    if not outage.areas:
        return 0, 0
    conf = current_settings()
    now = now or utcnow()
    not_before = _quiet_until(now) if _held_by_quiet_hours(outage, event) else now
    expires_at = (
        now + dt.timedelta(hours=conf.sms.unplanned_expiry_hours)
        if outage.kind == OutageKind.UNPLANNED and event != SmsEvent.ENDED
        else None
    )
    language = sa.case(
        {lang: sa.literal(lang) for lang in conf.languages},
        value=Person.c.language,
        else_=conf.default_language,
    )
    emails = {lang: notice_email(outage, event, lang) for lang in conf.languages}
    mail_table, sms_table = EmailMessage.__table__, OutboxMessage.__table__
    mail_count = sa.select(sa.func.count()).where(
        mail_table.c.outage_id == outage.id, mail_table.c.event_key.startswith(f"{event_key}:")
    )
    sms_count = sa.select(sa.func.count()).where(
        sms_table.c.event_key == event_key, sms_table.c.contact_id.is_not(None)
    )
    mails_before, sms_before = db.session.scalar(mail_count), db.session.scalar(sms_count)
    db.session.execute(
        _insert(
            mail_table,
            EMAIL_COLUMNS,
            email_rows(outage, event_key, emails, language, not_before, now),
            ["event_key"],
        )
    )
    followers = {
        lang: notice_email(outage, event, lang, unsubscribe_url=UNSUBSCRIBE)
        for lang in conf.languages
    }
    db.session.execute(
        _insert(
            mail_table,
            SUBSCRIBER_COLUMNS,
            subscriber_rows(outage, event_key, followers, not_before, now),
            ["event_key"],
        )
    )
    db.session.execute(
        _insert(
            sms_table,
            SMS_COLUMNS,
            sms_rows(outage, event, event_key, language, not_before, expires_at, now),
            ["event_key", "contact_id"],
        )
    )
    return (
        (db.session.scalar(mail_count) or 0) - (mails_before or 0),
        (db.session.scalar(sms_count) or 0) - (sms_before or 0),
    )
