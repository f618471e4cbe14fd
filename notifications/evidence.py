"""Evidence of the notifications domain for the compliance export (read-only queries)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app

from notifications.models import Outage, OutageKind
from service.extensions import db
from service.i18n import year_bounds


def planned_notice_figures(year: int) -> dict[str, Any]:
    """Planned interruptions first published in `year` (local): notified in time vs late.

    Reported as "share of planned interruptions notified in advance" (REGULATION.md key figures).
    """
    start, end = year_bounds(year)
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
        "year": year,
        "planned_published": published,
        "notified_in_time": on_time,
        "late": late,
        "share_in_time": (on_time / published) if published else None,
        "rule": current_app.config["FAIRHEAT"].planned_notice_lead,
    }
