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


def _as_the_orm_reads_it(request: ConnectionRequest, ure_sent_on: dt.date | None) -> tuple:
    """The register row from the request object (how the register was read before it read
    columns through Core)."""
    on_time = (
        request.decided_at <= request.conditions_due_at
        if request.decided_at and request.conditions_due_at
        else None
    )
    return (
        f"PR-{request.year}-{request.id:06d}",
        request.received_at,
        request.channel.value,
        request.applicant_kind.value,
        request.applicant_name,
        request.email,
        request.phone,
        request.postcode,
        f"{request.street} {request.house_number}",
        request.plot_number,
        request.preliminary,
        float(request.total_kw),
        request.status.value,
        request.complete_at,
        request.conditions_due_at,
        f"{request.rule_days} days: {request.rule_source}" if request.rule_days else None,
        request.extension_reason,
        request.decided_at,
        on_time,
        request.refusal_category.value if request.refusal_category else None,
        ure_sent_on,
        request.conditions_set_on,
        request.conditions_delivered_on,
        request.expires_on,
        request.agreement_signed_at,
        request.supply_started_at,
        request.connected_at,
        request.withdrawn_at,
    )


def _utc(value: Any) -> Any:
    """Datetimes compared as instants (SQLite gives them naive, in UTC)."""
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    return value


def test_register_rows_are_what_the_requests_hold(app):
    data: dict[str, Any] = {**CONDITIONS, "capacity_kw": 240}
    late = make_request(received_at=RECEIVED)
    steps.mark_complete(late.id, None)
    steps.issue_conditions(late.id, None, data)
    decide_at(late.id, RECEIVED + dt.timedelta(days=40))
    prelim = make_request(received_at=RECEIVED, legal_title="none")
    steps.mark_complete(prelim.id, None)
    steps.issue_conditions(prelim.id, None, data, preliminary=True)
    refused = make_request(received_at=RECEIVED)
    steps.mark_complete(refused.id, None)
    steps.refuse(refused.id, None, {"category": "technical", "text": "Brak mocy"})
    steps.record_letter_sent(refused.id, LetterKind.REFUSAL_TO_URE, dt.date(2026, 3, 6))
    withdrawn = make_request(received_at=RECEIVED)
    from feedback.connection_requests.models import Status

    steps.advance(withdrawn.id, None, Status.WITHDRAWN, text="Inwestycja wstrzymana")
    fresh = make_request(received_at=RECEIVED)
    db.session.expire_all()

    (register,) = ConnectionEvidence().registers(Period.year(2026))
    rows = [tuple(_utc(v) for v in row) for row in register.rows()]
    ure = {refused.id: dt.date(2026, 3, 6)}
    expected = [
        tuple(
            _utc(v) for v in _as_the_orm_reads_it(db.session.get(ConnectionRequest, i), ure.get(i))
        )
        for i in (late.id, prelim.id, refused.id, withdrawn.id, fresh.id)
    ]
    assert rows == expected
    assert rows[0][18] is False and rows[1][10] is True and rows[2][19] == "technical"
