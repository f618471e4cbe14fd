"""A first quarter of 2025 at a Finnish utility with every figure computed by hand.

Period 2025-Q1 in Europe/Helsinki is [2024-12-31 22:00Z, 2025-03-31 21:00Z): it ends in summer
time, and the clocks went forward on 30 March (03:00 → 04:00), so it has 90 × 24 − 1 = 2159
hours. Rows just inside and just outside both ends are there on purpose.
"""

from __future__ import annotations

import datetime as dt

from config.feedback_rules import Track
from feedback.models import (
    Case,
    CaseStatus,
    CaseType,
    Channel,
    Outcome,
    ReplyChannel,
    SubjectArea,
)
from notifications.models import Cause, Impact, Outage, OutageKind, OutageStatus
from notifications.sms.models import MessageKind, MessageStatus, OutboxMessage
from service.extensions import db

PERIOD = "2025-Q1"
CUSTOMERS_SERVED = 100
PERIOD_HOURS = 2159


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def _outage(kind, starts, ended, buildings, *, published, status=None, late=False, **extra):
    planned = kind == OutageKind.PLANNED
    outage = Outage(
        kind=kind,
        impact=Impact.HEATING_AND_HOT_WATER,
        cause=Cause.MAINTENANCE if planned else Cause.LEAK,
        status=status or (OutageStatus.COMPLETED if planned else OutageStatus.RESTORED),
        starts_at=utc(starts),
        ended_at=utc(ended) if ended else None,
        affected_buildings=buildings,
        texts={"fi": "Katko"},
        first_published_at=utc(published) if published else None,
        required_notice_days=2 if planned else None,
        notice_late=late,
        late_notice_reason="Putki petti yllättäen" if late else None,
        created_by="test",
        **extra,
    )
    db.session.add(outage)
    db.session.flush()
    return outage


def _case(type_, received, deadline, answered=None, *, score=None, spam=False, status=None):
    case = Case(
        year=int(received[:4]),
        token_nonce="n" * 32,
        type=type_,
        area=SubjectArea.HEAT_SUPPLY,
        channel=Channel.WEB,
        track=Track.STANDARD,
        status=status or (CaseStatus.CLOSED if answered else CaseStatus.RECEIVED),
        description="Patterit ovat kylmiä.",
        name="Maija Meikäläinen",
        email="maija@example.fi",
        reply_channel=ReplyChannel.EMAIL,
        language="fi",
        received_at=utc(received),
        rule_value=7,
        rule_unit="working_days",
        rule_source="Reilu kaukolämpö",
        base_deadline_at=utc(deadline),
        deadline_at=utc(deadline),
        first_answered_at=utc(answered) if answered else None,
        answered_at=utc(answered) if answered else None,
        outcome=Outcome.UPHELD if answered else None,
        is_spam=spam,
        satisfaction_score=score,
        surveyed_at=utc(answered) + dt.timedelta(days=1) if score else None,
        satisfaction_comment="Hyvä" if score else None,
    )
    db.session.add(case)
    db.session.flush()
    return case


def _sms(outage_id, status, created, kind=MessageKind.NOTICE):
    db.session.add(
        OutboxMessage(
            event_key=f"test:{outage_id}:{status}:{created}:{kind}",
            kind=kind,
            outage_id=outage_id,
            phone="+358401234567",
            language="fi",
            body="Katko",
            encoding="GSM-7",
            segments=1,
            status=status,
            created_at=utc(created),
        )
    )


def load() -> dict[str, int]:
    """Write the quarter; returns the ids the tests refer to."""
    unplanned, planned = OutageKind.UNPLANNED, OutageKind.PLANNED
    o1 = _outage(
        unplanned, "2025-01-10T08:00", "2025-01-10T10:00", 10, published="2025-01-10T08:01"
    )
    # 02:30 → 15:30 on the local clock across the spring change: 12 real hours, not 13.
    o2 = _outage(unplanned, "2025-03-30T00:30", "2025-03-30T12:30", 5, published="2025-03-30T00:40")
    # 23:30 local on 31 March: the last half hour of the quarter.
    o3 = _outage(planned, "2025-03-31T20:30", "2025-04-01T02:30", 20, published="2025-03-25T20:30")
    # 00:30 local on 1 April: the next quarter's (published in this one).
    _outage(planned, "2025-03-31T21:30", "2025-04-01T03:30", 7, published="2025-03-20T08:00")
    # 23:30 local on 31 December 2024: the previous quarter's.
    _outage(planned, "2024-12-31T21:30", "2025-01-01T01:30", 7, published="2024-12-20T08:00")
    o6 = _outage(
        planned, "2025-02-15T06:00", "2025-02-16T18:00", 2, published="2025-02-14T06:00", late=True
    )
    _outage(
        planned,
        "2025-02-20T06:00",
        None,
        9,
        published="2025-02-10T06:00",
        status=OutageStatus.CANCELLED,
    )
    _outage(unplanned, "2025-02-21T06:00", "2025-02-21T08:00", 9, published=None)  # a draft

    for status in (MessageStatus.DELIVERED, MessageStatus.DELIVERED, MessageStatus.FAILED):
        _sms(o1.id, status, "2025-01-10T08:05")
    _sms(o1.id, MessageStatus.QUEUED, "2025-01-10T08:05")
    _sms(o3.id, MessageStatus.DELIVERED, "2025-03-31T21:30")  # after the quarter, local time
    _sms(None, MessageStatus.DELIVERED, "2025-02-01T10:00", kind=MessageKind.CASE)

    complaint, feedback, question = CaseType.COMPLAINT, CaseType.FEEDBACK, CaseType.QUESTION
    c1 = _case(complaint, "2025-01-05T10:00", "2025-01-14T10:00", "2025-01-07T10:00", score=5)
    _case(complaint, "2025-02-01T10:00", "2025-02-10T10:00", "2025-02-12T10:00", score=2)
    _case(feedback, "2025-03-31T20:00", "2025-04-09T20:00", "2025-04-01T08:00")  # 23:00 local
    _case(feedback, "2025-03-31T21:30", "2025-04-09T21:30", "2025-04-01T08:00")  # next quarter
    _case(complaint, "2025-02-03T10:00", "2025-02-12T10:00", spam=True)
    _case(question, "2025-03-10T10:00", "2025-03-19T10:00")  # never answered: overdue
    _case(feedback, "2025-01-20T10:00", "2025-01-29T10:00", "2025-01-21T10:00", score=4)
    db.session.commit()
    return {"o1": o1.id, "o2": o2.id, "o3": o3.id, "o6": o6.id, "c1": c1.id}


# Hand-computed from the rows above.
EXPECTED = {
    "interruptions_total": 4,  # o1, o2, o3, o6
    "unplanned_interruptions_total": 2,
    "planned_interruptions_total": 2,
    "average_interruption_hours": 14.0,  # (2 + 12 + 6 + 36) / 4
    "interruptions_over_10h_share": 0.5,  # 12 h and 36 h
    "interruptions_over_24h_share": 0.25,  # 36 h
    # (2×10 + 12×5 + 6×20 + 36×2) / 100 customers
    "customer_interruption_hours_per_customer": 2.72,
    "supply_reliability_share": round(1 - 2.72 / PERIOD_HOURS, 6),
    # published in the quarter: o3 and the April one in time, o6 late
    "planned_interruptions_notified_in_time_share": 2 / 3,
    "sms_delivered_share": 2 / 3,  # of 3 handed over for o1 (the queued one is not)
    "cases_received_total": 5,  # spam and the 1 April case left out
    "complaints_answered_in_time_share": 0.5,
    # due: c1, c2, c3, c7 answered and the overdue question; in time: c1, c3, c7
    "feedback_answered_within_7_working_days_share": 0.6,
    "median_answer_hours": 36.0,  # 12, 24, 48, 264
    "satisfaction_average": 3.67,  # (5 + 2 + 4) / 3
    "survey_answers_total": 3,
}
