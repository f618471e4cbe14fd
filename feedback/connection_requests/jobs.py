"""Scheduled work of the procedure: escalations before and after the decision deadline,
reminders before conditions expire, expiry, the Finnish fee held back while the utility is late,
and orphan files removed.

Escalation reuses the case escalation's design (feedback/escalations.py): the handler and the
customer-service leads are told once per request, person, level and deadline (a unique row),
by e-mail when FAIRHEAT_FEEDBACK_ESCALATION_EMAILS is on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from feedback.connection_requests import messages, uploads
from feedback.connection_requests.deadlines import conf
from feedback.connection_requests.models import (
    ConnectionDocument,
    ConnectionEscalation,
    ConnectionRequest,
    EscalationLevel,
    PendingFile,
    Status,
    StepKind,
)
from feedback.connection_requests.procedure import EXPIRING
from feedback.connection_requests.transactions import add_step, audit_request
from service.auth.models import User
from service.auth.permissions import Role
from service.db import utcnow
from service.extensions import db
from service.files import file_storage
from service.i18n import to_local
from service.settings import current_settings


def escalate(now: dt.datetime | None = None) -> int:
    """Tell the handler and the leads of decisions due soon or overdue; returns notices written."""
    now = now or utcnow()
    horizon = now + dt.timedelta(days=conf().due_soon_days)
    leads = db.session.scalars(
        sa.select(User).where(User.role == Role.CUSTOMER_SERVICE_LEAD, User.active.is_(True))
    ).all()
    requests = db.session.scalars(
        sa.select(ConnectionRequest).where(
            ConnectionRequest.status == Status.COMPLETE,
            ConnectionRequest.conditions_due_at <= horizon,
        )
    ).all()
    done = {
        (row.request_id, row.user_id, row.level, row.due_at)
        for row in db.session.execute(
            sa.select(
                ConnectionEscalation.request_id,
                ConnectionEscalation.user_id,
                ConnectionEscalation.level,
                ConnectionEscalation.due_at,
            ).where(ConnectionEscalation.request_id.in_([r.id for r in requests]))
        )
    }
    emails = current_settings().feedback.escalation_emails
    written = 0
    for request in requests:
        due = request.conditions_due_at
        assert due is not None
        level = EscalationLevel.OVERDUE if due < now else EscalationLevel.DUE_SOON
        people = {user.id: user for user in leads}
        if request.assignee is not None and request.assignee.active:
            people[request.assignee.id] = request.assignee
        for user in people.values():
            if (request.id, user.id, level, due) in done:
                continue
            db.session.add(
                ConnectionEscalation(
                    request_id=request.id, user_id=user.id, level=level, due_at=due
                )
            )
            if emails:
                messages.notify_staff(request, user, level.value, due)
            written += 1
    db.session.commit()
    return written


def remind_expiry(now: dt.datetime | None = None) -> int:
    """Remind the applicant FAIRHEAT_CONNECTION_REMINDER_DAYS before the conditions expire."""
    today = to_local(now or utcnow()).date()
    horizon = today + dt.timedelta(days=conf().reminder_days)
    requests = db.session.scalars(
        sa.select(ConnectionRequest).where(
            ConnectionRequest.status.in_(list(EXPIRING)),
            ConnectionRequest.expires_on.is_not(None),
            ConnectionRequest.expires_on <= horizon,
            ConnectionRequest.expires_on >= today,
            ConnectionRequest.expiry_reminded_at.is_(None),
        )
    ).all()
    for request in requests:
        request.expiry_reminded_at = utcnow()
        add_step(request, StepKind.EXPIRY_REMINDER.value, text=str(request.expires_on))
        messages.remind_expiry(request)
        audit_request("expiry_reminder", request, expires_on=request.expires_on)
    db.session.commit()
    return len(requests)


def expire_conditions(now: dt.datetime | None = None) -> int:
    """Conditions past their validity (and not yet followed by a signed agreement) expire."""
    now = now or utcnow()
    today = to_local(now).date()
    requests = db.session.scalars(
        sa.select(ConnectionRequest).where(
            ConnectionRequest.status.in_(list(EXPIRING)),
            ConnectionRequest.expires_on < today,
        )
    ).all()
    for request in requests:
        request.expired_at = now
        step = add_step(request, Status.EXPIRED.value, to_status=Status.EXPIRED, at=now)
        db.session.flush()
        messages.tell_step(request, step.id)
        audit_request("expired", request, expires_on=request.expires_on)
    db.session.commit()
    return len(requests)


def suspend_fees(now: dt.datetime | None = None) -> int:
    """Finland: past the agreed connection date without supply, the connection fee is held back
    until supply starts (ET T1/2010 § 10)."""
    now = now or utcnow()
    today = to_local(now).date()
    requests = db.session.scalars(
        sa.select(ConnectionRequest).where(
            ConnectionRequest.jurisdiction == "FI",
            ConnectionRequest.status.in_([Status.AGREEMENT_SIGNED, Status.WORKS]),
            ConnectionRequest.agreed_connection_on < today,
            ConnectionRequest.fee_suspended_at.is_(None),
        )
    ).all()
    for request in requests:
        request.fee_suspended_at = now
        add_step(request, StepKind.FEE_SUSPENDED.value, at=now)
        audit_request("fee_suspended", request, agreed_connection_on=request.agreed_connection_on)
    db.session.commit()
    return len(requests)


def remove_orphan_files(now: dt.datetime | None = None) -> int:
    """Delete stored files a failed request left without a document row (their journal rows
    older than FAIRHEAT_CONNECTION_ORPHAN_GRACE_MINUTES); a journalled file that did get its
    row only loses the journal row."""
    keys = uploads.orphans(dt.timedelta(minutes=conf().orphan_grace_minutes), now)
    if not keys:
        return 0
    kept = set(
        db.session.scalars(
            sa.select(ConnectionDocument.file_key).where(ConnectionDocument.file_key.in_(keys))
        )
    )
    storage = file_storage()
    for key in keys:
        if key not in kept:
            storage.delete(key)
    db.session.execute(sa.delete(PendingFile).where(PendingFile.file_key.in_(keys)))
    db.session.commit()
    return len(set(keys) - kept)


SCHEDULE: list[tuple[Callable[[], Any], int]] = [
    (escalate, 15),
    (remind_expiry, 60),
    (expire_conditions, 60),
    (suspend_fees, 60),
    (remove_orphan_files, 30),
]
