"""Evidence of the feedback domain for the compliance export and the staff overview.

Key figures (REGULATION.md): share of complaints and feedback answered within the deadline,
median answer time, satisfaction score (IGCP B2). Spam is left out and counted apart. Every
figure is aggregated by the database (a large utility receives tens of thousands of cases a
year): no loop over rows here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from feedback.models import COMPLAINT_TYPES, Case, CaseStatus
from service.db import hours_between, median, utcnow
from service.evidence import Column, FieldType, Figure, Period, Register, Unit, plain
from service.extensions import db
from service.settings import current_settings

A4_SOURCE = "Ciepło Systemowe, Karta Standardów A4; Reilu kaukolämpö"
B2_SOURCE = "Ciepło Systemowe, Karta Standardów B2"
REILU_SOURCE = "Reilu kaukolämpö (Finnish Energy): feedback answered in 7 working days"


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
    complaints = sa.and_(genuine, Case.type.in_(COMPLAINT_TYPES))
    # The Reilu rule: cases under the 7-working-day rule (Finnish rule sets), whatever their type.
    reilu = sa.and_(genuine, Case.rule_value == 7, Case.rule_unit == "working_days")
    complaints_due, complaints_in_time = _due_and_in_time(complaints, now)
    reilu_due, reilu_in_time = _due_and_in_time(reilu, now)
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
        "complaints_due": complaints_due,
        "complaints_answered_in_time": complaints_in_time,
        "share_complaints_answered_in_time": _share(complaints_in_time, complaints_due),
        "seven_working_days_due": reilu_due,
        "share_within_7_working_days": _share(reilu_in_time, reilu_due),
    }


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _due_and_in_time(cases: sa.ColumnElement[bool], now: dt.datetime) -> tuple[int, int]:
    """Cases whose answer is due (answered, or unanswered past the deadline with the clock
    running) and those of them answered by their deadline."""
    answered = Case.first_answered_at.is_not(None)
    overdue = sa.and_(
        Case.first_answered_at.is_(None),
        Case.deadline_at < now,
        Case.status != CaseStatus.WAITING_FOR_CUSTOMER,
    )
    due, in_time = db.session.execute(
        sa.select(
            sa.func.count(Case.id).filter(sa.or_(answered, overdue)),
            sa.func.count(Case.id).filter(answered, Case.first_answered_at <= Case.deadline_at),
        ).where(cases)
    ).one()
    return due, in_time


def _genuine_in(period: Period) -> sa.ColumnElement[bool]:
    start, end = period.utc_bounds(current_settings().timezone)
    return sa.and_(Case.received_at >= start, Case.received_at < end, Case.is_spam.is_(False))


def case_rows(period: Period) -> Iterator[Sequence[object]]:
    """The cases register, by id (CASE_COLUMNS); spam left out."""
    prefix = current_settings().feedback.case_prefix
    query = (
        sa.select(
            Case.year,
            Case.id,
            # enums as their text, datetimes as stored: no per-value conversion (plain)
            plain(Case.type),
            plain(Case.area),
            plain(Case.channel),
            plain(Case.track),
            plain(Case.received_at),
            plain(Case.deadline_at),
            plain(Case.first_answered_at),
            sa.case(
                (Case.first_answered_at.is_(None), None),
                else_=Case.first_answered_at <= Case.deadline_at,
            ),
            hours_between(Case.received_at, Case.first_answered_at),
            plain(Case.outcome),
            Case.deemed_accepted_at.is_not(None),
            Case.satisfaction_score,
            Case.rule_value,
            plain(Case.rule_unit),
            Case.name,
            Case.email,
            Case.phone,
            Case.address,
            Case.description,
        )
        .where(_genuine_in(period))
        .order_by(Case.id)
        .execution_options(yield_per=2000)
    )
    for year, case_id, *values in db.session.connection().execute(query):
        in_time = values[7]
        values[7] = None if in_time is None else bool(in_time)
        values[10] = bool(values[10])
        yield (f"{prefix}-{year}-{case_id:06d}", *values)


CASE_COLUMNS = (
    Column("reference", FieldType.STRING, "Case reference number"),
    Column("type", FieldType.STRING, "feedback | question | complaint | billing_complaint | ..."),
    Column("area", FieldType.STRING, "Subject area"),
    Column("channel", FieldType.STRING, "How the case arrived"),
    Column("track", FieldType.STRING, "standard | complaint | phone_complaint | explanatory"),
    Column("received_at", FieldType.DATETIME, "Received (UTC)"),
    Column("deadline_at", FieldType.DATETIME, "Answer due (UTC), pauses included"),
    Column("answered_at", FieldType.DATETIME, "First answer (UTC)"),
    Column("answered_in_time", FieldType.BOOLEAN, "First answer by the deadline"),
    Column("answer_hours", FieldType.NUMBER, "Hours from receipt to the first answer"),
    Column("outcome", FieldType.STRING, "upheld | partly_upheld | rejected | ..."),
    Column("deemed_upheld", FieldType.BOOLEAN, "Deemed upheld for want of a timely answer"),
    Column("satisfaction", FieldType.INTEGER, "Survey score 1-5"),
    Column("rule_value", FieldType.INTEGER, "The deadline rule: its number"),
    Column("rule_unit", FieldType.STRING, "The deadline rule: days, working_days or hours"),
    Column("name", FieldType.STRING, "Customer's name", personal=True),
    Column("email", FieldType.STRING, "Customer's e-mail address", personal=True),
    Column("phone", FieldType.STRING, "Customer's phone number", personal=True),
    Column("address", FieldType.STRING, "Address of the matter", personal=True),
    Column("description", FieldType.STRING, "What the customer wrote", personal=True),
)


def survey_rows(period: Period) -> Iterator[Sequence[object]]:
    """Satisfaction survey answers of the period's cases, by case (SURVEY_COLUMNS)."""
    prefix = current_settings().feedback.case_prefix
    query = (
        sa.select(
            Case.year,
            Case.id,
            Case.surveyed_at,
            Case.satisfaction_score,
            Case.satisfaction_comment,
        )
        .where(_genuine_in(period), Case.satisfaction_score.is_not(None))
        .order_by(Case.id)
        .execution_options(yield_per=2000)
    )
    for year, case_id, *rest in db.session.execute(query):
        yield (f"{prefix}-{year}-{case_id:06d}", *rest)


SURVEY_COLUMNS = (
    Column("reference", FieldType.STRING, "Case reference number"),
    Column("answered_at", FieldType.DATETIME, "Survey answered (UTC)"),
    Column("score", FieldType.INTEGER, "1 (poor) to 5 (very good)"),
    Column("comment", FieldType.STRING, "The customer's comment", personal=True),
)


class CaseEvidence:
    """The feedback domain's EvidenceProvider (service/evidence.py)."""

    def registers(self, period: Period) -> Sequence[Register]:
        return (
            Register(
                "cases", _("Feedback and complaints"), CASE_COLUMNS, lambda: case_rows(period)
            ),
            Register(
                "survey_answers",
                _("Satisfaction survey answers"),
                SURVEY_COLUMNS,
                lambda: survey_rows(period),
            ),
        )

    def figures(self, period: Period) -> Sequence[Figure]:
        cases = period_case_figures(period)
        return [
            Figure(
                "cases_received_total",
                cases["received"],
                Unit.COUNT,
                _("Feedback and complaints received"),
                source=A4_SOURCE,
            ),
            Figure(
                "complaints_answered_in_time_share",
                cases["share_complaints_answered_in_time"],
                Unit.SHARE,
                _("Complaints answered within the deadline"),
                rule=_("Each complaint is answered by its deadline under the rule set"),
                source=A4_SOURCE,
                target=1.0,
            ),
            Figure(
                "feedback_answered_within_7_working_days_share",
                cases["share_within_7_working_days"],
                Unit.SHARE,
                _("Feedback answered within 7 working days"),
                rule=_("Answered within 7 working days"),
                source=REILU_SOURCE,
                target=1.0,
            ),
            Figure(
                "cases_open_past_deadline",
                cases["open_past_deadline"],
                Unit.COUNT,
                _("Still unanswered after the deadline"),
                source=A4_SOURCE,
                target=0,
            ),
            Figure(
                "median_answer_hours",
                cases["median_answer_hours"],
                Unit.HOURS,
                _("Median time to answer"),
                source=A4_SOURCE,
            ),
            Figure(
                "satisfaction_average",
                cases["satisfaction_average"],
                Unit.SCORE,
                _("Customer satisfaction (1–5)"),
                source=B2_SOURCE,
            ),
            Figure(
                "survey_answers_total",
                cases["surveys"],
                Unit.COUNT,
                _("Satisfaction survey answers"),
                source=B2_SOURCE,
            ),
        ]
