"""Twilio Voice: the incoming call is logged once and answered with the dial to the person on
duty in the caller's language; the dial's result and the call's status are recorded; a missed
call goes to the callback queue and alerts the lead by SMS once."""

from __future__ import annotations

import dataclasses
import datetime as dt

import lxml.etree
import pytest
import sqlalchemy as sa

from feedback.emergency import call_log
from feedback.emergency.models import Callback, CallStatus
from notifications.sms.models import OutboxMessage
from service.db import utcnow
from service.extensions import db
from tests.feedback.emergency import support
from tests.feedback.emergency.support import (
    BACKUP,
    CALLER,
    DUTY,
    FALLBACK,
    LEAD,
    PL_LINE,
    incoming,
    logged_calls,
    signed_post,
    voice_env,
)
from tests.support.factories import outage_payload

pytestmark = pytest.mark.usefixtures("fresh_line")


@pytest.fixture
def settings_env():
    return voice_env()


def twiml(response) -> lxml.etree._Element:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/xml"
    return lxml.etree.fromstring(response.get_data())


def on_duty_all_week(backup: str | None = BACKUP) -> None:
    """The week's roster, with the backup number these tests dial second."""
    support.on_duty_all_week(backup)


def test_incoming_call_is_logged_and_dials_the_person_on_duty_in_finnish(client):
    on_duty_all_week()
    doc = twiml(signed_post(client, "/twilio/voice/incoming", incoming("CA" + "1" * 32)))
    says = doc.findall("Say")
    assert {s.get("language") for s in says} == {"fi-FI"}
    assert "vikapäivystys" in says[0].text
    dial = doc.find("Dial")
    assert dial is not None and dial.find("Number").text == DUTY
    assert dial.get("timeout") == "20"
    assert dial.get("action").endswith("/twilio/voice/dial?attempt=1")
    assert dial.get("record") is None  # recording is off by default
    [call] = logged_calls()
    assert call.twilio_call_sid == "CA" + "1" * 32
    assert call.caller_phone == CALLER and call.language == "fi" and call.duty_covered
    assert call.call_status is CallStatus.RINGING


def test_polish_number_greets_in_polish_and_counts_active_interruptions(client, token_for):
    on_duty_all_week()
    response = client.post(
        "/api/v1/outages", json=outage_payload(publish=True), headers=token_for("admin")
    )
    assert response.status_code == 201
    doc = twiml(
        signed_post(client, "/twilio/voice/incoming", incoming("CA" + "2" * 32, to=PL_LINE))
    )
    says = doc.findall("Say")
    assert {s.get("language") for s in says} == {"pl-PL"}
    text = " ".join(s.text for s in says)
    assert "1" in text and "przerw" in text.lower()


def test_the_same_callsid_twice_makes_one_record_and_the_same_dial(client):
    on_duty_all_week()
    params = incoming("CA" + "3" * 32)
    first = signed_post(client, "/twilio/voice/incoming", params)
    second = signed_post(client, "/twilio/voice/incoming", params)
    assert first.get_data() == second.get_data()
    assert len(logged_calls()) == 1


@pytest.mark.parametrize(
    "path", ["/twilio/voice/incoming", "/twilio/voice/status", "/twilio/voice/dial"]
)
def test_unsigned_or_forged_webhooks_are_refused_and_change_nothing(client, path):
    params = {**incoming("CA" + "4" * 32), "DialCallStatus": "no-answer", "CallStatus": "no-answer"}
    assert signed_post(client, path, params, sign=False).status_code == 403
    assert signed_post(client, path, params, token="0" * 32).status_code == 403
    assert logged_calls() == []
    assert db.session.scalar(sa.select(sa.func.count(Callback.id))) == 0


def test_no_slot_covers_the_moment_so_the_fallback_number_is_dialled(client):
    doc = twiml(signed_post(client, "/twilio/voice/incoming", incoming("CA" + "5" * 32)))
    assert doc.find("Dial/Number").text == FALLBACK
    [call] = logged_calls()
    assert call.duty_covered is False


def with_emergency(app, **changes):
    settings = app.config["FAIRHEAT"]
    app.config["FAIRHEAT"] = dataclasses.replace(
        settings, emergency=dataclasses.replace(settings.emergency, **changes)
    )


def test_recording_notice_and_two_party_recording_when_recording_is_on(app, client):
    with_emergency(app, recording=True)
    on_duty_all_week()
    doc = twiml(signed_post(client, "/twilio/voice/incoming", incoming("CA" + "6" * 32)))
    texts = [s.text for s in doc.findall("Say")]
    assert any("tallennetaan" in t for t in texts)
    # the notice comes before the dial
    assert [child.tag for child in doc].index("Dial") > 1
    assert doc.find("Dial").get("record") == "record-from-answer-dual"
    response = signed_post(
        client,
        "/twilio/voice/recording",
        {"CallSid": "CA" + "6" * 32, "RecordingSid": "RE" + "a" * 32, "RecordingDuration": "42"},
    )
    assert response.status_code == 204
    [call] = logged_calls()
    assert (call.recording_sid, call.recording_seconds) == ("RE" + "a" * 32, 42)


def test_answered_dial_records_who_answered_wait_and_talk_seconds(client):
    on_duty_all_week()
    sid = "CA" + "7" * 32
    signed_post(client, "/twilio/voice/incoming", incoming(sid))
    doc = twiml(
        signed_post(
            client,
            "/twilio/voice/dial?attempt=1",
            {
                **incoming(sid),
                "DialCallStatus": "completed",
                "DialCallDuration": "0",
                "DialCallSid": "CA" + "f" * 32,
            },
        )
    )
    assert doc.find("Hangup") is not None
    status = signed_post(
        client,
        "/twilio/voice/status",
        {**incoming(sid), "CallStatus": "completed", "CallDuration": "95"},
    )
    assert status.status_code == 204
    [call] = logged_calls()
    assert call.answered_at is not None and call.answered_by == f"Matti {DUTY}"
    assert call.wait_seconds is not None and call.wait_seconds >= 0
    assert call.call_status is CallStatus.COMPLETED
    assert call.callback is None


def test_no_answer_tries_the_second_number_then_queues_a_callback_and_alerts_the_lead_once(client):
    on_duty_all_week()
    sid = "CA" + "8" * 32
    signed_post(client, "/twilio/voice/incoming", incoming(sid))
    doc = twiml(
        signed_post(
            client, "/twilio/voice/dial?attempt=1", {**incoming(sid), "DialCallStatus": "no-answer"}
        )
    )
    assert doc.find("Dial/Number").text == BACKUP
    assert doc.find("Dial").get("action").endswith("attempt=2")
    doc = twiml(
        signed_post(
            client, "/twilio/voice/dial?attempt=2", {**incoming(sid), "DialCallStatus": "busy"}
        )
    )
    assert doc.find("Say") is not None and doc.find("Hangup") is not None
    # The status callback and a retry of it come after: nothing is queued or sent twice.
    for _ in range(2):
        signed_post(client, "/twilio/voice/status", {**incoming(sid), "CallStatus": "completed"})
    [call] = logged_calls()
    assert call.answered_at is None and call.call_status is CallStatus.BUSY
    assert call.callback is not None and call.callback.reason == "missed"
    assert call.callback.due_at > utcnow()
    alerts = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.phone == LEAD)).all()
    assert len(alerts) == 1 and CALLER.removeprefix("+358") in alerts[0].body.replace(" ", "")


def test_caller_hanging_up_before_an_answer_is_a_missed_call(client):
    on_duty_all_week(backup=None)
    sid = "CA" + "9" * 32
    signed_post(client, "/twilio/voice/incoming", incoming(sid))
    signed_post(client, "/twilio/voice/status", {**incoming(sid), "CallStatus": "canceled"})
    [call] = logged_calls()
    assert call.call_status is CallStatus.CANCELED and call.callback is not None
    assert call.wait_seconds is not None


def test_status_only_moves_forward(client):
    on_duty_all_week()
    sid = "CA" + "a" * 32
    signed_post(client, "/twilio/voice/incoming", incoming(sid))
    signed_post(
        client,
        "/twilio/voice/dial?attempt=1",
        {**incoming(sid), "DialCallStatus": "completed", "DialCallDuration": "30"},
    )
    signed_post(client, "/twilio/voice/status", {**incoming(sid), "CallStatus": "completed"})
    signed_post(client, "/twilio/voice/status", {**incoming(sid), "CallStatus": "ringing"})
    [call] = logged_calls()
    assert call.call_status is CallStatus.COMPLETED


def test_a_callsid_that_is_missing_or_too_long_is_a_400(client):
    assert (
        signed_post(client, "/twilio/voice/incoming", {**incoming(""), "CallSid": ""}).status_code
        == 400
    )
    assert (
        signed_post(client, "/twilio/voice/incoming", incoming("CA" + "b" * 80)).status_code == 400
    )
    assert logged_calls() == []


def test_api_shows_the_twilio_call_sid(client, token_for):
    on_duty_all_week()
    signed_post(client, "/twilio/voice/incoming", incoming("CA" + "c" * 32))
    call_log.flush(db.engine)
    [found] = client.get("/api/v1/emergency/calls", headers=token_for("dispatcher")).get_json()
    assert found["twilio_call_sid"] == "CA" + "c" * 32
    assert found["channel"] == "twilio"


def test_missed_calls_are_listed_by_the_api(client, token_for):
    on_duty_all_week(backup=None)
    sid = "CA" + "d" * 32
    signed_post(client, "/twilio/voice/incoming", incoming(sid))
    signed_post(
        client, "/twilio/voice/dial?attempt=1", {**incoming(sid), "DialCallStatus": "no-answer"}
    )
    headers = token_for("dispatcher")
    missed = client.get("/api/v1/emergency/calls?status=missed", headers=headers).get_json()
    assert [c["twilio_call_sid"] for c in missed] == [sid]
    assert missed[0]["callback"]["due_at"]
    later = (utcnow() + dt.timedelta(hours=2)).isoformat()
    assert (
        client.get(
            "/api/v1/emergency/calls",
            query_string={"status": "callback_due", "to": later},
            headers=headers,
        ).status_code
        == 200
    )


def test_the_static_fallback_twiml_dials_the_duty_number(app):
    from feedback.emergency.twiml import fallback_twiml

    doc = lxml.etree.fromstring(fallback_twiml(FALLBACK).encode())
    assert doc.find("Dial").text == FALLBACK and doc.find("Dial").get("timeout") == "20"
