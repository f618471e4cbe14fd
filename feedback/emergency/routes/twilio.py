"""Twilio Voice webhooks: /twilio/voice/incoming, /dial (the dial's action), /status, /recording.

Each is signed (service.webhooks.twilio_signed: 403 and nothing changes without Twilio's
signature). Not refuse_repeats: Twilio retries an incoming call's webhook when we were slow,
and the retry must get the same dial, not a 409; the CallSid keeps the log to one row.

The database may be unreachable: the incoming call is then still answered with the dial to the
person on duty from this process's roster copy, and the reconciliation job logs the call later.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, Response, abort, request

from feedback.emergency import twiml
from feedback.emergency.models import CallStatus
from feedback.emergency.roster import duty_now
from feedback.emergency.voice import (
    active_outages,
    close_unanswered,
    log_incoming,
    record_dial,
    record_recording,
    record_status,
)
from service.db import utcnow
from service.extensions import db
from service.webhooks import twilio_signed

log = logging.getLogger(__name__)
bp = Blueprint("emergency_voice", __name__, url_prefix="/twilio/voice")

_UNANSWERED = {
    "busy": CallStatus.BUSY,
    "no-answer": CallStatus.NO_ANSWER,
    "failed": CallStatus.FAILED,
    "canceled": CallStatus.CANCELED,
}


def _xml(body: str) -> Response:
    return Response(body, mimetype="text/xml")


def _sid() -> str:
    sid = (request.form.get("CallSid") or "").strip()
    if not sid or len(sid) > 64:
        abort(400)
    return sid


@bp.post("/incoming")
@twilio_signed
def incoming() -> Response:
    sid = _sid()
    now = utcnow()
    called = request.form.get("To")
    language = twiml.caller_language(called)
    duty = duty_now(now)
    active: int | None = None
    try:
        log_incoming(sid, request.form.get("From"), called, covered=duty.covered, now=now)
        active = active_outages()
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        log.exception("incoming call %s not logged (database); the dial is answered anyway", sid)
    numbers = duty.numbers
    return _xml(twiml.greeting(language, active, numbers[0] if numbers else None))


@bp.post("/dial")
@twilio_signed
def dial() -> Response:
    sid = _sid()
    now = utcnow()
    attempt = 2 if request.args.get("attempt") == "2" else 1
    language = twiml.caller_language(request.form.get("To"))
    duty = duty_now(now)
    numbers = duty.numbers
    dialled = numbers[attempt - 1] if len(numbers) >= attempt else None
    who = f"{duty.shift.name} {dialled}".strip() if duty.shift and dialled else dialled
    status = (request.form.get("DialCallStatus") or "").lower()
    try:
        if status in ("completed", "answered"):
            record_dial(request.form, attempt=attempt, number=who, now=now)
            return _xml(twiml.hang_up())
        if attempt == 1 and len(numbers) > 1 and status != "canceled":
            return _xml(twiml.second_dial(language, numbers[1]))
        close_unanswered(sid, _UNANSWERED.get(status, CallStatus.NO_ANSWER), now, request.form)
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        log.exception("dial result of call %s not logged (database)", sid)
        if status not in ("completed", "answered") and attempt == 1 and len(numbers) > 1:
            return _xml(twiml.second_dial(language, numbers[1]))
    return _xml(twiml.nobody_answered(language))


@bp.post("/status")
@twilio_signed
def status() -> Response:
    _sid()
    record_status(request.form, now=utcnow())
    return Response(status=204)


@bp.post("/recording")
@twilio_signed
def recording() -> Response:
    _sid()
    record_recording(request.form)
    return Response(status=204)
