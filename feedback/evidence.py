"""Evidence of the feedback domain for the compliance export and the staff overview.

Key figures (REGULATION.md): share of complaints and feedback answered within the deadline,
median answer time, satisfaction score (IGCP B2). Spam is left out and counted apart.
"""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

import sqlalchemy as sa

from feedback.models import Case, CaseStatus
from service.db import utcnow
from service.extensions import db
from service.i18n import year_bounds


def case_figures(year: int, now: dt.datetime | None = None) -> dict[str, Any]:
    """Cases received in `year` (local): answered in time, late, still open, and satisfaction."""
    now = now or utcnow()
    start, end = year_bounds(year)
    rows = db.session.execute(
        sa.select(
            Case.type,
            Case.is_spam,
            Case.received_at,
            Case.deadline_at,
            Case.first_answered_at,
            Case.satisfaction_score,
            Case.deemed_accepted_at,
            Case.status,
        ).where(Case.received_at >= start, Case.received_at < end)
    ).all()
    cases = [r for r in rows if not r.is_spam]
    answered = [r for r in cases if r.first_answered_at is not None]
    in_time = [r for r in answered if r.first_answered_at <= r.deadline_at]
    open_overdue = [  # a case waiting for the customer has its clock stopped
        r
        for r in cases
        if r.first_answered_at is None
        and r.deadline_at < now
        and r.status is not CaseStatus.WAITING_FOR_CUSTOMER
    ]
    hours = [(r.first_answered_at - r.received_at).total_seconds() / 3600 for r in answered]
    scores = [r.satisfaction_score for r in cases if r.satisfaction_score is not None]
    by_type: dict[str, int] = {}
    for r in cases:
        by_type[r.type.value] = by_type.get(r.type.value, 0) + 1
    return {
        "year": year,
        "received": len(cases),
        "by_type": by_type,
        "answered": len(answered),
        "answered_in_time": len(in_time),
        "share_answered_in_time": (len(in_time) / len(answered)) if answered else None,
        "open_past_deadline": len(open_overdue),
        "deemed_accepted": sum(1 for r in cases if r.deemed_accepted_at is not None),
        "median_answer_hours": round(statistics.median(hours), 1) if hours else None,
        "surveys": len(scores),
        "satisfaction_average": round(statistics.fmean(scores), 2) if scores else None,
        "spam_excluded": len(rows) - len(cases),
    }
