"""Logging and handling emergency calls: every change in one transaction, with its audit entry.

A call logged by hand (intake form, API) and a change to a call (PATCH, the handling form) pass
the same rules (lifecycle.py); a broken rule is a ValidationFailed naming the field and nothing
is stored. Callbacks are done once: one conditional UPDATE decides who completes one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from feedback.emergency.lifecycle import intake_errors, lifecycle_errors
from feedback.emergency.models import (
    Callback,
    CallChannel,
    CallerKind,
    EmergencyCall,
    Priority,
    Scope,
)
from notifications.areas import street_key
from service import audit
from service.db import utcnow
from service.errors import Conflict, NotFound, ValidationFailed
from service.extensions import db
from service.settings import current_settings
from service.transactions import commit_or_conflict
from service.validation import load_or_fail

EDITABLE = (
    "received_at",
    "answered_at",
    "caller_name",
    "caller_phone",
    "postcode",
    "street",
    "house_number",
    "node_id",
    "problem",
    "scope",
    "caller_kind",
    "language",
    "priority",
    "description",
    "back_entry_reason",
    "verified_at",
    "dispatched_at",
    "crew",
    "on_site_at",
    "resolved_at",
    "informed_at",
    "informed_in_writing",
    "outcome",
    "outage_id",
)
AUDITED = (*EDITABLE, "channel", "call_status", "answered_by", "twilio_call_sid")
# What identifies the caller is never copied into the audit log, which cannot be rewritten: the
# entry says such a field was given or changed, not its value (feedback/emergency/retention.py
# anonymises the call itself when its period ends, or on the caller's request).
PERSONAL = ("caller_name", "caller_phone", "house_number", "description", "back_entry_reason")
PERSONAL_MARK = "[personal data]"


def snapshot(call: EmergencyCall) -> dict[str, Any]:
    return {name: getattr(call, name) for name in AUDITED}


def for_audit(values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` with the caller's personal data replaced by a mark."""
    return {
        name: PERSONAL_MARK if name in PERSONAL and value is not None else value
        for name, value in values.items()
    }


def _changed_meanwhile() -> str:
    return _("Someone else changed this call meanwhile. Reload it and try again.")


def _check_outage(outage_id: int | None) -> None:
    if outage_id is None:
        return
    from notifications import get_outage

    try:
        get_outage(outage_id, public=False)
    except NotFound:
        raise ValidationFailed(
            {"outage_id": [_("There is no interruption notice with this number.")]}
        ) from None


def get_call(call_id: int) -> EmergencyCall:
    call = db.session.get(EmergencyCall, call_id) if 0 < call_id < 2**31 else None
    if call is None:
        raise NotFound(_("There is no emergency call with this number."))
    return call


def record_call(
    data: Mapping[str, Any], *, now: dt.datetime | None = None, actor: str | None = None
) -> EmergencyCall:
    """Log a call taken by hand; defaults: received now, by phone, whole building, normal."""
    now = now or utcnow()
    settings = current_settings()
    values: dict[str, Any] = {
        "received_at": now.replace(microsecond=0),
        "channel": CallChannel.PHONE,
        "scope": Scope.BUILDING,
        "caller_kind": CallerKind.RESIDENT,
        "priority": Priority.NORMAL,
        "language": settings.default_language,
        "informed_in_writing": False,
        **{k: v for k, v in data.items() if v is not None or k not in ("channel", "language")},
    }
    errors = lifecycle_errors(values, now)
    for name, messages in intake_errors(
        values,
        now,
        back_entry_minutes=settings.emergency.back_entry_minutes,
        anonymous_calls=settings.emergency.anonymous_calls,
    ).items():
        errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationFailed(errors)
    _check_outage(values.get("outage_id"))
    callback_due = values.pop("callback_due_at", None)
    call = EmergencyCall(
        **{k: values.get(k) for k in (*EDITABLE, "channel") if k in values},
        street_key=street_key(values.get("street")),
        logged_by=actor or audit.current_actor(),
        logged_at=now,
    )
    db.session.add(call)
    db.session.flush()
    audit.record(
        "emergency_call.recorded", "emergency_call", call.id, after=for_audit(snapshot(call))
    )
    if callback_due is not None:
        _promise(call, callback_due, "promised", now)
    commit_or_conflict(_changed_meanwhile)
    return call


def update_call(
    call_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> EmergencyCall:
    """Change a call (handling it: verified, dispatched, on site, resolved, informed, outage)."""
    now = now or utcnow()
    call = get_call(call_id)
    if expected_version is not None and expected_version != call.version:
        raise Conflict(_changed_meanwhile())
    before = snapshot(call)
    merged = {**before, **{k: v for k, v in data.items() if k in EDITABLE}}
    errors = lifecycle_errors(merged, now)
    if "channel" in data and data["channel"] is not call.channel:
        errors["channel"] = [_("The channel of a logged call cannot change.")]
    if "back_entry_reason" in data or "received_at" in data:
        late = intake_errors(
            {**merged, "channel": None},
            call.logged_at,
            back_entry_minutes=current_settings().emergency.back_entry_minutes,
            anonymous_calls=True,
        )
        errors.update({k: v for k, v in late.items() if k == "back_entry_reason"})
    if errors:
        db.session.rollback()
        raise ValidationFailed(errors)
    if "outage_id" in data and data["outage_id"] != call.outage_id:
        _check_outage(data["outage_id"])
    for name in EDITABLE:
        if name in data:
            setattr(call, name, data[name])
    if "street" in data:
        call.street_key = street_key(call.street)
    old, new = audit.changes(before, snapshot(call))
    if old or new:
        call.updated_at = now
        audit.record(
            "emergency_call.updated",
            "emergency_call",
            call.id,
            before=for_audit(old),
            after=for_audit(new),
        )
    if data.get("callback_due_at") is not None and call.callback is None:
        _promise(call, data["callback_due_at"], "promised", now)
    commit_or_conflict(_changed_meanwhile)
    return call


def link_outage(call_id: int, outage_id: int) -> EmergencyCall:
    """Link a call to the interruption it belongs to (many calls to one outage)."""
    return update_call(call_id, {"outage_id": outage_id})


def _promise(call: EmergencyCall, due_at: dt.datetime, reason: str, now: dt.datetime) -> Callback:
    callback = Callback(call=call, reason=reason, due_at=due_at, created_at=now)
    db.session.add(callback)
    db.session.flush()
    audit.record(
        "emergency_callback.promised",
        "emergency_call",
        call.id,
        after={"reason": reason, "due_at": due_at},
    )
    return callback


def promise_callback(call_id: int, due_at: dt.datetime) -> Callback:
    """Promise the caller a call back at `due_at`; a call has at most one callback."""
    call = get_call(call_id)
    if call.callback is not None:
        raise Conflict(_("A callback is already promised for this call."))
    callback = _promise(call, due_at, "promised", utcnow())
    commit_or_conflict(_changed_meanwhile, (sa.exc.IntegrityError,))
    return callback


def complete_callback(
    call_id: int, note: str | None = None, *, now: dt.datetime | None = None
) -> None:
    """Mark the call's callback done; a second completion (another dispatcher, a double click)
    is a Conflict and changes nothing: the UPDATE only matches a callback not yet done."""
    now = now or utcnow()
    get_call(call_id)
    actor = audit.current_actor()
    done = db.session.execute(
        sa.update(Callback)
        .where(Callback.call_id == call_id, Callback.done_at.is_(None))
        .values(done_at=now, done_by=actor, note=note)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise Conflict(_("This callback is already done, or none was promised."))
    audit.record(
        "emergency_callback.done",
        "emergency_call",
        call_id,
        after={"done_at": now, "note": PERSONAL_MARK if note else None},  # free text
    )
    db.session.commit()
    db.session.expire_all()


def open_outage_from_call(call_id: int, *, now: dt.datetime | None = None) -> int:
    """A new unplanned interruption (a draft, for the dispatcher to complete and publish) at the
    call's address, starting when the call came in; the call is linked to it. Its id."""
    from notifications import create_outage
    from notifications.schemas import OutageInputSchema  # the API's own input, validated alike

    now = now or utcnow()
    call = get_call(call_id)
    if not call.postcode:
        raise ValidationFailed({"postcode": [_("Give the postcode of the address.")]})
    area: dict[str, Any] = {"postcode": call.postcode}
    if call.street:
        area["street"] = call.street
    impact = {
        "no_hot_water": "hot_water",
        "low_temperature": "reduced_supply",
    }.get(call.problem.value, "heating_and_hot_water")
    data = load_or_fail(
        OutageInputSchema(),
        {
            "kind": "unplanned",
            "impact": impact,
            "cause": "leak" if call.problem.value == "leak" else "network_repair",
            "starts_at": min(call.received_at, now).isoformat(),
            "areas": [area],
        },
    )
    outage = create_outage(data, now=now)
    link_outage(call_id, outage.id)
    return int(outage.id)
