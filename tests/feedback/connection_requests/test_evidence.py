"""Evidence for the compliance export: figures aggregated in SQL, the register streamed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from feedback.connection_requests import steps
from feedback.connection_requests.evidence import ConnectionEvidence, period_figures
from feedback.connection_requests.models import ConnectionRequest, LetterKind
from service.evidence import Period
from service.extensions import db
from tests.feedback.connection_requests.conftest import CONDITIONS, make_request

RECEIVED = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def decide_at(request_id: int, when: dt.datetime) -> None:
    """Move the decision's time (the service stamps now) to `when`."""
    db.session.execute(
        sa.update(ConnectionRequest)
        .where(ConnectionRequest.id == request_id)
        .values(decided_at=when)
    )
    db.session.commit()


def test_figures_of_a_period(app):
    data: dict[str, Any] = {**CONDITIONS, "capacity_kw": 240}
    on_time = make_request(received_at=RECEIVED)
    steps.mark_complete(on_time.id, None)
    steps.issue_conditions(on_time.id, None, data)
    decide_at(on_time.id, RECEIVED + dt.timedelta(days=10))
    late = make_request(received_at=RECEIVED)
    steps.mark_complete(late.id, None)
    steps.issue_conditions(late.id, None, data)
    decide_at(late.id, RECEIVED + dt.timedelta(days=40))
    prelim = make_request(received_at=RECEIVED, legal_title="none")
    steps.mark_complete(prelim.id, None)
    steps.issue_conditions(prelim.id, None, data, preliminary=True)
    decide_at(prelim.id, RECEIVED + dt.timedelta(days=5))
    refused = make_request(received_at=RECEIVED)
    steps.mark_complete(refused.id, None)
    steps.refuse(refused.id, None, {"category": "technical", "text": "Brak mocy"})
    decide_at(refused.id, RECEIVED + dt.timedelta(days=3))
    steps.record_letter_sent(refused.id, LetterKind.REFUSAL_TO_URE, dt.date(2026, 3, 6))
    open_late = make_request(received_at=RECEIVED)
    steps.mark_complete(open_late.id, None)
    withdrawn = make_request(received_at=RECEIVED)
    from feedback.connection_requests.models import Status

    steps.advance(withdrawn.id, None, Status.WITHDRAWN, text="Inwestycja wstrzymana")

    now = dt.datetime(2026, 4, 10, 12, tzinfo=dt.UTC)
    figures = period_figures(Period.year(2026), now)
    assert figures["received"] == 6
    assert figures["complete"] == 5
    assert figures["conditions_issued"] == 2
    assert figures["preliminary_conditions_issued"] == 1
    assert figures["refused"] == 1 and figures["refused_ure_notified"] == 1
    assert figures["on_time_share"] == 2 / 3  # two of three conditions (preliminary included)
    assert figures["median_days"] == 10.0
    # due 2026-04-01 23:59:59 Warsaw; on 10 April 14:00 Warsaw: 9 started days late
    assert figures["open_past_deadline"] == 1 and figures["days_late"] == 9
    assert figures["exposure"] == 9 * 1500
    assert figures["withdrawn"] == 1


def test_empty_period_is_no_data_not_zero_percent(app):
    figures = {f.id: f for f in ConnectionEvidence().figures(Period.year(2019))}
    assert figures["connection_conditions_on_time_share"].value is None
    assert figures["connection_requests_received"].value == 0
    assert figures["connection_conditions_on_time_share"].source


def test_register_marks_personal_columns_and_streams_in_order(app):
    first = make_request(received_at=RECEIVED)
    second = make_request(received_at=RECEIVED)
    (register,) = ConnectionEvidence().registers(Period.year(2026))
    assert register.name == "connection_requests"
    personal = {c.name for c in register.columns if c.personal}
    assert {"applicant_name", "email", "phone", "street"} <= personal
    rows = list(register.rows())
    assert [row[0] for row in rows] == [f"PR-2026-{first.id:06d}", f"PR-2026-{second.id:06d}"]
    assert all(len(row) == len(register.columns) for row in rows)
