"""The line never goes silent because of us: with the database unreachable the incoming call is
still answered with the dial to the person on duty (from this process's roster copy), and the
reconciliation job fills the call in from Twilio's Calls list (real SDK, fake Twilio on
loopback) once the database is back. Recordings are deleted at Twilio after their retention."""

from __future__ import annotations

import dataclasses
import datetime as dt

import lxml.etree
import pytest
import sqlalchemy as sa

from feedback.emergency import roster
from feedback.emergency.models import Callback, CallStatus, EmergencyCall
from feedback.emergency.reconciliation import delete_old_recordings, reconcile_calls
from notifications.sms.models import OutboxMessage
from service.audit import AuditEntry
from service.db import utcnow
from service.extensions import db
from tests.feedback.emergency.support import (
    CALLER,
    DUTY,
    FI_LINE,
    LEAD,
    incoming,
    logged_calls,
    on_duty_all_week,
    signed_post,
    voice_env,
)

pytestmark = pytest.mark.usefixtures("fresh_line")


@pytest.fixture
def settings_env(fake):
    fake.reset()
    return voice_env(fake)


class Unreachable(Exception):
    pass


@pytest.fixture
def database_down(app):
    """Every new connection to the database fails, as when its host is gone: on every engine
    (the app's, and the autocommit one single-statement writes use on PostgreSQL), whose pools
    are emptied first (disposing the app's engine disposes the other)."""
    engine = db.engine

    def refuse(dialect, conn_rec, cargs, cparams):
        raise dialect.loaded_dbapi.OperationalError("could not connect to server")

    def down() -> None:
        db.session.remove()
        engine.dispose()
        sa.event.listen(sa.engine.Engine, "do_connect", refuse)

    def up() -> None:
        sa.event.remove(sa.engine.Engine, "do_connect", refuse)

    yield down, up
    if sa.event.contains(sa.engine.Engine, "do_connect", refuse):
        up()


def test_database_down_during_a_call_still_dials_and_reconciliation_fills_it_in(
    client, fake, database_down
):
    down, up = database_down
    on_duty_all_week()
    roster.duty_now()  # this process's copy of the roster, made while the database was up
    down()
    sid = "CA" + "1" * 32
    response = signed_post(client, "/twilio/voice/incoming", incoming(sid))
    assert response.status_code == 200
    doc = lxml.etree.fromstring(response.get_data())
    assert doc.find("Dial/Number").text == DUTY
    # the dial's outcome and the status cannot be stored either; Twilio still gets its answer
    dial = signed_post(
        client, "/twilio/voice/dial?attempt=1", {**incoming(sid), "DialCallStatus": "no-answer"}
    )
    assert dial.status_code == 200
    up()
    assert logged_calls() == []
    started = utcnow() - dt.timedelta(minutes=3)
    fake.add_call(sid, from_=CALLER, to=FI_LINE, status="no-answer", start_time=started)
    fake.add_call(
        "CA" + "2" * 32,
        from_=CALLER,
        to=FI_LINE,
        status="completed",
        start_time=started,
        duration=60,
    )
    fake.add_call(
        "CA" + "3" * 32,
        from_=FI_LINE,
        to=DUTY,
        status="completed",
        start_time=started + dt.timedelta(seconds=9),
        duration=50,
        direction="outbound-dial",
        parent_call_sid="CA" + "2" * 32,
    )
    fake.add_call(
        "CA" + "4" * 32, from_=CALLER, to="+358900000000", status="completed", start_time=started
    )  # not our line
    fake.add_call(
        "CA" + "5" * 32,
        from_=CALLER,
        to=FI_LINE,
        status="completed",
        start_time=utcnow() - dt.timedelta(days=2),
    )  # too old
    assert reconcile_calls() == 2
    missed, answered = logged_calls()
    assert missed.twilio_call_sid == sid and missed.reconciled
    assert missed.received_at == started.replace(microsecond=0)
    assert missed.call_status is CallStatus.NO_ANSWER and missed.answered_at is None
    assert missed.callback is not None and missed.callback.reason == "missed"
    assert (
        answered.answered_by == DUTY and answered.wait_seconds == 9 and answered.talk_seconds == 50
    )
    assert answered.callback is None
    alerts = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.phone == LEAD)).all()
    assert len(alerts) == 1
    # Running it again adds nothing.
    assert reconcile_calls() == 0
    assert len(logged_calls()) == 2
    assert db.session.scalar(sa.select(sa.func.count(Callback.id))) == 1


def test_reconciliation_skips_calls_the_webhook_logged(client, fake):
    on_duty_all_week()
    sid = "CA" + "6" * 32
    signed_post(client, "/twilio/voice/incoming", incoming(sid))
    # the row may still be in this process's call-log writer: reconciliation writes it first
    fake.add_call(sid, from_=CALLER, to=FI_LINE, status="completed")
    assert reconcile_calls() == 0
    assert len(logged_calls()) == 1
    assert logged_calls()[0].reconciled is False


def test_recordings_are_deleted_at_twilio_after_the_retention_and_audited(app, fake):
    settings = app.config["FAIRHEAT"]
    app.config["FAIRHEAT"] = dataclasses.replace(
        settings,
        emergency=dataclasses.replace(
            settings.emergency, recording=True, recording_retention_days=30
        ),
    )
    now = utcnow()
    for n, age in ((1, 40), (2, 10)):
        db.session.add(
            EmergencyCall(
                twilio_call_sid=f"CA{n:032d}",
                received_at=now - dt.timedelta(days=age),
                channel="twilio",
                problem="other",
                language="fi",
                logged_by="twilio",
                recording_sid=f"RE{n:032d}",
                recording_seconds=30,
            )
        )
        fake.recordings.add(f"RE{n:032d}")
    db.session.commit()
    assert delete_old_recordings() == 1
    assert fake.deleted_recordings == [f"RE{1:032d}"]
    old, recent = logged_calls()
    assert old.recording_deleted_at is not None and recent.recording_deleted_at is None
    assert (
        "emergency_call.recording_deleted" in db.session.scalars(sa.select(AuditEntry.action)).all()
    )
    assert delete_old_recordings() == 0
