"""The emergency line's evidence: figures aggregated in the database for a period, with rule and
source; the register streams every call, personal columns flagged."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from feedback.emergency.evidence import EmergencyEvidence
from feedback.emergency.models import Callback, CallStatus, DutySlot, EmergencyCall
from service.db import utcnow
from service.evidence import Period, Unit
from service.extensions import db
from service.i18n import to_local


def call(received: dt.datetime, **fields) -> EmergencyCall:
    row = EmergencyCall(
        received_at=received,
        channel=fields.pop("channel", "twilio"),
        problem=fields.pop("problem", "no_heating"),
        language="fi",
        logged_by="test",
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    return row


def figures(period: Period) -> dict:
    return {f.id: f for f in EmergencyEvidence().figures(period)}


def test_no_calls_is_no_data_not_zero_percent(app):
    today = to_local(utcnow()).date()
    found = figures(Period(today, today))
    assert found["emergency_calls_total"].value == 0
    assert found["emergency_calls_answered_share"].value is None
    assert found["emergency_time_to_answer_hours_median"].value is None
    assert found["emergency_roster_uncovered_hours"].value == 24


def test_figures_of_a_night(app):
    now = utcnow().replace(microsecond=0)
    today = to_local(now).date()
    start = now - dt.timedelta(hours=1)
    for weekday in range(7):
        db.session.add(
            DutySlot(
                weekday=weekday, start_minute=0, end_minute=1440, name="M", phone="+358401110001"
            )
        )
    for wait in (10, 20, 30, 40, 100):
        call(
            start,
            answered_at=start + dt.timedelta(seconds=wait),
            wait_seconds=wait,
            call_status=CallStatus.COMPLETED,
        )
    missed = call(start, call_status=CallStatus.NO_ANSWER)
    db.session.add(
        Callback(
            call_id=missed.id,
            reason="missed",
            due_at=start + dt.timedelta(minutes=30),
            done_at=start + dt.timedelta(minutes=10),
        )
    )
    late = call(start, call_status=CallStatus.BUSY)
    db.session.add(
        Callback(
            call_id=late.id,
            reason="missed",
            due_at=start + dt.timedelta(minutes=30),
            done_at=start + dt.timedelta(minutes=50),
        )
    )
    call(
        start, channel="phone", problem="supply_return", informed_at=start + dt.timedelta(hours=11)
    )
    call(
        start, channel="phone", problem="supply_return", informed_at=start + dt.timedelta(hours=13)
    )
    call(
        start,
        channel="phone",
        problem="start_heating",
        resolved_at=start + dt.timedelta(hours=3),
        outcome="request_carried_out",
        dispatched_at=start + dt.timedelta(minutes=30),
        on_site_at=start + dt.timedelta(minutes=90),
    )
    call(start, channel="sms", duty_covered=False)
    db.session.commit()
    found = figures(Period(today - dt.timedelta(days=1), today))
    assert found["emergency_calls_total"].value == 11
    assert found["emergency_calls_answered_share"].value == 5 / 7
    assert found["emergency_calls_answered_share"].unit is Unit.SHARE
    assert found["emergency_time_to_answer_hours_median"].value == round(30 / 3600, 4)
    assert found["emergency_time_to_answer_hours_p90"].value == round(100 / 3600, 4)
    assert found["emergency_calls_missed"].value == 2
    assert found["emergency_missed_called_back_in_time_share"].value == 0.5
    assert found["emergency_supply_return_answered_in_time_share"].value == 0.5
    assert "12" in found["emergency_supply_return_answered_in_time_share"].rule
    assert found["emergency_heating_requests_in_time_share"].value == 1.0
    assert found["emergency_time_to_dispatch_hours_median"].value == 0.5
    assert found["emergency_time_to_arrive_hours_median"].value == 1.5
    assert found["emergency_calls_while_uncovered"].value == 1
    assert found["emergency_roster_uncovered_hours"].value == 0
    assert found["emergency_calls_type_supply_return"].value == 2
    assert found["emergency_calls_channel_sms"].value == 1
    assert all(f.source for f in found.values())


def test_register_streams_calls_in_order_with_personal_columns_flagged(app):
    now = utcnow().replace(microsecond=0)
    first = call(now, caller_phone="+358401234567", caller_name="Matti")
    db.session.add(Callback(call_id=first.id, reason="missed", due_at=now))
    call(now, channel="phone")
    db.session.commit()
    today = to_local(now).date()
    [register] = EmergencyEvidence().registers(Period(today, today))
    assert register.name == "emergency_calls"
    personal = {c.name for c in register.columns if c.personal}
    assert {"caller_name", "caller_phone", "description", "house_number"} <= personal
    rows = list(register.rows())
    names = [c.name for c in register.columns]
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    assert rows[0][names.index("caller_phone")] == "+358401234567"
    assert rows[0][names.index("channel")] == "twilio"
    assert rows[0][names.index("callback_due_at")] is not None
    assert all(len(r) == len(names) for r in rows)
    assert db.session.scalar(sa.select(sa.func.count(EmergencyCall.id))) == 2
