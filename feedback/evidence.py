"""Evidence of the feedback domain for the compliance export and the staff overview.

Key figures (REGULATION.md): share of complaints and feedback answered within the deadline,
median answer time, satisfaction score (IGCP B2). Spam is left out and counted apart. Every
figure is aggregated by the database (a large utility receives tens of thousands of cases a
year): no loop over rows here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from feedback.models import Case, CaseStatus
from service.db import hours_between, median, utcnow
from service.evidence import Figure, Period, Register, Unit
from service.extensions import db
from service.settings import current_settings

A4_SOURCE = "Ciepło Systemowe, Karta Standardów A4; Reilu kaukolämpö"
B2_SOURCE = "Ciepło Systemowe, Karta Standardów B2"


def case_figures(year: int, now: dt.datetime | None = None) -> dict[str, Any]:
    """The staff overview: cases received in a local calendar year."""
    return {"year": year, **period_case_figures(Period.year(year), now)}


def period_case_figures(period: Period, now: dt.datetime | None = None) -> dict[str, Any]:
    """Cases received in the period: answered in time, late, still open past their deadline,
    median answer time and satisfaction."""
    now = now or utcnow()
    start, end = period.utc_bounds(current_settings().timezone)
    in_period = sa.and_(Case.received_at >= start, Case.received_at < end)
    genuine = sa.and_(in_period, Case.is_spam.is_(False))
    answered = Case.first_answered_at.is_not(None)
    row = db.session.execute(
        sa.select(
            sa.func.count(Case.id).filter(Case.is_spam.is_(False)),
            sa.func.count(Case.id).filter(Case.is_spam.is_(True)),
            sa.func.count(Case.id).filter(Case.is_spam.is_(False), answered),
            sa.func.count(Case.id).filter(
                Case.is_spam.is_(False), answered, Case.first_answered_at <= Case.deadline_at
            ),
            # a case waiting for the customer has its clock stopped
            sa.func.count(Case.id).filter(
                Case.is_spam.is_(False),
                Case.first_answered_at.is_(None),
                Case.deadline_at < now,
                Case.status != CaseStatus.WAITING_FOR_CUSTOMER,
            ),
            sa.func.count(Case.id).filter(
                Case.is_spam.is_(False), Case.deemed_accepted_at.is_not(None)
            ),
            sa.func.count(Case.satisfaction_score).filter(Case.is_spam.is_(False)),
            sa.func.avg(Case.satisfaction_score).filter(Case.is_spam.is_(False)),
        ).where(in_period)
    ).one()
    received, spam, answered_count, in_time, overdue, deemed, surveys, score = row
    by_type = {
        kind.value: count
        for kind, count in db.session.execute(
            sa.select(Case.type, sa.func.count(Case.id))
            .where(genuine)
            .group_by(Case.type)
            .order_by(Case.type)
        ).tuples()
    }
    answer_hours = median(
        db.session,
        sa.select(hours_between(Case.received_at, Case.first_answered_at)).where(genuine, answered),
    )
    return {
        "period": str(period),
        "received": received,
        "by_type": by_type,
        "answered": answered_count,
        "answered_in_time": in_time,
        "share_answered_in_time": (in_time / answered_count) if answered_count else None,
        "open_past_deadline": overdue,
        "deemed_accepted": deemed,
        "median_answer_hours": round(answer_hours, 1) if answer_hours is not None else None,
        "surveys": surveys,
        "satisfaction_average": round(float(score), 2) if score is not None else None,
        "spam_excluded": spam,
    }


class CaseEvidence:
    """The feedback domain's EvidenceProvider (service/evidence.py)."""

    def registers(self, period: Period) -> Sequence[Register]:
        return ()  # the compliance export (issue 13) fills these in

    def figures(self, period: Period) -> Sequence[Figure]:
        cases = period_case_figures(period)
        return [
            Figure(
                "feedback.cases_received",
                cases["received"],
                Unit.COUNT,
                _("Feedback and complaints received"),
                source=A4_SOURCE,
            ),
            Figure(
                "feedback.answered_in_time_share",
                cases["share_answered_in_time"],
                Unit.SHARE,
                _("Answered within the deadline"),
                rule=_("Each case is answered by its deadline under the rule set"),
                source=A4_SOURCE,
                target=1.0,
            ),
            Figure(
                "feedback.open_past_deadline",
                cases["open_past_deadline"],
                Unit.COUNT,
                _("Still unanswered after the deadline"),
                source=A4_SOURCE,
                target=0,
            ),
            Figure(
                "feedback.median_answer_hours",
                cases["median_answer_hours"],
                Unit.HOURS,
                _("Median time to answer"),
                source=A4_SOURCE,
            ),
            Figure(
                "feedback.satisfaction_average",
                cases["satisfaction_average"],
                Unit.SCORE,
                _("Customer satisfaction (1–5)"),
                source=B2_SOURCE,
            ),
        ]
