"""Twilio Voice: the incoming call queued for the log at once (call_log.py), the dial's outcome,
the call's status, the recording's id, and the missed call that goes to the callback queue with
an SMS to the lead.

Every function here is called by a signed webhook (routes/twilio.py) and is idempotent: a call
is keyed by its CallSid (unique), so Twilio's retries change nothing twice; a status only moves
forward; a missed call gets one callback (unique per call) and one alert (unique outbox key).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from feedback.emergency import call_log
from feedback.emergency.models import (
    CALL_STATUS_RANK,
    Callback,
    CallChannel,
    CallStatus,
    EmergencyCall,
    Problem,
)
from feedback.emergency.queries import call_by_sid
from feedback.emergency.roster import Duty, duty_now
from feedback.emergency.twiml import caller_language
from service import audit
from service.extensions import db
from service.phones import any_number_e164
from service.settings import current_settings

log = logging.getLogger(__name__)
TWILIO_ACTOR = "twilio"
LATE_ACTOR = "twilio:late"  # logged from a later webhook: its ring was never written


def _status(raw: str | None) -> CallStatus | None:
    try:
        return CallStatus((raw or "").strip().lower())
    except ValueError:
        return None


def incoming_row(
    sid: str, caller: str | None, called: str | None, *, covered: bool, now: dt.datetime
) -> dict[str, Any]:
    """The columns of an incoming call's row, as it rings."""
    return {
        "twilio_call_sid": sid,
        "received_at": now.replace(microsecond=0),
        "channel": CallChannel.TWILIO.value,
        "caller_phone": _e164(caller),
        "called_number": (called or "")[:20] or None,
        "problem": Problem.OTHER.value,
        "scope": "building",
        "caller_kind": "resident",
        "priority": "normal",
        "language": caller_language(called),
        "call_status": CallStatus.RINGING.value,
        "duty_covered": covered,
        "reconciled": False,
        "informed_in_writing": False,
        "logged_by": TWILIO_ACTOR,
        "logged_at": now,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


def log_incoming(
    sid: str, caller: str | None, called: str | None, *, covered: bool, now: dt.datetime
) -> None:
    """The call's row, made once per CallSid, queued for this process's call-log writer
    (call_log.py): the webhook answers without waiting for the database; the writer inserts
    the rows of many calls in one transaction within call_log.FLUSH_WITHIN seconds, each with
    INSERT … ON CONFLICT DO NOTHING, so a retry (or a concurrent one) adds nothing."""
    call_log.queue_call(db.engine, incoming_row(sid, caller, called, covered=covered, now=now))


def ensure_call(params: Mapping[str, str], now: dt.datetime) -> EmergencyCall | None:
    """The call a later webhook (the dial's action, the status) is about.

    This process's queued rows are written first, so a call that rang here is found. A call
    still unknown whose ring was never logged (the process it rang on was killed before its
    writer ran, or the database refused the row) is logged now from what this webhook knows,
    when it is an inbound call to one of our numbers: its ring time is estimated as now less
    the duration Twilio gives (CallDuration, else DialCallDuration), and it is marked
    LATE_ACTOR. The reconciliation job then leaves it alone (decision 0009 §8)."""
    sid = (params.get("CallSid") or "").strip()
    call_log.flush(db.engine)
    call = call_by_sid(sid)
    if call is not None or not sid:
        return call
    called = params.get("To") or params.get("Called")
    numbers = current_settings().emergency.voice_numbers
    if not called or not (params.get("Direction") or "").startswith("inbound"):
        return None
    if numbers and called not in numbers:
        return None
    took = _seconds(params.get("CallDuration")) or _seconds(params.get("DialCallDuration")) or 0
    received = now - dt.timedelta(seconds=took)
    values = incoming_row(
        sid,
        params.get("From") or params.get("Caller"),
        called,
        covered=duty_now(received).covered,
        now=received,
    )
    values.update(logged_by=LATE_ACTOR, logged_at=now, created_at=now, updated_at=now)
    db.session.rollback()  # a snapshot taken before the row existed must not hide it
    with db.engine.begin() as connection:
        connection.execute(call_log.insert_once(tuple(values)), values)
    log.warning("call %s was not logged when it rang; logged from a later webhook", sid)
    return call_by_sid(sid)


_active: dict[str, tuple[float, int]] = {}
ACTIVE_FOR = 5.0  # seconds a process reuses the count of active interruptions


def active_outages() -> int:
    """How many published interruptions are active, as the caller hears it (counted at most
    every ACTIVE_FOR seconds per process: a storm of calls does not recount for each)."""
    from notifications import list_outages

    key = current_settings().database_url
    found = _active.get(key)
    if found is not None and time.monotonic() - found[0] < ACTIVE_FOR:
        return found[1]
    count = len(list_outages(status="active", public=True))
    db.session.rollback()
    _active[key] = (time.monotonic(), count)
    return count


def _advance(call: EmergencyCall, status: CallStatus | None) -> None:
    if status is None:
        return
    current = call.call_status
    if current is None or CALL_STATUS_RANK[status] > CALL_STATUS_RANK[current]:
        call.call_status = status


def _lead_phone(duty: Duty | None) -> str:
    if duty is not None and duty.shift is not None and duty.shift.lead_phone:
        return duty.shift.lead_phone
    return current_settings().emergency.lead_number


def queue_callback(call: EmergencyCall, reason: str, now: dt.datetime, duty: Duty | None) -> bool:
    """Put the call in the callback queue and alert the lead on duty by SMS; True the first time.

    In the caller's transaction; the callback is unique per call and the alert's outbox key is
    unique, so a repeat adds neither."""
    if call.callback is not None or db.session.scalar(
        sa.select(Callback.id).where(Callback.call_id == call.id)
    ):
        return False
    due = now + dt.timedelta(minutes=current_settings().emergency.callback_minutes)
    db.session.add(Callback(call_id=call.id, reason=reason, due_at=due, created_at=now))
    audit.record(
        "emergency_callback.queued",
        "emergency_call",
        call.id,
        after={"reason": reason, "due_at": due},
        actor=TWILIO_ACTOR,
    )
    alert_staff(call, "missed", duty)
    return True


def alert_staff(call: EmergencyCall, event: str, duty: Duty | None = None) -> None:
    """An SMS to the lead on duty (missed call) or the person on duty (a "still no heat" reply)."""
    from notifications import send_text_message

    duty = duty or duty_now()
    phone = (
        _lead_phone(duty)
        if event == "missed"
        else (duty.shift.phone if duty.shift is not None else _lead_phone(duty))
    )
    if not phone:
        log.warning("emergency call %s: nobody to alert by SMS (%s)", call.id, event)
        return
    language = current_settings().default_language
    with force_locale(language):
        caller = call.caller_phone or _("unknown number")
        if event == "missed":
            body = _("Missed emergency call from %(caller)s: call back.", caller=caller)
        else:
            body = _(
                "Reply to a restoration SMS from %(caller)s: still no heat. Call %(id)s.",
                caller=caller,
                id=call.id,
            )
    send_text_message(
        event_key=f"emergency:{event}:{call.id}", phone=phone, language=language, body=body
    )


def record_dial(
    params: Mapping[str, str], *, attempt: int, number: str | None, now: dt.datetime
) -> EmergencyCall | None:
    """The dial's action callback: who answered and how long, or that nobody did."""
    call = ensure_call(params, now)
    if call is None:
        return None
    dial_status = (params.get("DialCallStatus") or "").lower()
    duration = _seconds(params.get("DialCallDuration"))
    if dial_status in ("completed", "answered") and call.answered_at is None:
        talk = duration or 0
        answered = now - dt.timedelta(seconds=talk)
        call.answered_at = max(answered, call.received_at).replace(microsecond=0)
        call.talk_seconds = talk
        call.wait_seconds = int((call.answered_at - call.received_at).total_seconds())
        call.answered_by = number
        _advance(call, CallStatus.IN_PROGRESS)
    db.session.commit()
    return call


def close_unanswered(
    sid: str, status: CallStatus, now: dt.datetime, params: Mapping[str, str] | None = None
) -> EmergencyCall | None:
    """Nobody on duty answered (busy, no answer, failed, or the caller hung up first); with the
    webhook's `params`, a call whose ring was never logged is logged first (ensure_call)."""
    call = ensure_call(params, now) if params is not None else call_by_sid(sid)
    if call is None or call.answered_at is not None:
        return call
    _advance(call, status)
    if call.wait_seconds is None:
        call.wait_seconds = int((now - call.received_at).total_seconds())
    queue_callback(call, "missed", now, duty_now())
    db.session.commit()
    return call


def record_status(params: Mapping[str, str], *, now: dt.datetime) -> EmergencyCall | None:
    """The call's status callback: its final state; an unanswered end is a missed call."""
    call = ensure_call(params, now)
    if call is None:
        return None
    status = _status(params.get("CallStatus"))
    if status is None:
        return call
    if CALL_STATUS_RANK[status] == 2 and call.answered_at is None:
        return close_unanswered(call.twilio_call_sid or "", status, now)
    _advance(call, status)
    if status is CallStatus.COMPLETED and call.talk_seconds is None:
        call.talk_seconds = _seconds(params.get("CallDuration"))
    db.session.commit()
    return call


def record_recording(params: Mapping[str, str]) -> EmergencyCall | None:
    """Only the recording's id and length are kept (never the audio)."""
    call_log.flush(db.engine)
    call = call_by_sid(params.get("CallSid", ""))
    if call is None or call.recording_sid:
        return call
    call.recording_sid = (params.get("RecordingSid") or "")[:64] or None
    call.recording_seconds = _seconds(params.get("RecordingDuration"))
    audit.record(
        "emergency_call.recorded_audio",
        "emergency_call",
        call.id,
        after={"recording_sid": call.recording_sid, "seconds": call.recording_seconds},
        actor=TWILIO_ACTOR,
    )
    db.session.commit()
    return call


_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def _e164(number: str | None) -> str | None:
    """Twilio sends numbers in E.164 already; anything else ("anonymous") is parsed or None."""
    if not number:
        return None
    return number if _E164.fullmatch(number) else any_number_e164(number)


def _seconds(raw: str | None) -> int | None:
    text = (raw or "").strip()
    return int(text) if text.isdigit() and len(text) < 7 else None
