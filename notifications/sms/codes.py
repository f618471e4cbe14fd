"""One-time codes sent by SMS: a web request waits in one until the person types the code.

On the web a subscription waits in a one-time code (double opt-in) until the person types the
code we sent, and signing in to manage a subscription takes one too: 6 digits from `secrets`,
stored only as an HMAC keyed with the app secret over the purpose, the number and the code,
valid 15 minutes, dead after 5 wrong tries. Codes per number and per network address per hour
are capped (FAIRHEAT_SMS_*).

`issue_code` and `redeem_code` work inside the caller's transaction (the web subscription
services in `notifications.sms.subscriptions`); `purge_spent_codes` owns its transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, ngettext, npgettext
from flask_babel import gettext as _

from notifications.sms.models import MessageKind, VerificationCode
from notifications.sms.outbox import enqueue
from service.db import utcnow
from service.errors import Conflict, DomainError, ValidationFailed
from service.extensions import db
from service.phones import display_phone
from service.settings import current_settings

CODE_DIGITS = 6
CODE_VALIDITY = dt.timedelta(minutes=15)
CODE_MAX_TRIES = 5
RATE_WINDOW = dt.timedelta(hours=1)
CODE_PRIORITY = 20  # a person is waiting for it: ahead of notice fan-outs
SUBSCRIBE, MANAGE = "subscribe", "manage"


class TooManyCodes(DomainError):
    """A code limit per number or per network address was reached (FAIRHEAT_SMS_CODES_*)."""

    status_code = 429


def _code_hash(purpose: str, phone: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _check_code_limits(phone: str, client_ip: str | None, now: dt.datetime) -> None:
    limits = current_settings().sms
    since = now - RATE_WINDOW

    def count(*where: sa.ColumnElement[bool]) -> int:
        query = sa.select(sa.func.count()).select_from(VerificationCode)
        return db.session.scalar(query.where(VerificationCode.created_at > since, *where)) or 0

    per_phone = limits.codes_per_phone_per_hour
    if count(VerificationCode.phone == phone) >= per_phone:
        raise TooManyCodes(
            ngettext(
                "At most %(num)d code an hour can be sent to one phone number. "
                "Please try again later.",
                "At most %(num)d codes an hour can be sent to one phone number. "
                "Please try again later.",
                per_phone,
            )
        )
    per_ip = limits.codes_per_ip_per_hour
    if client_ip and count(VerificationCode.client_ip == client_ip) >= per_ip:
        raise TooManyCodes(
            ngettext(
                "At most %(num)d code an hour can be asked for from one network connection. "
                "Please try again later.",
                "At most %(num)d codes an hour can be asked for from one network connection. "
                "Please try again later.",
                per_ip,
            )
        )


def code_text(purpose: str, code: str, language: str) -> str:
    minutes = int(CODE_VALIDITY.total_seconds() // 60)
    utility = current_settings().utility_name
    with force_locale(language):
        if purpose == MANAGE:
            # Translators: SMS (budget: one message, 160 characters, for fi/sv/en with a
            # 20-character %(utility)s; Polish within two UCS-2 messages).
            return npgettext(
                "sms",
                "%(code)s is your code for managing SMS notices from %(utility)s. It is valid "
                "for %(num)d minute. If you did not ask for it, ignore this message.",
                "%(code)s is your code for managing SMS notices from %(utility)s. It is valid "
                "for %(num)d minutes. If you did not ask for it, ignore this message.",
                minutes,
                code=code,
                utility=utility,
            )
        # Translators: SMS (budget: one message, 160 characters, for fi/sv/en with a
        # 20-character %(utility)s; Polish ONE UCS-2 message of 70 with a short %(utility)s,
        # two with a 20-character one).
        return npgettext(
            "sms",
            "%(code)s is your code for SMS notices from %(utility)s about interruptions in heat "
            "supply. It is valid for %(num)d minute.",
            "%(code)s is your code for SMS notices from %(utility)s about interruptions in heat "
            "supply. It is valid for %(num)d minutes.",
            minutes,
            code=code,
            utility=utility,
        )


def issue_code(
    phone: str,
    purpose: str,
    *,
    payload: dict[str, Any] | None,
    client_ip: str | None,
    send_in: str | None,
    subscriber_id: int | None,
    now: dt.datetime,
) -> int:
    """Store a new code and queue its SMS in `send_in` (None: send nothing); the caller commits."""
    _check_code_limits(phone, client_ip, now)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row = VerificationCode(
        phone=phone,
        purpose=purpose,
        code_hash=_code_hash(purpose, phone, code),
        payload=payload,
        created_at=now,
        expires_at=now + CODE_VALIDITY,
        client_ip=(client_ip or None) and client_ip[:45],
    )
    db.session.add(row)
    db.session.flush()
    if send_in is not None:
        enqueue(
            event_key=f"code:{row.id}",
            kind=MessageKind.CODE,
            phone=phone,
            language=send_in,
            body=code_text(purpose, code, send_in),
            subscriber_id=subscriber_id,
            priority=CODE_PRIORITY,
            expires_at=row.expires_at,
        )
    return row.id


def dead_code_conflict() -> Conflict:
    """The error for a code that can no longer be used (unknown, used, replaced, tried out)."""
    return Conflict(_("This code can no longer be used. Ask for a new code."))


def redeem_code(code_id: int, purpose: str, typed: str, now: dt.datetime) -> VerificationCode:
    """The code row when `typed` is its code; counts a wrong try (committed) and raises.

    On success the row is marked used but not committed: the caller commits.
    """
    query = sa.select(VerificationCode).where(
        VerificationCode.id == code_id, VerificationCode.purpose == purpose
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    row = db.session.scalar(query)
    if row is None or row.used_at is not None or row.attempts >= CODE_MAX_TRIES:
        db.session.rollback()
        raise dead_code_conflict()
    if now >= row.expires_at:
        db.session.rollback()
        minutes = int(CODE_VALIDITY.total_seconds() // 60)
        raise Conflict(
            ngettext(
                "This code has expired: a code is valid for %(num)d minute. Ask for a new code.",
                "This code has expired: a code is valid for %(num)d minutes. Ask for a new code.",
                minutes,
            )
        )
    digits = re.sub(r"[\s-]", "", typed or "")
    if not re.fullmatch(rf"\d{{{CODE_DIGITS}}}", digits):
        db.session.rollback()
        raise ValidationFailed(
            {"code": [_("Enter the %(num)d-digit code from the text message.", num=CODE_DIGITS)]}
        )
    if not hmac.compare_digest(_code_hash(purpose, row.phone, digits), row.code_hash):
        row.attempts += 1
        left = CODE_MAX_TRIES - row.attempts
        db.session.commit()
        if left <= 0:
            message = _("The code is wrong, and that was the last try. Ask for a new code.")
        else:
            message = ngettext(
                "The code is wrong. You can try %(num)d more time.",
                "The code is wrong. You can try %(num)d more times.",
                left,
            )
        raise ValidationFailed({"code": [message]})
    row.used_at = now
    return row


@dataclass(frozen=True)
class PendingCode:
    purpose: str
    phone: str  # for display
    expires_at: dt.datetime


def pending_code(code_id: int) -> PendingCode | None:
    """What the code page shows: the number the code went to and until when it is valid."""
    row = db.session.get(VerificationCode, code_id)
    if row is None or row.used_at is not None:
        return None
    return PendingCode(row.purpose, display_phone(row.phone), row.expires_at)


def purge_spent_codes(now: dt.datetime | None = None) -> int:
    """Delete codes older than the rate-limit window (they hold a number and maybe addresses)."""
    cutoff = (now or utcnow()) - RATE_WINDOW
    result = db.session.execute(
        sa.delete(VerificationCode).where(VerificationCode.created_at <= cutoff)
    )
    db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
