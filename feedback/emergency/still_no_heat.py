""" "Still no heat": a reply to a restoration SMS within 24 hours becomes an emergency call.

The SMS handler of notifications (notifications/sms/inbound.py) finds the restoration SMS the
sender got and hands the reply here: any free text ("EI LÄMPÖÄ", "INGEN VÄRME", "NO HEAT",
"BRAK CIEPŁA", or anything else) is logged as a call linked to that outage, the person on duty is
alerted by SMS, and the resident gets a reply in the language of the SMS they answered.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _

from feedback.emergency.models import CallChannel, CallerKind, EmergencyCall, Problem
from feedback.emergency.schemas import DESCRIPTION_MAX
from feedback.emergency.voice import alert_staff
from service import audit
from service.db import utcnow
from service.extensions import db
from service.settings import current_settings

ACTOR = "sms"


def take_reply(phone: str, body: str, outage_id: int, language: str) -> str:
    """Log the reply as a call about the outage; the reply to send, in the SMS's language."""
    now = utcnow()
    settings = current_settings()
    if language not in settings.languages:
        language = settings.default_language
    call = EmergencyCall(
        received_at=now.replace(microsecond=0),
        channel=CallChannel.SMS,
        caller_phone=phone,
        problem=Problem.NO_HEATING,
        caller_kind=CallerKind.RESIDENT,
        language=language,
        description=(body or "").strip()[:DESCRIPTION_MAX] or None,
        outage_id=outage_id,
        logged_by=ACTOR,
        logged_at=now,
    )
    db.session.add(call)
    db.session.flush()
    audit.record(
        "emergency_call.sms_reply",
        "emergency_call",
        call.id,
        after={"outage_id": outage_id, "channel": call.channel},
        actor=ACTOR,
    )
    alert_staff(call, "sms")
    db.session.commit()
    with force_locale(language):
        return _(
            "Thank you. We have noted that you still have no heat and will look into it. "
            "If there is danger, call %(phone)s.",
            phone=settings.feedback.emergency_phone,
        )


def install(app: Flask) -> None:
    """Register take_reply with the SMS handler (once, however many apps are made)."""
    from notifications.sms.inbound import restoration_reply_handlers

    if take_reply not in restoration_reply_handlers:
        restoration_reply_handlers.append(take_reply)
