"""Filling in calls the webhooks missed, from Twilio's own Calls list, and deleting recordings
after their retention period, both through the SDK.

The webhook logs a call when it rings; if the database was unreachable then (or the webhook
never reached us), the call exists only at Twilio. Every few minutes the job lists the inbound
calls of the last FAIRHEAT_EMERGENCY_RECONCILE_HOURS and logs each CallSid not yet known, with
what Twilio knows: the time, the numbers, the final status, and from the call's child leg (the
dial) whether someone on duty answered. One that nobody answered goes to the callback queue.

Only calls that have ended are logged: one still ringing or in progress has its webhooks to
come (and its row may wait in a web process's call-log writer for a few milliseconds,
call_log.py); if they fail too, a later run logs it once it has ended. What this process's
writer holds is written first.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import sqlalchemy as sa

from feedback.emergency import call_log
from feedback.emergency.models import (
    CALL_STATUS_RANK,
    CallChannel,
    CallStatus,
    EmergencyCall,
    Problem,
)
from feedback.emergency.roster import duty_now
from feedback.emergency.twilio_api import twilio_client
from feedback.emergency.twiml import caller_language
from feedback.emergency.voice import queue_callback
from service import audit
from service.db import utcnow
from service.extensions import db
from service.phones import any_number_e164
from service.settings import current_settings

log = logging.getLogger(__name__)
ACTOR = "twilio:reconciliation"


def _status(raw: Any) -> CallStatus | None:
    try:
        return CallStatus(str(raw))
    except ValueError:
        return None


def reconcile_calls(now: dt.datetime | None = None, client: Any = None) -> int:
    """Log the inbound calls Twilio has and we do not; how many were added."""
    now = now or utcnow()
    client = client or twilio_client()
    if client is None:
        return 0
    settings = current_settings().emergency
    since = now - dt.timedelta(hours=settings.reconcile_hours)
    call_log.flush(db.engine)
    added = 0
    for record in client.calls.list(start_time_after=since, page_size=200):
        direction = str(record.direction or "")
        if not direction.startswith("inbound") or record.parent_call_sid:
            continue
        if settings.voice_numbers and record.to not in settings.voice_numbers:
            continue
        status = _status(record.status)
        if status is None or CALL_STATUS_RANK[status] < 2:
            continue  # not ended yet: its webhooks are still to come
        known = db.session.scalar(
            sa.select(EmergencyCall.id).where(EmergencyCall.twilio_call_sid == record.sid)
        )
        if known is not None:
            continue
        added += _log_missed_call(client, record, now)
    return added


def _log_missed_call(client: Any, record: Any, now: dt.datetime) -> int:
    received = record.start_time or record.date_created or now
    caller = record._from  # the SDK's name for "from"
    call = EmergencyCall(
        twilio_call_sid=record.sid,
        received_at=received.replace(microsecond=0),
        channel=CallChannel.TWILIO,
        caller_phone=any_number_e164(caller) if caller else None,
        called_number=record.to,
        problem=Problem.OTHER,
        language=caller_language(record.to),
        call_status=_status(record.status),
        duty_covered=duty_now(received).covered,
        reconciled=True,
        logged_by=ACTOR,
        logged_at=now,
    )
    answered = [
        leg for leg in client.calls.list(parent_call_sid=record.sid) if leg.status == "completed"
    ]
    if answered:
        leg = answered[0]
        call.answered_at = (leg.start_time or received).replace(microsecond=0)
        call.answered_by = leg.to
        call.talk_seconds = int(leg.duration) if str(leg.duration or "").isdigit() else None
        call.wait_seconds = int((call.answered_at - call.received_at).total_seconds())
    db.session.add(call)
    try:
        db.session.flush()
        audit.record(
            "emergency_call.reconciled",
            "emergency_call",
            call.id,
            after={"twilio_call_sid": call.twilio_call_sid, "received_at": call.received_at},
            actor=ACTOR,
        )
        if call.answered_at is None and call.call_status is not None:
            queue_callback(call, "missed", now, None)
        db.session.commit()
    except sa.exc.IntegrityError:  # the webhook logged it meanwhile
        db.session.rollback()
        return 0
    return 1


def delete_old_recordings(now: dt.datetime | None = None, client: Any = None) -> int:
    """Delete recordings older than the retention period at Twilio (Recordings API; Twilio may
    take up to 30 days to erase them), and note it on the call and in the audit log."""
    now = now or utcnow()
    settings = current_settings().emergency
    cutoff = now - dt.timedelta(days=settings.recording_retention_days)
    due = list(
        db.session.scalars(
            sa.select(EmergencyCall)
            .where(
                EmergencyCall.recording_sid.is_not(None),
                EmergencyCall.recording_deleted_at.is_(None),
                EmergencyCall.received_at < cutoff,
            )
            .order_by(EmergencyCall.id)
            .limit(500)
        )
    )
    if not due:
        return 0
    client = client or twilio_client()
    if client is None:
        return 0
    deleted = 0
    for call in due:
        try:
            client.recordings(call.recording_sid).delete()
        except Exception as error:  # noqa: BLE001 (a 404 means already gone; others retry later)
            if getattr(error, "status", None) != 404:
                log.warning("recording %s not deleted: %s", call.recording_sid, error)
                continue
        call.recording_deleted_at = now
        audit.record(
            "emergency_call.recording_deleted",
            "emergency_call",
            call.id,
            after={"recording_sid": call.recording_sid},
            actor="system",
        )
        db.session.commit()
        deleted += 1
    return deleted
