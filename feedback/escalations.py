"""Escalations: telling the assignee and the customer-service leads of cases due soon or
overdue, once per case, person and threshold, and marking them read."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from feedback import messages
from feedback.deadlines import current_deadline, rules
from feedback.models import Case, CaseStatus, Escalation, EscalationLevel
from service.auth.models import User
from service.auth.permissions import Role
from service.db import utcnow
from service.extensions import db
from service.settings import current_settings


def escalate(now: dt.datetime | None = None) -> int:
    """Tell the assignee and the customer-service leads about cases due soon or overdue.

    Once per case, person and threshold (a unique row per (case, user, level)); by e-mail too
    when FAIRHEAT_FEEDBACK_ESCALATION_EMAILS is on. Returns how many notices were written.
    """
    now = now or utcnow()
    conf = current_settings().feedback
    horizon = now + dt.timedelta(hours=conf.due_soon_hours)
    leads = db.session.scalars(
        sa.select(User).where(User.role == Role.CUSTOMER_SERVICE_LEAD, User.active.is_(True))
    ).all()
    running = sa.or_(  # a clock that runs: not waiting, or on a track the law gives no pause
        Case.status.in_([CaseStatus.RECEIVED, CaseStatus.IN_PROGRESS]),
        sa.and_(
            Case.status == CaseStatus.WAITING_FOR_CUSTOMER,
            Case.track.in_(list(rules().deemed_accepted_tracks)),
        ),
    )
    cases = db.session.scalars(
        sa.select(Case).where(running, Case.is_spam.is_(False), Case.deadline_at <= horizon)
    ).all()
    done = {
        (row.case_id, row.user_id, row.level)
        for row in db.session.execute(
            sa.select(Escalation.case_id, Escalation.user_id, Escalation.level).where(
                Escalation.case_id.in_([c.id for c in cases])
            )
        )
    }
    written = 0
    for case in cases:
        deadline = current_deadline(case, now)
        level = EscalationLevel.OVERDUE if deadline < now else EscalationLevel.DUE_SOON
        people = {user.id: user for user in leads}
        if case.assignee is not None and case.assignee.active:
            people[case.assignee.id] = case.assignee
        for user in people.values():
            if (case.id, user.id, level) in done:
                continue
            db.session.add(Escalation(case_id=case.id, user_id=user.id, level=level))
            if conf.escalation_emails:
                messages.notify_staff(case, user, level.value, deadline)
            written += 1
    db.session.commit()
    return written


def mark_escalations_read(user_id: int) -> None:
    db.session.execute(
        sa.update(Escalation)
        .where(Escalation.user_id == user_id, Escalation.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
