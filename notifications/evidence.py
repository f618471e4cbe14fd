"""Evidence of the notifications domain for the compliance export (read-only, aggregated in SQL).

Interruption figures follow Finnish Energy's interruption statistics and the IGCP A3 standard
(REGULATION.md "Key figures" and "Compliance evidence"): how many, how long, how many over 10 h
and 24 h, interruption hours per customer, the share of planned ones announced in time, and how
many notice SMS reached a phone. An interruption belongs to the period in which it started;
drafts (never published) and cancelled planned work are not interruptions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from notifications.models import Outage, OutageKind, OutageStatus
from notifications.sms.models import MessageKind, MessageStatus, OutboxMessage
from service.db import hours_between
from service.evidence import Figure, Period, Register, Unit
from service.extensions import db
from service.settings import current_settings

STATISTICS_SOURCE = "Finnish Energy, district heating interruption statistics"
A3_SOURCE = "Ciepło Systemowe, Karta Standardów A3"
_HANDED_OVER = (
    MessageStatus.SENT,
    MessageStatus.DELIVERED,
    MessageStatus.UNDELIVERED,
    MessageStatus.FAILED,
)


def _share(part: int | float | None, whole: int | float | None) -> float | None:
    return float(part or 0) / whole if whole else None


def planned_notice_figures(period: Period) -> dict[str, Any]:
    """Planned interruptions first published in the period: announced in time vs late.

    Reported as "share of planned interruptions notified in advance" (REGULATION.md key figures).
    """
    start, end = period.utc_bounds(current_settings().timezone)
    published, late = db.session.execute(
        sa.select(
            sa.func.count(Outage.id),
            sa.func.count(Outage.id).filter(Outage.notice_late.is_(True)),
        ).where(
            Outage.kind == OutageKind.PLANNED,
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
    return {
        "unplanned": unplanned,
        "planned": planned,
        "ended": ended_count,
        "average_hours": round(float(average), 2) if average is not None else None,
        "share_over_10h": _share(over_10, ended_count),
        "share_over_24h": _share(over_24, ended_count),
        "hours_per_customer": (
            round(float(customer_hours or 0) / settings.customers_served, 4)
            if ended_count
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


class NoticeEvidence:
    """The notifications domain's EvidenceProvider (service/evidence.py)."""

    def registers(self, period: Period) -> Sequence[Register]:
        return ()  # the compliance export (issue 13) fills these in

    def figures(self, period: Period) -> Sequence[Figure]:
        lead = current_settings().planned_notice_lead
        notice = planned_notice_figures(period)
        stats = interruption_figures(period)
        sms = sms_delivery_figures(period)
        return [
            Figure(
                "notifications.unplanned_interruptions",
                stats["unplanned"],
                Unit.COUNT,
                _("Unplanned interruptions"),
                source=STATISTICS_SOURCE,
            ),
            Figure(
                "notifications.planned_interruptions",
                stats["planned"],
                Unit.COUNT,
                _("Planned interruptions"),
                source=STATISTICS_SOURCE,
            ),
            Figure(
                "notifications.average_interruption_hours",
                stats["average_hours"],
                Unit.HOURS,
                _("Average length of an interruption"),
                source=STATISTICS_SOURCE,
            ),
            Figure(
                "notifications.share_over_10_hours",
                stats["share_over_10h"],
                Unit.SHARE,
                _("Interruptions longer than 10 hours"),
                source=STATISTICS_SOURCE,
            ),
            Figure(
                "notifications.share_over_24_hours",
                stats["share_over_24h"],
                Unit.SHARE,
                _("Interruptions longer than 24 hours"),
                source=STATISTICS_SOURCE,
            ),
            Figure(
                "notifications.interruption_hours_per_customer",
                stats["hours_per_customer"],
                Unit.HOURS,
                _("Interruption hours per customer (affected buildings × hours ÷ customers)"),
                source=STATISTICS_SOURCE,
            ),
            Figure(
                "notifications.planned_announced_in_time_share",
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
                "notifications.sms_delivered_share",
                sms["share"],
                Unit.SHARE,
                _("Notice text messages delivered to the phone"),
                source=A3_SOURCE,
            ),
        ]
