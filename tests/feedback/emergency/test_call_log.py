"""The incoming call's row is written off the request path by this process's call-log writer
(feedback/emergency/call_log.py): it is written without anyone asking, the later webhooks of the
call find it, a process ending normally writes what it holds, and a row lost with a killed
process is logged by the reconciliation job (or by the call's next webhook)."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from feedback.emergency import call_log, voice
from feedback.emergency.models import Callback, CallStatus, EmergencyCall
from feedback.emergency.reconciliation import reconcile_calls
from service.extensions import db
from tests.feedback.emergency.support import (
    CALLER,
    DUTY,
    FI_LINE,
    incoming,
    on_duty_all_week,
    signed_post,
    voice_env,
)


@pytest.fixture
def settings_env(fake):
    fake.reset()
    return voice_env(fake)


@pytest.fixture(autouse=True)
def on_duty(fresh_line):
    on_duty_all_week()


@pytest.fixture
def writer_waits(monkeypatch):
    """The writer's thread holds what is queued for a minute: only a flush writes it."""
    monkeypatch.setattr(call_log, "FLUSH_WITHIN", 60.0)


def stored() -> list[EmergencyCall]:
    """The rows in the database, without flushing anything."""
    db.session.rollback()
    db.session.expire_all()
    return list(db.session.scalars(sa.select(EmergencyCall).order_by(EmergencyCall.id)))


def test_a_queued_row_is_written_by_the_writer_within_moments(client):
    sid = "CA" + "1" * 32
    assert signed_post(client, "/twilio/voice/incoming", incoming(sid)).status_code == 200
    deadline = time.monotonic() + 5
    while not stored() and time.monotonic() < deadline:
        time.sleep(0.02)
    [call] = stored()
    assert (call.twilio_call_sid, call.logged_by, call.reconciled) == (sid, "twilio", False)
    assert call.call_status is CallStatus.RINGING and call.caller_phone == CALLER
    assert call_log.writer_for(db.engine).pending() == 0


def test_the_webhook_does_not_wait_and_the_dial_action_after_it_finds_the_row(client, writer_waits):
    sid = "CA" + "2" * 32
    signed_post(client, "/twilio/voice/incoming", incoming(sid))
    signed_post(client, "/twilio/voice/incoming", incoming(sid))  # Twilio's retry, same batch
    assert stored() == []  # queued, not written: the answer did not wait for the database
    assert call_log.writer_for(db.engine).pending() == 2
    signed_post(
        client,
        "/twilio/voice/dial?attempt=1",
        {**incoming(sid), "DialCallStatus": "completed", "DialCallDuration": "40"},
    )
    [call] = stored()
    assert call.logged_by == "twilio" and call.answered_by == f"Matti {DUTY}"
    assert call.talk_seconds == 40 and call.wait_seconds is not None


def test_the_status_callback_after_the_incoming_webhook_finds_the_row(client, writer_waits):
    sid = "CA" + "3" * 32
    signed_post(client, "/twilio/voice/incoming", incoming(sid))
    signed_post(client, "/twilio/voice/status", {**incoming(sid), "CallStatus": "canceled"})
    [call] = stored()
    assert call.logged_by == "twilio" and call.call_status is CallStatus.CANCELED
    assert call.callback is not None and call.callback.reason == "missed"


def test_what_is_queued_is_written_when_the_process_ends(client, writer_waits):
    sids = ["CA" + "4" * 32, "CA" + "5" * 32]
    for sid in sids:
        signed_post(client, "/twilio/voice/incoming", incoming(sid))
    assert stored() == []
    call_log._flush_at_exit()  # what atexit runs when a gunicorn worker exits
    assert [c.twilio_call_sid for c in stored()] == sids


def test_a_row_lost_with_a_killed_process_is_logged_by_the_reconciliation(
    client, fake, writer_waits
):
    sid = "CA" + "6" * 32
    signed_post(client, "/twilio/voice/incoming", incoming(sid))
    lost = call_log.writer_for(db.engine).abandon()  # killed before its writer ran
    assert [row["twilio_call_sid"] for row in lost] == [sid] and stored() == []
    fake.add_call(sid, from_=CALLER, to=FI_LINE, status="no-answer")
    assert reconcile_calls() == 1
    [call] = stored()
    assert call.reconciled and call.call_status is CallStatus.NO_ANSWER
    assert call.callback is not None
    assert reconcile_calls() == 0


def test_a_call_still_in_progress_is_left_to_its_webhooks(client, fake, writer_waits):
    sid = "CA" + "7" * 32
    fake.add_call(sid, from_=CALLER, to=FI_LINE, status="in-progress")
    assert reconcile_calls() == 0
    assert stored() == []


def test_a_status_callback_whose_ring_was_lost_logs_the_call_itself(client, fake, writer_waits):
    sid = "CA" + "8" * 32
    signed_post(client, "/twilio/voice/incoming", incoming(sid))
    call_log.writer_for(db.engine).abandon()
    response = signed_post(
        client,
        "/twilio/voice/status",
        {**incoming(sid), "CallStatus": "no-answer", "CallDuration": "35"},
    )
    assert response.status_code == 204
    [call] = stored()
    assert call.logged_by == voice.LATE_ACTOR and not call.reconciled
    assert call.call_status is CallStatus.NO_ANSWER and call.caller_phone == CALLER
    assert 34 <= (call.logged_at - call.received_at).total_seconds() <= 36
    assert call.callback is not None and call.callback.reason == "missed"
    # the reconciliation finds it known and adds nothing
    fake.add_call(sid, from_=CALLER, to=FI_LINE, status="no-answer")
    assert reconcile_calls() == 0
    assert db.session.scalar(sa.select(sa.func.count(Callback.id))) == 1


def test_a_recording_or_a_call_not_to_our_line_makes_no_row(client, writer_waits):
    sid = "CA" + "9" * 32
    params = {"CallSid": sid, "RecordingSid": "RE" + "a" * 32, "RecordingDuration": "3"}
    assert signed_post(client, "/twilio/voice/recording", params).status_code == 204
    other = {**incoming(sid, to="+358900000000"), "CallStatus": "completed"}
    assert signed_post(client, "/twilio/voice/status", other).status_code == 204
    assert stored() == []


def test_a_batch_the_database_refuses_once_is_written_on_the_next_try(client, writer_waits):
    """A busy SQLite file or a PostgreSQL restart refuses a batch for a moment: the writer
    tries again (three tries in 0.3 s) before leaving the call to reconciliation."""
    sid = "CA" + "7" * 32
    assert signed_post(client, "/twilio/voice/incoming", incoming(sid)).status_code == 200
    refused = []

    def refuse_once(conn, cursor, statement, parameters, context, executemany):
        insert = statement.lstrip().upper().startswith("INSERT")
        if insert and "emergency_calls" in statement and not refused:
            refused.append(statement)
            raise sa.exc.OperationalError(statement, parameters, Exception("database is locked"))

    sa.event.listen(db.engine, "before_cursor_execute", refuse_once)
    try:
        assert call_log.flush(db.engine) == 1
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", refuse_once)
    assert len(refused) == 1
    assert [c.twilio_call_sid for c in stored()] == [sid]
