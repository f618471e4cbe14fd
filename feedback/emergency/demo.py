"""Demo data of the emergency line: a night of calls, some linked to an active interruption, one
missed and called back, and a roster so the line is covered around the clock."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import sqlalchemy as sa

from feedback.emergency.models import (
    Callback,
    CallChannel,
    CallStatus,
    DutySlot,
    EmergencyCall,
    Outcome,
    Priority,
    Problem,
)
from notifications.areas import street_key
from service.db import utcnow
from service.extensions import db
from service.settings import current_settings

STREETS = {
    "FI": ("00100", "Mannerheimintie"),
    "SE": ("114 55", "Sturegatan"),
    "PL": ("00-950", "Marszałkowska"),
}
PHONES = {"FI": "+358401234", "SE": "+4670123", "PL": "+48601234"}


def _phone(code: str, n: int) -> str:
    return f"{PHONES[code]}{n:03d}"


def load_calls(only_if_empty: bool = False) -> str:
    """Load the demo night; one line saying what was loaded."""
    if only_if_empty and db.session.scalar(sa.select(EmergencyCall.id).limit(1)) is not None:
        return "emergency calls already exist; nothing loaded"
    from notifications import list_outages

    conf = current_settings()
    code = conf.jurisdiction.code
    now = utcnow().replace(microsecond=0)
    night = now - dt.timedelta(hours=6)
    active = list_outages(status="active", public=True, limit=1)
    outage = active[0] if active else None
    postcode, street = STREETS.get(code, STREETS["FI"])
    if outage is not None and outage.areas:
        postcode = outage.areas[0].postcode
        street = outage.areas[0].street or street
    lang = conf.default_language
    has_roster = db.session.scalar(sa.select(DutySlot.id).limit(1)) is not None
    for weekday in range(7 if not has_roster else 0):
        for start, end, name, n in (
            (0, 720, "Päivystäjä A", 901),
            (720, 1440, "Päivystäjä B", 902),
        ):
            db.session.add(
                DutySlot(
                    weekday=weekday,
                    start_minute=start,
                    end_minute=end,
                    name=name,
                    phone=_phone(code, n),
                    backup_phone=_phone(code, 903),
                    lead_phone=_phone(code, 904),
                )
            )
    # fmt: off
    calls: list[dict[str, Any]] = [
        {"minutes": 10, "problem": Problem.NO_HEATING, "number": "5", "linked": True,
         "answered": 12},
        {"minutes": 25, "problem": Problem.NO_HOT_WATER, "number": "7", "linked": True,
         "answered": 8},
        {"minutes": 40, "problem": Problem.LEAK, "number": "3", "linked": True, "answered": 5,
         "priority": Priority.DANGER},
        {"minutes": 95, "problem": Problem.SUPPLY_RETURN, "number": "11", "linked": True,
         "answered": 20, "informed": 30},
        {"minutes": 150, "problem": Problem.NO_HEATING, "number": "9", "linked": True,
         "answered": None},  # missed, called back
        {"minutes": 230, "problem": Problem.SUBSTATION_FAULT, "number": "21", "linked": False,
         "answered": 15, "priority": Priority.VULNERABLE, "resolved": 120},
    ]
    # fmt: on
    for i, spec in enumerate(calls, start=1):
        received = night + dt.timedelta(minutes=spec["minutes"])
        call = EmergencyCall(
            twilio_call_sid=f"CA{secrets.token_hex(16)}",
            received_at=received,
            channel=CallChannel.TWILIO,
            caller_phone=_phone(code, 100 + i),
            called_number=next(iter(conf.emergency.voice_numbers), None),
            postcode=postcode,
            street=street,
            street_key=street_key(street),
            house_number=spec["number"],
            problem=spec["problem"],
            priority=spec.get("priority", Priority.NORMAL),
            language=lang,
            logged_by="twilio",
            logged_at=received,
            outage_id=outage.id if outage is not None and spec["linked"] else None,
        )
        if spec["answered"] is not None:
            call.answered_at = received + dt.timedelta(seconds=spec["answered"])
            call.wait_seconds = spec["answered"]
            call.talk_seconds = 120
            call.answered_by = f"Päivystäjä A {_phone(code, 901)}"
            call.call_status = CallStatus.COMPLETED
        else:
            call.call_status = CallStatus.NO_ANSWER
            call.wait_seconds = 40
        if "informed" in spec:
            call.informed_at = received + dt.timedelta(minutes=spec["informed"])
        if "resolved" in spec:
            call.dispatched_at = received + dt.timedelta(minutes=10)
            call.crew = "Brygada 2" if code == "PL" else "Korjausryhmä 2"
            call.on_site_at = received + dt.timedelta(minutes=45)
            call.resolved_at = received + dt.timedelta(minutes=spec["resolved"])
            call.outcome = Outcome.REPAIRED
        db.session.add(call)
        if spec["answered"] is None:
            db.session.flush()
            db.session.add(
                Callback(
                    call_id=call.id,
                    reason="missed",
                    due_at=received + dt.timedelta(minutes=conf.emergency.callback_minutes),
                    created_at=received,
                    done_at=received + dt.timedelta(minutes=12),
                    done_by="demo",
                )
            )
    db.session.commit()
    linked = sum(1 for c in calls if c["linked"]) if outage is not None else 0
    return (
        f"{len(calls)} emergency calls ({linked} linked to an interruption, 1 missed and "
        "called back), a weekly duty roster"
    )
