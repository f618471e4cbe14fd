"""Polish rules end to end: 14 calendar days, 12 hours by phone, 30 days with an explanatory
procedure (switched with a reason), disconnection deemed accepted, pauses move the deadline."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from feedback.answering import answer_case, mark_deemed_accepted
from feedback.deadlines import current_deadline
from feedback.handling import customer_reply, request_information, switch_to_explanatory
from feedback.intake import submit_case
from feedback.models import Case, CaseStatus, Channel, EventKind
from feedback.queries import get_case
from feedback.schemas import CaseInputSchema, StaffCaseInputSchema
from service.calendar import add_calendar_days
from service.db import utcnow
from service.errors import Conflict
from service.extensions import db
from service.mail.models import EmailMessage
from tests.support.factories import case_payload
from tests.support.feedback import case_row

WARSAW = "Europe/Warsaw"


@pytest.fixture
def settings_env():
    return {"FAIRHEAT_JURISDICTION": "PL"}


def _local(*args: int) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime(*args, tzinfo=ZoneInfo(WARSAW))


def _submit(received: dt.datetime, **changes) -> Case:
    data = CaseInputSchema().load(case_payload(language="pl", **changes))
    return get_case(submit_case(data, received_at=received).case_id)


@pytest.mark.parametrize(
    ("received", "last_day"),
    [
        # 14 days from Fri 18 Dec 2026 is Fri 1 Jan 2027 (New Year) → Mon 4 Jan.
        (_local(2026, 12, 18, 10), dt.date(2027, 1, 4)),
        # 14 days from 10 Dec 2026 is 24 Dec: a holiday in Poland from 2025 → Mon 28 Dec.
        (_local(2026, 12, 10, 23, 30), dt.date(2026, 12, 28)),
        # Late evening local time is still that day (UTC would already be the next one).
        (_local(2026, 11, 2, 23, 50), dt.date(2026, 11, 16)),
        # 14 days from 22 Apr 2027 is 6 May (Thursday after 3 May): a plain working day.
        (_local(2027, 4, 22, 9), dt.date(2027, 5, 6)),
    ],
)
def test_written_complaint_fourteen_calendar_days(app, received, last_day):
    case = _submit(received)
    local = case.deadline_at.astimezone(received.tzinfo)
    assert local.date() == last_day
    assert (local.hour, local.minute, local.second) == (23, 59, 59)
    assert case.track.value == "complaint"
    assert "§ 26" in case.rule_source and case.rule_unit == "days" and case.rule_value == 14


def test_phone_complaint_twelve_hours_on_the_wall_clock(app):
    received = _local(2025, 12, 24, 20, 15)  # Christmas Eve evening: hours run 24/7
    data = StaffCaseInputSchema().load(
        case_payload(
            language="pl",
            channel="phone",
            received_at=received.isoformat(),
            email=None,
            phone="601 234 567",
        )
    )
    case = get_case(submit_case(data).case_id)
    assert case.channel is Channel.PHONE
    assert case.track.value == "phone_complaint"
    assert case.deadline_at == received.astimezone(dt.UTC) + dt.timedelta(hours=12)


def test_explanatory_procedure_needs_a_reason_and_moves_to_thirty_days(app, make_user):
    staff = make_user("customer_service")
    received = utcnow() - dt.timedelta(days=2)
    case = _submit(received)
    case = switch_to_explanatory(case.id, "Potrzebna opinia rzeczoznawcy.", staff.id, case.version)
    assert case.track.value == "explanatory"
    assert case.track_reason == "Potrzebna opinia rzeczoznawcy."
    assert case.deadline_at == add_calendar_days(received, 30, "PL", WARSAW)
    assert case.events[-1].kind is EventKind.TRACK_CHANGED
    told = db.session.scalars(
        sa.select(EmailMessage).where(EmailMessage.event_key.like(f"case:{case.id}:track:%"))
    ).one()  # the customer hears of the new date and the reason
    assert "Potrzebna opinia rzeczoznawcy." in told.body
    with pytest.raises(Conflict):  # only once, and only from the complaint tracks
        switch_to_explanatory(case.id, "again", staff.id, case.version)


def test_late_complaint_cannot_be_moved_to_the_explanatory_procedure(app, make_user):
    staff = make_user("customer_service")
    case = _submit(utcnow() - dt.timedelta(days=20))  # its 14 days are over
    with pytest.raises(Conflict):
        switch_to_explanatory(case.id, "za późno", staff.id, case.version)
    assert case_row(case.id).track.value == "complaint"


def test_disconnection_complaint_clock_does_not_stop_for_questions(app, make_user):
    staff = make_user("customer_service")
    case = _submit(utcnow() - dt.timedelta(days=13), type="disconnection_complaint")
    deadline = case.deadline_at
    case = request_information(case.id, "Numer licznika?", staff.id, case.version)
    assert current_deadline(case, utcnow() + dt.timedelta(days=5)) == deadline
    late = deadline + dt.timedelta(seconds=1)
    assert mark_deemed_accepted(late) == 1  # waiting for the customer changes nothing


def test_feedback_cannot_take_the_explanatory_procedure(app, make_user):
    staff = make_user("customer_service")
    case = _submit(_local(2026, 11, 2, 9), type="question")
    with pytest.raises(Conflict):
        switch_to_explanatory(case.id, "powód", staff.id, case.version)


def test_pause_while_waiting_for_the_customer_moves_the_deadline(app, make_user, monkeypatch):
    staff = make_user("customer_service")
    case = _submit(_local(2026, 11, 2, 9))
    base = case.deadline_at
    clock = [dt.datetime(2026, 11, 3, 10, tzinfo=dt.UTC)]  # question sent
    import feedback.handling as handling

    monkeypatch.setattr(handling, "utcnow", lambda: clock[0])
    case = request_information(case.id, "Prosimy o numer lokalu.", staff.id, case.version)
    clock[0] = dt.datetime(2026, 11, 5, 16, tzinfo=dt.UTC)  # the reply: 2 days 6 h later
    assert case.status is CaseStatus.WAITING_FOR_CUSTOMER
    assert case.deadline_at == base  # an open pause is added on show, not stored
    case = customer_reply(case, "Lokal nr 12.")
    assert case.status is CaseStatus.IN_PROGRESS
    assert case.deadline_at == base + dt.timedelta(days=2, hours=6)
    assert [p.ended_at for p in case.pauses] == [dt.datetime(2026, 11, 5, 16, tzinfo=dt.UTC)]


def test_disconnection_complaint_unanswered_is_deemed_accepted(app):
    received = _local(2026, 11, 2, 9)
    late = _submit(received, type="disconnection_complaint")
    answered = _submit(received, type="disconnection_complaint")
    answered.first_answered_at = received
    ordinary = _submit(received)
    db.session.commit()
    assert late.track.value == "disconnection"

    before = late.deadline_at - dt.timedelta(seconds=1)
    assert mark_deemed_accepted(before) == 0
    after = late.deadline_at + dt.timedelta(seconds=1)
    assert mark_deemed_accepted(after) == 1
    assert mark_deemed_accepted(after) == 0  # once
    assert case_row(late.id).deemed_accepted_at == after
    assert db.session.get(Case, answered.id).deemed_accepted_at is None
    assert db.session.get(Case, ordinary.id).deemed_accepted_at is None


@pytest.mark.parametrize(("days_ago", "on_time"), [(1, True), (20, False)])
def test_answer_is_recorded_as_on_time_or_late(app, make_user, days_ago, on_time):
    from service.db import utcnow

    staff = make_user("customer_service")
    case = _submit(utcnow() - dt.timedelta(days=days_ago))
    case = answer_case(
        case.id,
        {"text": "Odpowiedź", "action": "Wymieniono zawór.", "outcome": _outcome("upheld")},
        staff.id,
        case.version,
    )
    assert case.status is CaseStatus.CLOSED
    from service.audit import AuditEntry

    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "case.answered")
    ).one()
    assert entry.after["on_time"] is on_time


def _outcome(value: str):
    from feedback.models import Outcome

    return Outcome(value)
