"""Signed webhooks already accepted, kept in the database so that every web process knows them
(review D8; service/webhooks.py decides when to ask).

A request is known by the SHA-256 of what Twilio signed: the path, the query and the POST
parameters (every value of every name, sorted), or the raw body where it is not a form. The same
MessageSid with the same words, the same CallSid with the same status, the same status for the
same message: the same digest. The digest column is unique, so two processes receiving one
replay at the same moment cannot both run it: the second insert fails.

Rows are kept FAIRHEAT_WEBHOOK_REPEAT_DAYS (far longer than any retry of Twilio's) and pruned
at most once an hour per process, by whichever request comes then.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time

import sqlalchemy as sa
from flask import request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from service.db import utcnow
from service.extensions import db
from service.settings import current_settings

PRUNE_EVERY_SECONDS = 3600.0
_pruned_at = 0.0
_prune_lock = threading.Lock()


class WebhookReceipt(db.Model):  # type: ignore[name-defined,misc]
    """One signed webhook request that was accepted and handled."""

    __tablename__ = "webhook_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    path: Mapped[str] = mapped_column(sa.String(200))
    # MessageSid or CallSid, for an operator reading the table; not part of the identity.
    sid: Mapped[str] = mapped_column(sa.String(64), default="")
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


def request_digest() -> str:
    """The identity of this request as Twilio signed it (see the module's notes)."""
    digest = hashlib.sha256()
    digest.update(request.path.encode() + b"\n" + request.query_string + b"\n")
    if request.mimetype == "application/x-www-form-urlencoded":
        for name, value in sorted(request.form.items(multi=True)):
            digest.update(f"{len(name)}:{name}{len(value)}:{value}".encode())
    else:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def remember(digest: str) -> bool:
    """Record the request; False when it was recorded already (a repeat). Commits."""
    sid = request.form.get("MessageSid") or request.form.get("CallSid") or ""
    db.session.add(WebhookReceipt(digest=digest, path=request.path[:200], sid=sid[:64]))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    _prune_now_and_then()
    return True


def forget(digest: str) -> None:
    """Undo remember() for a request the view failed on, so Twilio's retry is not refused."""
    db.session.rollback()
    db.session.execute(sa.delete(WebhookReceipt).where(WebhookReceipt.digest == digest))
    db.session.commit()


def prune(now: dt.datetime | None = None) -> int:
    """Delete receipts past the repeat window; how many."""
    days = current_settings().edge.webhook_repeat_days
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    result = db.session.execute(
        sa.delete(WebhookReceipt).where(WebhookReceipt.received_at < cutoff)
    )
    db.session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _prune_now_and_then() -> None:
    global _pruned_at
    with _prune_lock:
        if time.monotonic() - _pruned_at < PRUNE_EVERY_SECONDS:
            return
        _pruned_at = time.monotonic()
    prune()
