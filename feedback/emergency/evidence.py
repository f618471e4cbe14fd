"""Evidence of the emergency line (Ciepło Systemowe A2) for the compliance export.

Every figure is one aggregate in the database over the period's calls (a large utility logs
tens of thousands a year). Time to answer, to dispatch and to arrive are figures, not measured
against a deadline: no legal or IGCP number exists for them (REGULATION.md). The hours with
nobody on the roster come from the roster (a handful of rows), walked hour by hour.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from feedback.emergency.models import (
    HEATING_REQUESTS,
    Callback,
    CallChannel,
    EmergencyCall,
    Problem,
)
from feedback.emergency.queries import missed_clause
from feedback.emergency.roster import uncovered_hours
from service.db import hours_between, median
from service.evidence import Column, FieldType, Figure, Period, Register, Unit, plain
from service.extensions import db
from service.settings import current_settings

A2_SOURCE = "Ciepło Systemowe, Karta Standardów A2"
FIGURE_ONLY = "no legal or IGCP number: reported as a figure, not a deadline"


def percentile(session: Any, values: sa.Select[Any], share: float) -> float | None:
    """The nearest-rank percentile of a one-column query, by the database (count, then one
    value); None when there are none."""
    sub = values.subquery()
    column = sub.c[0]
    count = session.scalar(sa.select(sa.func.count(column)).select_from(sub))
    if not count:
        return None
    rank = max(1, math.ceil(share * count))
    value = session.scalar(
        sa.select(column).where(column.is_not(None)).order_by(column).offset(rank - 1).limit(1)
    )
    return float(value) if value is not None else None


def _round(value: float | None, digits: int = 4) -> float | None:
    return round(value, digits) if value is not None else None


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


class EmergencyEvidence:
    """The emergency line's EvidenceProvider (service/evidence.py)."""

    def _bounds(self, period: Period) -> sa.ColumnElement[bool]:
        start, end = period.utc_bounds(current_settings().timezone)
        return sa.and_(EmergencyCall.received_at >= start, EmergencyCall.received_at < end)

    def figures(self, period: Period) -> Sequence[Figure]:
        settings = current_settings()
        rules = settings.emergency
        in_period = self._bounds(period)
        twilio = EmergencyCall.channel == CallChannel.TWILIO
        missed = missed_clause()
        callback_in_time = sa.and_(
            Callback.done_at.is_not(None), Callback.done_at <= Callback.due_at
        )
        supply = EmergencyCall.problem == Problem.SUPPLY_RETURN
        supply_in_time = sa.or_(
            sa.and_(
                EmergencyCall.informed_in_writing.is_(False),
                hours_between(EmergencyCall.received_at, EmergencyCall.informed_at)
                <= rules.supply_answer_phone.value,
            ),
            sa.and_(
                EmergencyCall.informed_in_writing.is_(True),
                hours_between(EmergencyCall.received_at, EmergencyCall.informed_at)
                <= rules.supply_answer_writing.value * 24,
            ),
        )
        heating = EmergencyCall.problem.in_(HEATING_REQUESTS)
        heating_in_time = (
            hours_between(EmergencyCall.received_at, EmergencyCall.resolved_at)
            <= rules.heating_request.value
        )
        row = db.session.execute(
            sa.select(
                sa.func.count(EmergencyCall.id),
                sa.func.count(EmergencyCall.id).filter(twilio),
                sa.func.count(EmergencyCall.id).filter(
                    twilio, EmergencyCall.answered_at.is_not(None)
                ),
                sa.func.count(EmergencyCall.id).filter(missed),
                sa.func.count(EmergencyCall.id).filter(missed, callback_in_time),
                sa.func.count(EmergencyCall.id).filter(EmergencyCall.outage_id.is_not(None)),
                sa.func.count(sa.distinct(EmergencyCall.outage_id)),
                sa.func.count(EmergencyCall.id).filter(supply),
                sa.func.count(EmergencyCall.id).filter(supply, supply_in_time),
                sa.func.count(EmergencyCall.id).filter(heating),
                sa.func.count(EmergencyCall.id).filter(heating, heating_in_time),
                sa.func.count(EmergencyCall.id).filter(EmergencyCall.duty_covered.is_(False)),
            )
            .select_from(EmergencyCall)
            .outerjoin(Callback, Callback.call_id == EmergencyCall.id)
            .where(in_period)
        ).one()
        (
            total,
            rang,
            answered,
            missed_count,
            called_back,
            linked,
            outages,
            supply_total,
            supply_ok,
            heating_total,
            heating_ok,
            uncovered_calls,
        ) = row
        wait = sa.select(EmergencyCall.wait_seconds / 3600.0).where(
            in_period, twilio, EmergencyCall.answered_at.is_not(None)
        )
        to_dispatch = sa.select(
            hours_between(EmergencyCall.received_at, EmergencyCall.dispatched_at)
        ).where(in_period, EmergencyCall.dispatched_at.is_not(None))
        to_arrive = sa.select(
            hours_between(EmergencyCall.received_at, EmergencyCall.on_site_at)
        ).where(in_period, EmergencyCall.on_site_at.is_not(None))
        start, end = period.utc_bounds(settings.timezone)
        empty_hours = len(uncovered_hours(start, end))
        figures = [
            Figure(
                "emergency_calls_total", total, Unit.COUNT, _("Emergency calls"), source=A2_SOURCE
            ),
            Figure(
                "emergency_calls_answered_share",
                _share(answered, rang),
                Unit.SHARE,
                _("Calls to the emergency line answered by the person on duty"),
                rule=_("The emergency line is answered 24 hours a day, 7 days a week"),
                source=A2_SOURCE,
                target=1.0,
            ),
            Figure(
                "emergency_time_to_answer_hours_median",
                _round(median(db.session, wait)),
                Unit.HOURS,
                _("Median time to answer"),
                rule=FIGURE_ONLY,
                source=A2_SOURCE,
            ),
            Figure(
                "emergency_time_to_answer_hours_p90",
                _round(percentile(db.session, wait, 0.9)),
                Unit.HOURS,
                _("Time to answer, 90th percentile"),
                rule=FIGURE_ONLY,
                source=A2_SOURCE,
            ),
            Figure(
                "emergency_calls_missed",
                missed_count,
                Unit.COUNT,
                _("Missed calls"),
                source=A2_SOURCE,
            ),
            Figure(
                "emergency_missed_called_back_in_time_share",
                _share(called_back, missed_count),
                Unit.SHARE,
                _("Missed calls called back within the promise"),
                rule=_("Called back within %(num)d minutes", num=rules.callback_minutes),
                source="FAIRHEAT_EMERGENCY_CALLBACK_MINUTES",
                target=1.0,
            ),
            Figure(
                "emergency_time_to_dispatch_hours_median",
                _round(median(db.session, to_dispatch), 2),
                Unit.HOURS,
                _("Median time from call to crew dispatched"),
                rule=FIGURE_ONLY,
                source=A2_SOURCE,
            ),
            Figure(
                "emergency_time_to_arrive_hours_median",
                _round(median(db.session, to_arrive), 2),
                Unit.HOURS,
                _("Median time from call to crew on site"),
                rule=FIGURE_ONLY,
                source=A2_SOURCE,
            ),
            Figure(
                "emergency_calls_per_outage",
                _round(linked / outages, 2) if outages else None,
                Unit.COUNT,
                _("Calls per interruption they were linked to"),
                source=A2_SOURCE,
            ),
            Figure(
                "emergency_supply_return_answered_in_time_share",
                _share(supply_ok, supply_total),
                Unit.SHARE,
                _("Callers asking when supply returns answered in time"),
                rule=_(
                    "Within %(hours)d hours by phone or %(days)d days in writing",
                    hours=rules.supply_answer_phone.value,
                    days=rules.supply_answer_writing.value,
                ),
                source=rules.supply_answer_phone.source,
                target=1.0,
            ),
            Figure(
                "emergency_heating_requests_in_time_share",
                _share(heating_ok, heating_total),
                Unit.SHARE,
                _("Requests to start or stop heating carried out in time"),
                rule=_("Within %(num)d hours", num=rules.heating_request.value),
                source=rules.heating_request.source,
                target=1.0,
            ),
            Figure(
                "emergency_roster_uncovered_hours",
                empty_hours,
                Unit.HOURS,
                _("Hours with nobody on the duty roster"),
                rule=_("The emergency line is answered 24 hours a day, 7 days a week"),
                source=A2_SOURCE,
                target=0,
            ),
            Figure(
                "emergency_calls_while_uncovered",
                uncovered_calls,
                Unit.COUNT,
                _("Calls while nobody was on the duty roster"),
                source=A2_SOURCE,
                target=0,
            ),
        ]
        figures += self._breakdown(in_period)
        return figures

    def _breakdown(self, in_period: sa.ColumnElement[bool]) -> list[Figure]:
        """Calls by type and by channel, one figure each (every value, zeros included)."""
        from feedback.emergency.labels import LABELS

        found: list[Figure] = []
        for column, kind, members in (
            (EmergencyCall.problem, "problem", list(Problem)),
            (EmergencyCall.channel, "channel", list(CallChannel)),
        ):
            counts: dict[Any, int] = {
                value: count
                for value, count in db.session.execute(
                    sa.select(column, sa.func.count(EmergencyCall.id))
                    .where(in_period)
                    .group_by(column)
                )
            }
            prefix = "emergency_calls_type_" if kind == "problem" else "emergency_calls_channel_"
            for member in members:
                found.append(
                    Figure(
                        prefix + member.value,
                        counts.get(member, 0),
                        Unit.COUNT,
                        LABELS.label(kind, member),
                        source=A2_SOURCE,
                    )
                )
        return found

    def registers(self, period: Period) -> Sequence[Register]:
        in_period = self._bounds(period)
        columns = (
            Column("id", FieldType.INTEGER, "Call number"),
            Column("received_at", FieldType.DATETIME, "Received (UTC)"),
            Column("answered_at", FieldType.DATETIME, "Answered (UTC)"),
            Column("channel", FieldType.STRING, "twilio, phone, sms, walk_in, other"),
            Column("problem", FieldType.STRING, "What was wrong"),
            Column("priority", FieldType.STRING, "danger, vulnerable, normal"),
            Column("scope", FieldType.STRING, "building or flat"),
            Column("caller_kind", FieldType.STRING, "contract_customer, resident, other"),
            Column("postcode", FieldType.STRING, "Postcode"),
            Column("street", FieldType.STRING, "Street"),
            Column("house_number", FieldType.STRING, "House number", personal=True),
            Column("caller_name", FieldType.STRING, "Caller", personal=True),
            Column("caller_phone", FieldType.STRING, "Caller's phone (E.164)", personal=True),
            Column("description", FieldType.STRING, "What the caller said", personal=True),
            Column("verified_at", FieldType.DATETIME, "Verified (UTC)"),
            Column("dispatched_at", FieldType.DATETIME, "Crew dispatched (UTC)"),
            Column("on_site_at", FieldType.DATETIME, "Crew on site (UTC)"),
            Column("resolved_at", FieldType.DATETIME, "Resolved (UTC)"),
            Column("informed_at", FieldType.DATETIME, "Caller informed (UTC)"),
            Column("outcome", FieldType.STRING, "Outcome"),
            Column("outage_id", FieldType.INTEGER, "Interruption the call belongs to"),
            Column("call_status", FieldType.STRING, "Twilio call status"),
            Column("wait_seconds", FieldType.INTEGER, "Seconds until answered"),
            Column("talk_seconds", FieldType.INTEGER, "Seconds talked"),
            Column("duty_covered", FieldType.BOOLEAN, "A duty slot covered the moment"),
            Column("twilio_call_sid", FieldType.STRING, "Twilio CallSid"),
            Column("callback_due_at", FieldType.DATETIME, "Callback due (UTC)"),
            Column("callback_done_at", FieldType.DATETIME, "Called back (UTC)"),
        )
        names = [c.name for c in columns]

        def rows() -> Iterator[tuple[Any, ...]]:
            # Enums as their text and datetimes as stored (service.evidence.plain): no
            # per-value conversion on 50,000 calls a year.
            call_columns = [plain(getattr(EmergencyCall, n)) for n in names[:-2]]
            query = (
                sa.select(*call_columns, plain(Callback.due_at), plain(Callback.done_at))
                .outerjoin(Callback, Callback.call_id == EmergencyCall.id)
                .where(in_period)
                .order_by(EmergencyCall.id)
                .execution_options(yield_per=5000)
            )
            result = db.session.connection().execute(query)  # Core: no ORM row loading
            try:
                yield from result.tuples()
            finally:
                result.close()

        return [Register("emergency_calls", _("Emergency calls"), columns, rows)]
