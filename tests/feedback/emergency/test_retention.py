"""Emergency calls over time: the nightly run anonymises calls closed past their period (the
evidence's figures and the register's non-personal columns do not change), leaves open and held
calls alone and counts them in its audit entry; a data-subject request exports a caller's calls
and erases what is past its period, saying until when the rest is kept and why."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from feedback.emergency.evidence import EmergencyEvidence
from feedback.emergency.models import (
    Callback,
    CallChannel,
    CallStatus,
    EmergencyCall,
    Outcome,
    Problem,
)
from notifications.sms.models import MessageStatus, OutboxMessage
from notifications.sms.outbox import send_text_message
from service.audit import AuditEntry
from service.db import utcnow
from service.evidence import Period
from service.extensions import db
from service.i18n import to_local
from service.retention.job import run_retention
from service.settings import current_settings

PHONE = "+358401111112"
DUTY = "+358401110001"
NOW = utcnow().replace(microsecond=0)
LONG_AGO = NOW - dt.timedelta(days=8 * 365)
RECENTLY = NOW - dt.timedelta(days=20)


def call(received: dt.datetime, *, resolved: bool = True, **fields) -> EmergencyCall:
    values = {
        "channel": CallChannel.PHONE,
        "problem": Problem.NO_HEATING,
        "caller_name": "Anna Asukas",
        "caller_phone": PHONE,
        "postcode": "00100",
        "street": "Mannerheimintie",
        "street_key": "mannerheimintie",
        "house_number": "12 B 7",
        "description": "Patterit kylmiä, vauva kotona",
        "back_entry_reason": "Anna soitti kännykkääni",
        "answered_at": received + dt.timedelta(seconds=30),
        "dispatched_at": received + dt.timedelta(minutes=20),
        "on_site_at": received + dt.timedelta(minutes=70),
        "language": "fi",
        "logged_by": "dispatcher@example.fi",
        **fields,
    }
    if resolved:
        values.setdefault("resolved_at", received + dt.timedelta(hours=3))
        values.setdefault("outcome", Outcome.REPAIRED)
    row = EmergencyCall(received_at=received, **values)
    db.session.add(row)
    db.session.flush()
    return row


def missed_call(received: dt.datetime) -> EmergencyCall:
    """A Twilio call nobody answered, called back with a note, the lead alerted by SMS."""
    row = call(
        received,
        channel=CallChannel.TWILIO,
        answered_at=None,
        call_status=CallStatus.NO_ANSWER,
        wait_seconds=40,
        twilio_call_sid=f"CA{received.timestamp():032.0f}",
        recording_sid=f"RE{received.timestamp():032.0f}",
        recording_seconds=25,
        recording_deleted_at=received + dt.timedelta(days=90),
        outcome=Outcome.ADVICE_GIVEN,
    )
    db.session.add(
        Callback(
            call_id=row.id,
            reason="missed",
            due_at=received + dt.timedelta(minutes=30),
            created_at=received,
            done_at=received + dt.timedelta(minutes=12),
            note=f"Soitin takaisin numeroon {PHONE}",
        )
    )
    send_text_message(
        event_key=f"emergency:missed:{row.id}",
        phone=DUTY,
        language="fi",
        body=f"Vastaamaton hätäpuhelu numerosta {PHONE}: soita takaisin.",
    )
    db.session.flush()
    return row


def alert(call_id: int) -> OutboxMessage:
    return db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.event_key == f"emergency:missed:{call_id}")
    )


def deliver_alerts(at: dt.datetime) -> None:
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.event_key.like("emergency:%"))
        .values(status=MessageStatus.DELIVERED, status_at=at)
    )


def period_of(moment: dt.datetime) -> Period:
    day = to_local(moment).date()
    return Period(day - dt.timedelta(days=1), day + dt.timedelta(days=1))


def evidence_of(period: Period) -> tuple[dict, list]:
    """The figures, and the register's rows with the personal columns left out."""
    evidence = EmergencyEvidence()
    figures = {f.id: f.value for f in evidence.figures(period)}
    (register,) = evidence.registers(period)
    keep = [i for i, column in enumerate(register.columns) if not column.personal]
    rows = [tuple(row[i] for i in keep) for row in register.rows()]
    return figures, rows


def audit_entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def test_nightly_run_anonymises_closed_calls_past_their_period_and_keeps_the_figures(app, runner):
    old = call(LONG_AGO)
    missed = missed_call(LONG_AGO + dt.timedelta(minutes=5))
    recording_kept = call(
        LONG_AGO + dt.timedelta(minutes=10),
        channel=CallChannel.TWILIO,
        twilio_call_sid="CA" + "1" * 32,
        recording_sid="RE" + "1" * 32,  # Twilio has not deleted the audio yet
    )
    still_open = call(LONG_AGO + dt.timedelta(minutes=15), resolved=False)
    callback_due = call(LONG_AGO + dt.timedelta(minutes=20))
    db.session.add(
        Callback(call_id=callback_due.id, reason="promised", due_at=LONG_AGO, created_at=LONG_AGO)
    )
    held = call(LONG_AGO + dt.timedelta(minutes=25), description="Vahingonkorvausvaatimus")
    recent = call(RECENTLY)
    deliver_alerts(NOW)  # sent lately: the SMS's own period has not run out
    db.session.commit()
    ids = (old.id, missed.id, recording_kept.id, still_open.id, callback_due.id, held.id)
    hold = runner.invoke(
        args=["retention", "hold", "emergency_call", str(held.id), "--reason", "court 3/2027"]
    )
    assert hold.exit_code == 0, hold.output
    period = period_of(LONG_AGO)
    before = evidence_of(period)
    assert before[0]["emergency_calls_total"] == len(ids)

    counts = run_retention()

    assert counts["emergency_call"] == 3  # old, missed, recording_kept
    db.session.expire_all()
    assert evidence_of(period) == before
    for call_id in (old.id, missed.id, recording_kept.id):
        row = db.session.get(EmergencyCall, call_id)
        assert (row.caller_name, row.caller_phone, row.house_number) == (None, None, None)
        assert (row.description, row.back_entry_reason) == (None, None)
        # What the figures count stays.
        assert row.resolved_at is not None and row.outcome is not None
        assert (row.postcode, row.street, row.problem) == (
            "00100",
            "Mannerheimintie",
            Problem.NO_HEATING,
        )
    anonymised = db.session.get(EmergencyCall, missed.id)
    assert anonymised.recording_sid is None and anonymised.twilio_call_sid is not None
    assert anonymised.callback.note is None and anonymised.callback.done_at is not None
    assert alert(missed.id).body == "" and alert(missed.id).status is MessageStatus.DELIVERED
    # The purge job still needs the id of audio Twilio has not deleted.
    assert db.session.get(EmergencyCall, recording_kept.id).recording_sid == "RE" + "1" * 32
    for kept in (still_open.id, callback_due.id, held.id, recent.id):
        assert db.session.get(EmergencyCall, kept).caller_phone == PHONE

    (entry,) = audit_entries("retention.run")
    assert entry.after["changed"]["emergency_call"] == 3
    assert entry.after["held"]["emergency_call"] == 1
    assert entry.after["periods"]["emergency_call"] == "6y from year end"
    assert PHONE not in json.dumps(entry.after)

    again = runner.invoke(args=["retention", "run"])  # nothing left to do
    assert again.exit_code == 0, again.output
    assert "emergency_call\t0" in again.output

    runner.invoke(args=["retention", "release", str(hold.output.split()[1])])
    assert run_retention()["emergency_call"] == 1
    assert db.session.get(EmergencyCall, held.id).caller_phone is None


def test_a_caller_gets_their_calls_and_erasure_keeps_what_the_law_requires(app, runner):
    old = missed_call(LONG_AGO)
    recent = call(RECENTLY)
    still_open = call(RECENTLY, resolved=False, description="Vuoto porraskäytävässä")
    someone_else = call(LONG_AGO, caller_phone="+358401111113")
    deliver_alerts(LONG_AGO)
    db.session.commit()

    exported = runner.invoke(args=["subject", "export", "--phone", "040 1111112"])
    assert exported.exit_code == 0, exported.output
    calls = {c["id"]: c for c in json.loads(exported.output)["records"]["emergency_calls"]}
    assert set(calls) == {old.id, recent.id, still_open.id}
    assert calls[still_open.id]["description"] == "Vuoto porraskäytävässä"
    assert calls[still_open.id]["open"] is True
    assert calls[old.id]["caller_name"] == "Anna Asukas"
    assert calls[old.id]["callback"]["note"] == f"Soitin takaisin numeroon {PHONE}"
    assert PHONE in calls[old.id]["alerts_to_staff"][0]["text"]
    assert calls[recent.id]["house_number"] == "12 B 7"

    erased = runner.invoke(args=["subject", "erase", "--phone", PHONE, "--yes"])
    assert erased.exit_code == 0, erased.output
    outcome = json.loads(erased.output)
    assert outcome["erased"]["emergency_calls"] == 1
    reasons = {k["record"]: k["reason"] for k in outcome["kept"]}
    rule = current_settings().security.retention["emergency_call"]
    until = rule.kept_until(recent.resolved_at).isoformat()
    assert reasons[f"emergency_call {recent.id}"] == f"kept by law until {until} ({rule.source})"
    assert "still open" in reasons[f"emergency_call {still_open.id}"]

    db.session.expire_all()
    gone = db.session.get(EmergencyCall, old.id)
    assert (gone.caller_phone, gone.caller_name, gone.description) == (None, None, None)
    assert gone.callback.note is None and alert(old.id).body == ""
    assert db.session.get(EmergencyCall, recent.id).caller_phone == PHONE
    assert db.session.get(EmergencyCall, still_open.id).caller_phone == PHONE
    assert db.session.get(EmergencyCall, someone_else.id).caller_name == "Anna Asukas"

    again = json.loads(runner.invoke(args=["subject", "export", "--phone", PHONE]).output)
    assert {c["id"] for c in again["records"]["emergency_calls"]} == {recent.id, still_open.id}


def test_a_held_call_is_kept_through_erasure(app, runner):
    held = call(LONG_AGO)
    db.session.commit()
    runner.invoke(args=["retention", "hold", "emergency_call", str(held.id), "--reason", "x"])
    outcome = json.loads(runner.invoke(args=["subject", "erase", "--phone", PHONE, "--yes"]).output)
    assert outcome["erased"]["emergency_calls"] == 0
    assert {
        "record": f"emergency_call {held.id}",
        "reason": "under a legal hold (a claim or proceedings)",
    } in outcome["kept"]
    db.session.expire_all()
    assert db.session.get(EmergencyCall, held.id).caller_phone == PHONE


def test_the_audit_log_says_what_changed_without_copying_the_callers_data(app):
    from feedback.emergency.services import complete_callback, record_call, update_call

    logged = record_call(
        {
            "caller_name": "Anna Asukas",
            "caller_phone": PHONE,
            "postcode": "00100",
            "street": "Mannerheimintie",
            "house_number": "12 B 7",
            "description": "Patterit kylmiä, vauva kotona",
            "problem": Problem.NO_HEATING,
            "callback_due_at": NOW + dt.timedelta(minutes=30),
        },
        actor="user:1",
    )
    update_call(logged.id, {"caller_name": "Anna Virtanen", "priority": "vulnerable"})
    complete_callback(logged.id, note="Soitin Annalle")

    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.entity_type == "emergency_call")
    ).all()
    text = json.dumps([[e.before, e.after] for e in entries], default=str)
    for personal in ("Anna", "Asukas", PHONE, "12 B 7", "vauva"):
        assert personal not in text
    (recorded,) = [e for e in entries if e.action == "emergency_call.recorded"]
    assert recorded.after["caller_phone"] == "[personal data]"
    assert recorded.after["postcode"] == "00100"
    (updated,) = [e for e in entries if e.action == "emergency_call.updated"]
    assert updated.before["caller_name"] == updated.after["caller_name"] == "[personal data]"
    assert updated.after["priority"] == "vulnerable"
    assert db.session.get(EmergencyCall, logged.id).caller_name == "Anna Virtanen"
