"""Evidence of the notifications domain for the compliance export (read-only, aggregated in SQL).

Interruption figures follow Finnish Energy's interruption statistics and the IGCP A3 standard
(REGULATION.md "Key figures" and "Compliance evidence"): how many, how long, how many over 10 h
and 24 h, interruption hours per customer, the share of planned ones announced in time, and how
many notice SMS reached a phone. An interruption belongs to the period in which it started;
drafts (never published) and cancelled planned work are not interruptions.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from notifications.models import Outage, OutageKind, OutageStatus
from notifications.sms.models import MessageKind, MessageStatus, OutboxMessage
from service.db import hours_between
from service.evidence import Column, FieldType, Figure, Period, Register, Unit
from service.extensions import db
from service.settings import current_settings

STATISTICS_SOURCE = "Finnish Energy, district heating interruption statistics"
A3_SOURCE = "Ciepło Systemowe, Karta Standardów A3"
_FAILED = (MessageStatus.UNDELIVERED, MessageStatus.FAILED)
_HANDED_OVER = (
    MessageStatus.SENT,
    MessageStatus.DELIVERED,
    MessageStatus.UNDELIVERED,
    MessageStatus.FAILED,
)


def _share(part: int | float | None, whole: int | float | None) -> float | None:
    return float(part or 0) / whole if whole else None


def planned_notice_figures(period: Period) -> dict[str, Any]:
    """Planned interruptions first published in the period (not cancelled): announced in
    time vs late.

    Reported as "share of planned interruptions notified in advance" (REGULATION.md key figures).
    """
    start, end = period.utc_bounds(current_settings().timezone)
    published, late = db.session.execute(
        sa.select(
            sa.func.count(Outage.id),
            sa.func.count(Outage.id).filter(Outage.notice_late.is_(True)),
        ).where(
            Outage.kind == OutageKind.PLANNED,
            Outage.status != OutageStatus.CANCELLED,  # cancelled work is no interruption
            Outage.first_published_at >= start,
            Outage.first_published_at < end,
        )
    ).one()
    on_time = published - late
    return {
        "period": str(period),
        "planned_published": published,
        "notified_in_time": on_time,
        "late": late,
        "share_in_time": _share(on_time, published),
        "rule": current_settings().planned_notice_lead,
    }


def interruption_figures(period: Period) -> dict[str, Any]:
    """Interruptions that started in the period, in one query."""
    settings = current_settings()
    start, end = period.utc_bounds(settings.timezone)
    hours = hours_between(Outage.starts_at, Outage.ended_at)
    ended = Outage.ended_at.is_not(None)
    row = db.session.execute(
        sa.select(
            sa.func.count(Outage.id).filter(Outage.kind == OutageKind.UNPLANNED),
            sa.func.count(Outage.id).filter(Outage.kind == OutageKind.PLANNED),
            sa.func.count(Outage.id).filter(ended),
            sa.func.avg(hours).filter(ended),
            sa.func.count(Outage.id).filter(ended, hours > 10),
            sa.func.count(Outage.id).filter(ended, hours > 24),
            sa.func.sum(hours * sa.func.coalesce(Outage.affected_buildings, 0)).filter(ended),
        ).where(
            Outage.first_published_at.is_not(None),
            Outage.status != OutageStatus.CANCELLED,
            Outage.starts_at >= start,
            Outage.starts_at < end,
        )
    ).one()
    unplanned, planned, ended_count, average, over_10, over_24, customer_hours = row
    hours_per_customer = (
        float(customer_hours or 0) / settings.customers_served if ended_count else None
    )
    # Hours in the period on the utility's clock: 8760 in a common year, one less or more
    # across a daylight-saving change of a shorter period.
    period_hours = (end - start).total_seconds() / 3600
    return {
        "total": unplanned + planned,
        "unplanned": unplanned,
        "planned": planned,
        "ended": ended_count,
        "average_hours": round(float(average), 2) if average is not None else None,
        "share_over_10h": _share(over_10, ended_count),
        "share_over_24h": _share(over_24, ended_count),
        "hours_per_customer": (
            round(hours_per_customer, 4) if hours_per_customer is not None else None
        ),
        "supply_reliability": (
            round(1 - hours_per_customer / period_hours, 6)
            if hours_per_customer is not None
            else None
        ),
    }


def sms_delivery_figures(period: Period) -> dict[str, Any]:
    """Notice SMS queued in the period: how many the gateway took, and how many reached a phone."""
    start, end = period.utc_bounds(current_settings().timezone)
    handed_over, delivered = db.session.execute(
        sa.select(
            sa.func.count(OutboxMessage.id).filter(OutboxMessage.status.in_(_HANDED_OVER)),
            sa.func.count(OutboxMessage.id).filter(OutboxMessage.status == MessageStatus.DELIVERED),
        ).where(
            OutboxMessage.kind == MessageKind.NOTICE,  # not codes, replies or case messages
            OutboxMessage.created_at >= start,
            OutboxMessage.created_at < end,
        )
    ).one()
    return {
        "handed_over": handed_over,
        "delivered": delivered,
        "share": _share(delivered, handed_over),
    }


def _interruptions_in(period: Period) -> sa.ColumnElement[bool]:
    """The same interruptions the figures count: published, not cancelled, started in the period."""
    start, end = period.utc_bounds(current_settings().timezone)
    return sa.and_(
        Outage.first_published_at.is_not(None),
        Outage.status != OutageStatus.CANCELLED,
        Outage.starts_at >= start,
        Outage.starts_at < end,
    )


def interruption_rows(period: Period) -> Iterator[Sequence[object]]:
    """The interruptions register, by id (INTERRUPTION_COLUMNS)."""
    lead = sa.case(
        (
            Outage.kind == OutageKind.PLANNED,
            hours_between(Outage.first_published_at, Outage.starts_at),
        ),
        else_=None,
    )
    query = (
        sa.select(
            Outage.id,
            Outage.kind,
            Outage.cause,
            Outage.impact,
            Outage.status,
            Outage.starts_at,
            Outage.ended_at,
            hours_between(Outage.starts_at, Outage.ended_at),
            Outage.first_published_at,
            lead,
            Outage.required_notice_days,
            Outage.notice_late,
            Outage.affected_buildings,
            Outage.late_notice_reason,
        )
        .where(_interruptions_in(period))
        .order_by(Outage.id)
        .execution_options(yield_per=2000)
    )
    for row in db.session.execute(query):
        yield tuple(value.value if hasattr(value, "value") else value for value in row)


INTERRUPTION_COLUMNS = (
    Column("id", FieldType.INTEGER, "Interruption number in the service"),
    Column("kind", FieldType.STRING, "planned | unplanned"),
    Column("cause", FieldType.STRING, "Cause as recorded"),
    Column("impact", FieldType.STRING, "What was cut: heating, hot water or both, or reduced"),
    Column("status", FieldType.STRING, "Status at export time"),
    Column("starts_at", FieldType.DATETIME, "Start (UTC)"),
    Column("ended_at", FieldType.DATETIME, "Supply restored or work completed (UTC)"),
    Column("duration_hours", FieldType.NUMBER, "Hours from start to end"),
    Column("first_published_at", FieldType.DATETIME, "First publication of the notice (UTC)"),
    Column("lead_time_hours", FieldType.NUMBER, "Planned: hours from first publication to start"),
    Column("required_notice_days", FieldType.INTEGER, "Planned: days of notice the rule asks"),
    Column("notice_late", FieldType.BOOLEAN, "Planned: announced later than the rule asks"),
    Column("customers_affected", FieldType.INTEGER, "Buildings (customers) affected"),
    Column("late_notice_reason", FieldType.STRING, "Why the notice was late", personal=True),
)


def notice_rows(period: Period) -> Iterator[Sequence[object]]:
    """Notice messages per interruption and channel, queued in the period (NOTICE_COLUMNS)."""
    start, end = period.utc_bounds(current_settings().timezone)
    query = (
        sa.select(
            OutboxMessage.outage_id,
            sa.literal("sms"),
            sa.func.count(OutboxMessage.id),
            sa.func.count(OutboxMessage.id).filter(OutboxMessage.status.in_(_HANDED_OVER)),
            sa.func.count(OutboxMessage.id).filter(OutboxMessage.status == MessageStatus.DELIVERED),
            sa.func.count(OutboxMessage.id).filter(OutboxMessage.status.in_(_FAILED)),
        )
        .where(
            OutboxMessage.kind == MessageKind.NOTICE,
            OutboxMessage.outage_id.is_not(None),
            OutboxMessage.created_at >= start,
            OutboxMessage.created_at < end,
        )
        .group_by(OutboxMessage.outage_id)
        .order_by(OutboxMessage.outage_id)
    )
    # One row per interruption: no server-side cursor (PostgreSQL plans a cursor without
    # parallel workers, and this aggregate over a year's SMS took twice as long in one).
    yield from db.session.connection().execute(query).tuples()


NOTICE_COLUMNS = (
    Column("outage_id", FieldType.INTEGER, "Interruption number"),
    Column("channel", FieldType.STRING, "sms"),
    Column("queued", FieldType.INTEGER, "Messages queued"),
    Column("sent", FieldType.INTEGER, "Handed over to the gateway"),
    Column("delivered", FieldType.INTEGER, "Reported delivered to the phone"),
    Column("failed", FieldType.INTEGER, "Undelivered or failed"),
)


class NoticeEvidence:
    """The notifications domain's EvidenceProvider (service/evidence.py)."""

    def registers(self, period: Period) -> Sequence[Register]:
        return (
            Register(
                "interruptions",
                str(_l("Interruptions")),
                INTERRUPTION_COLUMNS,
                lambda: interruption_rows(period),
            ),
            Register(
                "notices_sent",
                str(_l("Notices sent")),
                NOTICE_COLUMNS,
                lambda: notice_rows(period),
            ),
        )

    def figures(self, period: Period) -> Sequence[Figure]:
        lead = current_settings().planned_notice_lead
        notice = planned_notice_figures(period)
        stats = interruption_figures(period)
        sms = sms_delivery_figures(period)
        return [
            Figure(
                "interruptions_total",
                stats["total"],
                Unit.COUNT,
                _("Interruptions"),
                source=STATISTICS_SOURCE,
            ),
            Figure(
                "unplanned_interruptions_total",
                stats["unplanned"],
                Unit.COUNT,
                _("Unplanned interruptions"),
                source=STATISTICS_SOURCE,
            ),
            Figure(
                "planned_interruptions_total",
                stats["planned"],
                Unit.COUNT,
                _("Planned interruptions"),
                source=STATISTICS_SOURCE,
            ),
            Figure(
                "average_interruption_hours",
                stats["average_hours"],
                Unit.HOURS,
                _("Average length of an interruption"),
                source=STATISTICS_SOURCE,
            ),
            Figure(
                "interruptions_over_10h_share",
                stats["share_over_10h"],
                Unit.SHARE,
                _("Interruptions longer than 10 hours"),
                source=STATISTICS_SOURCE,
            ),
            Figure(
                "interruptions_over_24h_share",
                stats["share_over_24h"],
                Unit.SHARE,
                _("Interruptions longer than 24 hours"),
                source=STATISTICS_SOURCE,
            ),
            Figure(
                "customer_interruption_hours_per_customer",
                stats["hours_per_customer"],
                Unit.HOURS,
                _("Interruption hours per customer (affected buildings × hours ÷ customers)"),
                source=STATISTICS_SOURCE,
            ),
            Figure(
                "supply_reliability_share",
                stats["supply_reliability"],
                Unit.SHARE,
                _("Supply reliability (1 − hours per customer ÷ hours in the period)"),
                source=STATISTICS_SOURCE,
            ),
            Figure(
                "planned_interruptions_notified_in_time_share",
                notice["share_in_time"],
                Unit.SHARE,
                _("Planned interruptions announced in time"),
                rule=ngettext(
                    "Announced at least %(num)d day ahead",
                    "Announced at least %(num)d days ahead",
                    lead.value,
                ),
                source=lead.source,
                target=1.0,
            ),
            Figure(
                "sms_delivered_share",
                sms["share"],
                Unit.SHARE,
                _("Notice text messages delivered to the phone"),
                source=A3_SOURCE,
            ),
        ]
