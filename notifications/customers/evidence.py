"""Evidence of the contract-customer part for the compliance export (read-only, SQL aggregates).

Ciepło Systemowe A3 asks that interruption notices reach the customer, not only the website:
per period and per outage, how many delivery points and dwellings an interruption touched (for
interruption hours per customer), how many notices went out per channel and how many arrived
or bounced, how long after publication the first e-mail and SMS left, and which contract
customers could not be told (no contact). An interruption belongs to the period in which it
started, as in notifications/evidence.py; drafts and cancelled work are not interruptions.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from notifications.customers.models import CustomerContact, DeliveryPoint
from notifications.models import Outage, OutageArea, OutageStatus, Parity
from notifications.sms.models import MessageStatus, OutboxMessage
from service.db import hours_between
from service.evidence import Column, FieldType, Figure, Period, Register, Unit, plain
from service.extensions import db
from service.mail.models import EmailMessage, EmailStatus
from service.settings import current_settings

A3_SOURCE = "Ciepło Systemowe, Karta Standardów A3"
_SMS_HANDED_OVER = (
    MessageStatus.SENT,
    MessageStatus.DELIVERED,
    MessageStatus.UNDELIVERED,
    MessageStatus.FAILED,
)


def _email_handed() -> sa.ColumnElement[bool]:
    return EmailMessage.status.in_((EmailStatus.SENT, EmailStatus.FAILED))


def _email_ok() -> sa.ColumnElement[bool]:
    return sa.and_(EmailMessage.status == EmailStatus.SENT, EmailMessage.bounced_at.is_(None))


def _email_bad() -> sa.ColumnElement[bool]:
    return sa.or_(EmailMessage.status == EmailStatus.FAILED, EmailMessage.bounced_at.is_not(None))


def _sms_bad() -> sa.ColumnElement[bool]:
    return OutboxMessage.status.in_((MessageStatus.UNDELIVERED, MessageStatus.FAILED))


def _hours(value: Any) -> float | None:
    return float(value) if value is not None else None


def _share(part: int | float | None, whole: int | float | None) -> float | None:
    return float(part or 0) / whole if whole else None


def _outages(period: Period) -> sa.Select[Any]:
    """Ids of the interruptions that started in the period (published, not cancelled)."""
    start, end = period.utc_bounds(current_settings().timezone)
    return sa.select(Outage.id).where(
        Outage.first_published_at.is_not(None),
        Outage.status != OutageStatus.CANCELLED,
        Outage.starts_at >= start,
        Outage.starts_at < end,
    )


def affected_pairs(outage_ids: sa.Select[Any]) -> sa.Subquery:
    """(outage_id, delivery_point_id), distinct: the points inside any range of each outage.

    The same rule as the fan-out (notifications.range_sql.in_range), as one join, on the stored
    keys (street aliases are not looked up here): a range without a street covers its
    postcode; a point whose number is unknown counts on any range of its street.
    """
    p, a = DeliveryPoint, OutageArea
    numbers = sa.and_(
        sa.or_(a.from_number.is_(None), p.number >= a.from_number),
        sa.or_(a.to_number.is_(None), p.number <= a.to_number),
        sa.or_(
            a.parity == Parity.ALL,
            sa.and_(a.parity == Parity.ODD, p.number % 2 == 1),
            sa.and_(a.parity == Parity.EVEN, p.number % 2 == 0),
        ),
    )
    inside = sa.and_(
        p.postcode == a.postcode,
        sa.or_(
            a.street_key.is_(None),
            sa.and_(p.street_key == a.street_key, sa.or_(p.number.is_(None), numbers)),
        ),
    )
    return (
        sa.select(a.outage_id.label("outage_id"), p.id.label("point_id"))
        .join(p, inside)
        .where(a.outage_id.in_(outage_ids))
        .distinct()
        .subquery()
    )


def _reachable() -> sa.ColumnElement[bool]:
    return sa.exists().where(
        CustomerContact.delivery_point_id == DeliveryPoint.id,
        sa.or_(
            sa.and_(CustomerContact.email.is_not(None), CustomerContact.by_email.is_(True)),
            sa.and_(CustomerContact.phone.is_not(None), CustomerContact.by_sms.is_(True)),
        ),
    )


def _email_counts(outage_ids: sa.Select[Any]) -> Any:
    m = EmailMessage
    notice = sa.and_(m.outage_id.in_(outage_ids), m.contact_id.is_not(None))
    sent = m.status == EmailStatus.SENT
    return db.session.execute(
        sa.select(
            sa.func.count(m.id),
            sa.func.count(m.id).filter(m.status.in_((EmailStatus.SENT, EmailStatus.FAILED))),
            sa.func.count(m.id).filter(sent, m.bounced_at.is_(None)),
            sa.func.count(m.id).filter(
                sa.or_(m.status == EmailStatus.FAILED, m.bounced_at.is_not(None))
            ),
        ).where(notice)
    ).one()


def _sms_counts(outage_ids: sa.Select[Any]) -> Any:
    m = OutboxMessage
    return db.session.execute(
        sa.select(
            sa.func.count(m.id),
            sa.func.count(m.id).filter(m.status.in_(_SMS_HANDED_OVER)),
            sa.func.count(m.id).filter(m.status == MessageStatus.DELIVERED),
        ).where(m.outage_id.in_(outage_ids), m.contact_id.is_not(None))
    ).one()


def _first_sent_hours(outage_ids: sa.Select[Any], sent_at: Any, owner: Any) -> Any:
    """Per outage: hours from first publication to the first notice of the channel sent."""
    first = (
        sa.select(owner.outage_id.label("outage_id"), sa.func.min(sent_at).label("first_at"))
        .where(owner.outage_id.in_(outage_ids), owner.contact_id.is_not(None), sent_at.is_not(None))
        .group_by(owner.outage_id)
        .subquery()
    )
    return (
        sa.select(first.c.outage_id, hours_between(Outage.first_published_at, first.c.first_at))
        .join(Outage, Outage.id == first.c.outage_id)
        .subquery()
    )


class CustomerEvidence:
    """What the compliance export reads from the contract-customer register."""

    def figures(self, period: Period) -> Sequence[Figure]:
        ids = _outages(period)
        pairs = affected_pairs(ids)
        points, dwellings, unreachable = db.session.execute(
            sa.select(
                sa.func.count(pairs.c.point_id),
                sa.func.coalesce(sa.func.sum(DeliveryPoint.dwellings), 0),
                sa.func.count(pairs.c.point_id).filter(~_reachable()),
            ).join(DeliveryPoint, DeliveryPoint.id == pairs.c.point_id)
        ).one()
        hours = hours_between(Outage.starts_at, Outage.ended_at)
        customer_hours = db.session.scalar(
            sa.select(sa.func.sum(DeliveryPoint.dwellings * hours))
            .select_from(pairs)
            .join(DeliveryPoint, DeliveryPoint.id == pairs.c.point_id)
            .join(Outage, Outage.id == pairs.c.outage_id)
            .where(Outage.ended_at.is_not(None))
        )
        emails, handed, delivered, bounced = _email_counts(ids)
        sms, sms_handed, sms_delivered = _sms_counts(ids)
        first_email = _first_sent_hours(ids, EmailMessage.sent_at, EmailMessage)
        first_sms = _first_sent_hours(ids, OutboxMessage.sent_at, OutboxMessage)
        email_lead = db.session.scalar(sa.select(sa.func.avg(first_email.c[1])))
        sms_lead = db.session.scalar(sa.select(sa.func.avg(first_sms.c[1])))
        rule = _("Interruption notices are sent to the customer, not only published (A3).")
        count, share, in_hours = Unit.COUNT, Unit.SHARE, Unit.HOURS
        return [
            Figure(
                "customer_delivery_points_affected",
                points,
                count,
                _("Delivery points of contract customers affected by interruptions"),
            ),
            Figure(
                "customer_dwellings_affected",
                int(dwellings),
                count,
                _("Dwellings behind the affected delivery points"),
            ),
            Figure(
                "customer_interruption_hours",
                _hours(customer_hours),
                in_hours,
                _("Interruption hours × dwellings of contract customers (ended interruptions)"),
            ),
            Figure(
                "customer_notice_emails",
                emails,
                count,
                _("Notice e-mails to contract customers' contacts"),
                rule,
                A3_SOURCE,
            ),
            Figure(
                "email_delivered_share",
                _share(delivered, handed),
                share,
                _("Notice e-mails accepted by the receiving server and not bounced"),
                rule,
                A3_SOURCE,
            ),
            Figure(
                "customer_notice_emails_bounced",
                bounced,
                count,
                _("Notice e-mails refused or bounced"),
            ),
            Figure(
                "customer_notice_sms",
                sms,
                count,
                _("Notice SMS to contract customers' contacts"),
                rule,
                A3_SOURCE,
            ),
            Figure(
                "customer_notice_sms_delivered_share",
                _share(sms_delivered, sms_handed),
                share,
                _("Notice SMS to contract customers' contacts delivered"),
            ),
            Figure(
                "customer_first_email_hours",
                _hours(email_lead),
                in_hours,
                _("Average time from publication to the first notice e-mail"),
            ),
            Figure(
                "customer_first_sms_hours",
                _hours(sms_lead),
                in_hours,
                _("Average time from publication to the first notice SMS"),
            ),
            Figure(
                "customer_delivery_points_unreachable",
                unreachable,
                count,
                _("Affected delivery points with no contact to tell"),
                rule,
                A3_SOURCE,
            ),
        ]

    def registers(self, period: Period) -> Sequence[Register]:
        return [
            Register(
                "delivery_points",
                str(_l("Delivery points of contract customers")),
                (
                    Column("customer_number", FieldType.STRING, "the customer system's number"),
                    Column("name", FieldType.STRING, "customer name", personal=True),
                    Column("postcode", FieldType.STRING),
                    Column("street", FieldType.STRING),
                    Column("house_number", FieldType.STRING),
                    Column("priority", FieldType.STRING, "care_home, hospital, school, …"),
                    Column("dwellings", FieldType.INTEGER),
                    Column("contacts", FieldType.INTEGER, "contacts who can be told"),
                ),
                self._points,
            ),
            Register(
                "customer_outages",
                str(_l("Interruptions at contract customers' delivery points")),
                (
                    Column("outage_id", FieldType.INTEGER),
                    Column("delivery_points", FieldType.INTEGER),
                    Column("dwellings", FieldType.INTEGER),
                    Column("unreachable_points", FieldType.INTEGER, "no contact to tell"),
                ),
                lambda: self._outages(period),
            ),
            Register(
                "customer_notices",
                str(_l("Notices to contract customers per interruption and channel")),
                (
                    Column("outage_id", FieldType.INTEGER),
                    Column("channel", FieldType.STRING, "email or sms"),
                    Column("queued", FieldType.INTEGER),
                    Column("sent", FieldType.INTEGER),
                    Column("delivered", FieldType.INTEGER),
                    Column("failed_or_bounced", FieldType.INTEGER),
                    Column("first_sent_at", FieldType.DATETIME),
                    Column("hours_from_publication", FieldType.NUMBER),
                ),
                lambda: self._notices(period),
            ),
            Register(
                "customers_unreachable",
                str(_l("Affected contract customers with no contact")),
                (
                    Column("outage_id", FieldType.INTEGER),
                    Column("customer_number", FieldType.STRING),
                    Column("name", FieldType.STRING, "customer name", personal=True),
                    Column("address", FieldType.STRING),
                ),
                lambda: self._unreachable(period),
            ),
        ]

    def _points(self) -> Iterator[tuple[Any, ...]]:
        reachable = (
            sa.select(sa.func.count(CustomerContact.id))
            .where(
                CustomerContact.delivery_point_id == DeliveryPoint.id,
                sa.or_(CustomerContact.by_email.is_(True), CustomerContact.by_sms.is_(True)),
            )
            .scalar_subquery()
        )
        query = sa.select(
            DeliveryPoint.customer_number,
            DeliveryPoint.name,
            DeliveryPoint.postcode,
            DeliveryPoint.street,
            DeliveryPoint.number_text,
            plain(DeliveryPoint.priority),  # its text: no per-value conversion
            DeliveryPoint.dwellings,
            reachable,
        ).order_by(DeliveryPoint.id)
        yield from db.session.connection().execute(query.execution_options(yield_per=5000)).tuples()

    def _outages(self, period: Period) -> Iterator[tuple[Any, ...]]:
        pairs = affected_pairs(_outages(period))
        query = (
            sa.select(
                pairs.c.outage_id,
                sa.func.count(pairs.c.point_id),
                sa.func.sum(DeliveryPoint.dwellings),
                sa.func.count(pairs.c.point_id).filter(~_reachable()),
            )
            .join(DeliveryPoint, DeliveryPoint.id == pairs.c.point_id)
            .group_by(pairs.c.outage_id)
            .order_by(pairs.c.outage_id)
        )
        yield from (tuple(row) for row in db.session.execute(query))

    def _notices(self, period: Period) -> Iterator[tuple[Any, ...]]:
        ids = _outages(period)
        e, s = EmailMessage, OutboxMessage
        emails = sa.select(
            e.outage_id.label("outage_id"),
            sa.literal("email").label("channel"),
            sa.func.count(e.id).label("queued"),
            sa.func.count(e.id).filter(_email_handed()).label("sent"),
            sa.func.count(e.id).filter(_email_ok()).label("delivered"),
            sa.func.count(e.id).filter(_email_bad()).label("failed"),
            sa.func.min(e.sent_at).label("first_at"),
        ).where(e.outage_id.in_(ids), e.contact_id.is_not(None)).group_by(e.outage_id)  # fmt: skip
        sms = sa.select(
            s.outage_id.label("outage_id"),
            sa.literal("sms").label("channel"),
            sa.func.count(s.id).label("queued"),
            sa.func.count(s.id).filter(s.status.in_(_SMS_HANDED_OVER)).label("sent"),
            sa.func.count(s.id).filter(s.status == MessageStatus.DELIVERED).label("delivered"),
            sa.func.count(s.id).filter(_sms_bad()).label("failed"),
            sa.func.min(s.sent_at).label("first_at"),
        ).where(s.outage_id.in_(ids), s.contact_id.is_not(None)).group_by(s.outage_id)  # fmt: skip
        both = sa.union_all(emails, sms).subquery()
        query = (
            sa.select(
                both.c.outage_id,
                both.c.channel,
                both.c.queued,
                both.c.sent,
                both.c.delivered,
                both.c.failed,
                both.c.first_at,
                hours_between(Outage.first_published_at, both.c.first_at),
            )
            .join(Outage, Outage.id == both.c.outage_id)
            .order_by(both.c.outage_id, both.c.channel)
        )
        for row in db.session.execute(query):
            yield (*row[:7], float(row[7]) if row[7] is not None else None)

    def _unreachable(self, period: Period) -> Iterator[tuple[Any, ...]]:
        pairs = affected_pairs(_outages(period))
        p = DeliveryPoint
        query = (
            sa.select(
                pairs.c.outage_id,
                p.customer_number,
                p.name,
                p.street + " " + p.number_text + ", " + p.postcode,
            )
            .join(p, p.id == pairs.c.point_id)
            .where(~_reachable())
            .order_by(pairs.c.outage_id, p.id)
        )
        yield from (tuple(row) for row in db.session.execute(query))
