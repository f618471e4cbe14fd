"""Emergency calls over time (service/retention/hooks.py).

- When a call is closed: a call is open while it is on the dispatchers' board, that is until it
  is resolved (`resolved_at`, with its outcome), and while a callback promised on it is not done.
  Its period runs from the last of its resolution, the time the caller was informed and the
  callback done. Every call has that end: a call through Twilio, missed or answered, an SMS reply
  and a call logged by hand all stay on the board until resolved, so an unresolved call is never
  anonymised, however old (as an open feedback case is not).
- Retention (`emergency_call`): a call closed before the cutoff loses what identifies the caller:
  name, phone number, house number (the flat is only a scope), what they said, the back-entry
  reason, the callback's note, the text of the SMS alerts to the person on duty (which quote the
  number), and the recording's id once Twilio has deleted the audio (until then the purge job
  needs it: feedback/emergency/reconciliation.py). It keeps what the compliance figures and
  the register's non-personal columns count (feedback/emergency/evidence.py): times, channel,
  problem, scope, caller kind, priority, postcode and street, outcome, outage, call status,
  wait and talk seconds, the duty cover, the callback's due and done times, the CallSid.
- Data-subject requests find a person's calls by the caller's phone number (E.164); the line
  keeps no e-mail address. Erasure anonymises calls past their period; an open call is kept
  until resolved, a closed one until its statutory period ends (the date and the rule are said),
  one under a legal hold until the hold is released.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from feedback.emergency.models import Callback, EmergencyCall
from notifications.sms.models import OutboxMessage
from notifications.sms.retention import FINAL
from service.db import utcnow
from service.extensions import db
from service.retention import Erasure, Kept, Subject, why_kept
from service.retention.holds import held_ids
from service.settings import current_settings

RECORD_TYPE = "emergency_call"
BATCH = 500
# The SMS alerts to staff about a call (feedback/emergency/voice.py alert_staff) quote the
# caller's number in their text.
ALERT_EVENTS = ("missed", "sms")

_ANONYMOUS: dict[str, Any] = {
    "caller_name": None,
    "caller_phone": None,
    "house_number": None,
    "description": None,
    "back_entry_reason": None,
    # The audio's id only once Twilio has deleted the audio.
    "recording_sid": sa.case(
        (EmergencyCall.recording_deleted_at.is_(None), EmergencyCall.recording_sid),
        else_=None,
    ),
    "version": EmergencyCall.version + 1,
}


def _alert_keys(ids: Sequence[int]) -> list[str]:
    return [f"emergency:{event}:{call_id}" for call_id in ids for event in ALERT_EVENTS]


def _has_personal_data() -> sa.ColumnElement[bool]:
    """Not anonymised yet (a call that never held any personal data needs nothing either)."""
    return sa.or_(
        EmergencyCall.caller_name.is_not(None),
        EmergencyCall.caller_phone.is_not(None),
        EmergencyCall.house_number.is_not(None),
        EmergencyCall.description.is_not(None),
        EmergencyCall.back_entry_reason.is_not(None),
        sa.and_(
            EmergencyCall.recording_sid.is_not(None),
            EmergencyCall.recording_deleted_at.is_not(None),
        ),
        sa.exists().where(Callback.call_id == EmergencyCall.id, Callback.note.is_not(None)),
    )


def _anonymise(ids: Sequence[int]) -> int:
    if not ids:
        return 0
    db.session.execute(
        sa.update(Callback)
        .where(Callback.call_id.in_(ids), Callback.note.is_not(None))
        .values(note=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.event_key.in_(_alert_keys(ids)),
            OutboxMessage.subscriber_id.is_(None),
            OutboxMessage.status.in_(FINAL),
            OutboxMessage.body != "",
        )
        .values(body="")
        .execution_options(synchronize_session=False)
    )
    result = db.session.execute(
        sa.update(EmergencyCall)
        .where(EmergencyCall.id.in_(ids))
        .values(**_ANONYMOUS)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _closed_before(cutoff: dt.datetime) -> sa.ColumnElement[bool]:
    """Resolved, informed and called back (where promised) before `cutoff`."""
    return sa.and_(
        EmergencyCall.resolved_at.is_not(None),
        EmergencyCall.resolved_at < cutoff,
        sa.or_(EmergencyCall.informed_at.is_(None), EmergencyCall.informed_at < cutoff),
        ~sa.exists().where(
            Callback.call_id == EmergencyCall.id,
            sa.or_(Callback.done_at.is_(None), Callback.done_at >= cutoff),
        ),
    )


def expire_calls(cutoff: dt.datetime, held: frozenset[int]) -> int:
    """Anonymise the calls closed before `cutoff` (not yet anonymised, not held)."""
    query = (
        sa.select(EmergencyCall.id)
        .where(_closed_before(cutoff), _has_personal_data())
        .order_by(EmergencyCall.id)
    )
    ids = [call_id for call_id in db.session.scalars(query) if call_id not in held]
    return sum(_anonymise(ids[i : i + BATCH]) for i in range(0, len(ids), BATCH))


def closed_at(call: EmergencyCall) -> dt.datetime | None:
    """When the call's period starts; None while it is open (unresolved, or a callback due)."""
    if call.resolved_at is None:
        return None
    ends = [call.resolved_at]
    if call.informed_at is not None:
        ends.append(call.informed_at)
    if call.callback is not None:
        if call.callback.done_at is None:
            return None
        ends.append(call.callback.done_at)
    return max(ends)


def _calls_of(subject: Subject) -> Sequence[EmergencyCall]:
    if not subject.phone:  # the line keeps no e-mail address
        return []
    return db.session.scalars(
        sa.select(EmergencyCall)
        .where(EmergencyCall.caller_phone == subject.phone)
        .order_by(EmergencyCall.id)
    ).all()


def _when(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _value(value: Any) -> Any:
    return value.value if value is not None and hasattr(value, "value") else value


def find_calls(subject: Subject) -> list[dict[str, Any]]:
    calls = _calls_of(subject)
    alerts: dict[str, list[dict[str, Any]]] = {}
    for i in range(0, len(calls), BATCH):
        keys = _alert_keys([call.id for call in calls[i : i + BATCH]])
        for key, created, body in db.session.execute(
            sa.select(OutboxMessage.event_key, OutboxMessage.created_at, OutboxMessage.body)
            .where(
                OutboxMessage.event_key.in_(keys),
                OutboxMessage.subscriber_id.is_(None),
                OutboxMessage.body != "",
            )
            .order_by(OutboxMessage.id)
        ):
            alerts.setdefault(key, []).append(
                {"to": "the person on duty", "created_at": created.isoformat(), "text": body}
            )
    found = []
    for call in calls:
        callback = call.callback
        found.append(
            {
                "record": RECORD_TYPE,
                "id": call.id,
                "channel": _value(call.channel),
                "received_at": call.received_at.isoformat(),
                "answered_at": _when(call.answered_at),
                "resolved_at": _when(call.resolved_at),
                "open": closed_at(call) is None,
                "caller_name": call.caller_name,
                "caller_phone": call.caller_phone,
                "caller_kind": _value(call.caller_kind),
                "language": call.language,
                "postcode": call.postcode,
                "street": call.street,
                "house_number": call.house_number,
                "problem": _value(call.problem),
                "scope": _value(call.scope),
                "priority": _value(call.priority),
                "description": call.description,
                "outcome": _value(call.outcome),
                "outage_id": call.outage_id,
                "informed_at": _when(call.informed_at),
                "recording": {
                    "seconds": call.recording_seconds,
                    "deleted_at": _when(call.recording_deleted_at),
                }
                if call.recording_sid
                else None,
                "callback": {
                    "due_at": callback.due_at.isoformat(),
                    "done_at": _when(callback.done_at),
                    "note": callback.note,
                }
                if callback is not None
                else None,
                "alerts_to_staff": [
                    alert
                    for event in ALERT_EVENTS
                    for alert in alerts.get(f"emergency:{event}:{call.id}", [])
                ],
            }
        )
    return found


def erase_calls(subject: Subject) -> Erasure:
    rule = current_settings().security.retention.get(RECORD_TYPE)
    held = held_ids(RECORD_TYPE)
    now = utcnow()
    erasure = Erasure()
    erase: list[int] = []
    for call in _calls_of(subject):
        why = why_kept(
            closed_at(call),
            held=call.id in held,
            still_open="still open: needed to handle the call",
            rule=rule,
            now=now,
        )
        if why is None:
            erase.append(call.id)
        else:
            erasure.kept.append(Kept(f"{RECORD_TYPE} {call.id}", why))
    erasure.erased = sum(_anonymise(erase[i : i + BATCH]) for i in range(0, len(erase), BATCH))
    return erasure
