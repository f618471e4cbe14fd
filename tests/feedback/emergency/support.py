"""Helpers for the emergency line tests: Twilio-signed Voice webhooks and the settings for them."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

from feedback.emergency import call_log, roster
from feedback.emergency.models import DutySlot, EmergencyCall
from service.extensions import db
from tests.support.fake_twilio import FakeTwilio
from tests.support.sms import ACCOUNT_SID, AUTH_TOKEN, PUBLIC_BASE_URL

FI_LINE = "+358981234567"
PL_LINE = "+48221234567"
DUTY = "+358401110001"
BACKUP = "+358401110002"
LEAD = "+358401110003"
FALLBACK = "+358401119999"
CALLER = "+358407654321"


def voice_env(fake: FakeTwilio | None = None, **extra: str) -> dict[str, str]:
    env = {
        "FAIRHEAT_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "FAIRHEAT_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "FAIRHEAT_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "FAIRHEAT_VOICE_NUMBERS": f"{FI_LINE}=fi,{PL_LINE}=pl",
        "FAIRHEAT_EMERGENCY_DUTY_NUMBER": FALLBACK,
        "FAIRHEAT_EMERGENCY_LEAD_NUMBER": LEAD,
    }
    if fake is not None:
        env["FAIRHEAT_TWILIO_API_BASE_URL"] = fake.url
    env.update(extra)
    return env


def signed_post(
    client: FlaskClient,
    path: str,
    params: Mapping[str, str],
    *,
    sign: bool = True,
    token: str = AUTH_TOKEN,
) -> TestResponse:
    url = PUBLIC_BASE_URL + path
    headers = {}
    if sign:
        headers["X-Twilio-Signature"] = RequestValidator(token).compute_signature(url, dict(params))
    return client.post(path, data=dict(params), headers=headers)


def incoming(sid: str, *, to: str = FI_LINE, caller: str = CALLER) -> dict[str, str]:
    return {
        "CallSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": caller,
        "To": to,
        "CallStatus": "ringing",
        "Direction": "inbound",
    }


def on_duty_all_week(backup: str | None = None) -> None:
    """Matti on duty round the clock every day (with a backup number when given)."""
    for weekday in range(7):
        db.session.add(
            DutySlot(
                weekday=weekday,
                start_minute=0,
                end_minute=1440,
                name="Matti",
                phone=DUTY,
                backup_phone=backup,
                lead_phone=LEAD,
            )
        )
    db.session.commit()
    roster.COPY.forget()


def logged_calls() -> list[EmergencyCall]:
    """The calls in the database, after what this process queued is written."""
    call_log.flush(db.engine)
    db.session.expire_all()
    return list(db.session.scalars(sa.select(EmergencyCall).order_by(EmergencyCall.id)))
