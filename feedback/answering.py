"""The answer to a case: sending it closes the case, reopening gives the case its time again,
and a complaint the law deems accepted when no answer came in time (PL art. 6c)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from feedback import messages
from feedback.deadlines import end_pause, restart_deadline, rules
from feedback.models import Case, CaseStatus, Escalation, EventKind
from feedback.transactions import (
    add_event,
    audit_case,
    case_for_update,
    commit_case,
    require_handler,
    require_open,
)
from service.db import utcnow
from service.errors import Conflict
from service.extensions import db


def answer_case(case_id: int, data: Mapping[str, Any], actor_id: int, version: int | None) -> Case:
    """Answer the customer (text and the action taken), record the outcome and close the case."""
    case = case_for_update(case_id, version)
    require_handler(case, actor_id)
    require_open(case)
    now = utcnow()
    end_pause(case, now)
    case.answer_text = data["text"]
    case.answer_action = data["action"]
    case.outcome = data["outcome"]
    case.answered_at = now
    case.first_answered_at = case.first_answered_at or now
    case.closed_at = now
    case.status = CaseStatus.CLOSED
    event = add_event(
        case,
        EventKind.ANSWERED,
        text=data["text"],
        detail=case.outcome.value,
        actor_id=actor_id,
        at=now,
    )
    db.session.flush()
    sent = messages.send_answer(case, event.id)
    event.detail = f"{case.outcome.value}; {', '.join(sent) or '-'}"
    audit_case(
        "answered", case, outcome=case.outcome.value, on_time=now <= case.deadline_at, sent=sent
    )
    commit_case()
    return case


def reopen_case(case_id: int, reason: str, actor_id: int, version: int | None) -> Case:
    case = case_for_update(case_id, version)
    require_handler(case, actor_id)
    if case.is_open:
        raise Conflict(_("This case is already open."))
    now = utcnow()
    case.status = CaseStatus.IN_PROGRESS
    case.closed_at = None
    restart_deadline(case, now)  # the first answer's timeliness stays in first_answered_at
    # Its escalations start over: the new deadline is warned about like a new case's.
    db.session.execute(sa.delete(Escalation).where(Escalation.case_id == case.id))
    add_event(case, EventKind.REOPENED, text=reason, actor_id=actor_id, at=now)
    audit_case("reopened", case, reason=reason, deadline_at=case.deadline_at)
    commit_case()
    return case


def mark_deemed_accepted(now: dt.datetime | None = None) -> int:
    """A complaint on a deemed-accepted track (PL disconnection) unanswered past its deadline."""
    now = now or utcnow()
    tracks = rules().deemed_accepted_tracks
    if not tracks:
        return 0
    cases = db.session.scalars(
        sa.select(Case).where(
            Case.track.in_(list(tracks)),
            Case.first_answered_at.is_(None),
            Case.deemed_accepted_at.is_(None),
            Case.is_spam.is_(False),
            Case.deadline_at < now,
        )
    ).all()
    marked = 0
    for case in cases:
        case.deemed_accepted_at = now  # no pause on these tracks: the stored deadline is final
        add_event(case, EventKind.DEEMED_ACCEPTED, at=now)
        audit_case("deemed_accepted", case, deadline_at=case.deadline_at)
        marked += 1
    db.session.commit()
    return marked
