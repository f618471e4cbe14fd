"""Handling an open case: assigning it, notes, asking the customer (the clock stops until
they reply) and their reply, the explanatory procedure, and marking spam."""

from __future__ import annotations

from flask_babel import gettext as _

from config.feedback_rules import Track
from feedback import messages
from feedback.deadlines import end_pause, explanatory_refusal, set_deadline
from feedback.models import Case, CasePause, CaseStatus, EventKind
from feedback.transactions import (
    add_event,
    audit_case,
    case_for_update,
    case_summary,
    commit_case,
    require_handler,
    require_open,
)
from service.auth.models import User
from service.auth.permissions import Permission, role_allows
from service.db import utcnow
from service.errors import Conflict, Forbidden, ValidationFailed
from service.extensions import db


def _start_work(case: Case) -> None:
    if case.status is CaseStatus.RECEIVED:
        case.status = CaseStatus.IN_PROGRESS


def assign_case(
    case_id: int,
    assignee_id: int | None,
    actor_id: int,
    version: int | None,
    *,
    hands_out: bool = True,
) -> Case:
    """Give the case to a handler (or to nobody). Without `hands_out` (a lead's right) a handler
    takes a free case for themselves or hands back their own, nothing else."""
    case = case_for_update(case_id, version)
    if not hands_out and (
        assignee_id not in (None, actor_id) or case.assignee_id not in (None, actor_id)
    ):
        raise Forbidden()
    assignee = None
    if assignee_id is not None:
        assignee = db.session.get(User, assignee_id)
        if (
            assignee is None
            or not assignee.active
            or not role_allows(assignee.role, Permission.HANDLE_CASES)
        ):
            raise ValidationFailed(
                {"assignee_id": [_("Choose an active staff member who handles cases.")]}
            )
    case.assignee_id = assignee_id
    if case.is_open:
        _start_work(case)
    add_event(
        case, EventKind.ASSIGNED, detail=assignee.email if assignee else None, actor_id=actor_id
    )
    audit_case("assigned", case, assignee=assignee.email if assignee else None)
    commit_case()
    return case


def add_note(case_id: int, text: str, actor_id: int, version: int | None) -> Case:
    case = case_for_update(case_id, version)
    add_event(case, EventKind.NOTE, text=text, actor_id=actor_id)
    case.updated_at = utcnow()
    audit_case("note", case)
    commit_case()
    return case


def request_information(case_id: int, question: str, actor_id: int, version: int | None) -> Case:
    """Ask the customer; the deadline clock stops until they reply."""
    case = case_for_update(case_id, version)
    require_handler(case, actor_id)
    require_open(case)
    if case.status is CaseStatus.WAITING_FOR_CUSTOMER:
        raise Conflict(_("This case is already waiting for the customer."))
    now = utcnow()
    case.status = CaseStatus.WAITING_FOR_CUSTOMER
    case.pauses.append(CasePause(started_at=now))
    event = add_event(case, EventKind.INFO_REQUESTED, text=question, actor_id=actor_id, at=now)
    db.session.flush()
    sent = messages.ask_customer(case, question, event.id)
    event.detail = ", ".join(sent) or None
    audit_case("info_requested", case, sent=sent)
    commit_case()
    return case


def customer_reply(case: Case, text: str) -> Case:
    """The customer adds information from the tracking link; a waiting case's clock restarts."""
    if not case.is_open:
        raise Conflict(
            _("This case is closed, so it cannot take replies. Please send a new message.")
        )
    now = utcnow()
    add_event(case, EventKind.CUSTOMER_REPLIED, text=text, at=now)
    if case.status is CaseStatus.WAITING_FOR_CUSTOMER:
        end_pause(case, now)
        case.status = CaseStatus.IN_PROGRESS
    case.updated_at = now
    audit_case("customer_replied", case, deadline_at=case.deadline_at)
    commit_case()
    return case


def switch_to_explanatory(case_id: int, reason: str, actor_id: int, version: int | None) -> Case:
    """A complaint needing an explanatory procedure moves to that track's longer deadline, when
    deadlines.explanatory_refusal allows it (a 409 with its reason otherwise)."""
    case = case_for_update(case_id, version)
    require_handler(case, actor_id)
    now = utcnow()
    refusal = explanatory_refusal(case, now)
    if refusal is not None:
        raise Conflict(refusal.message())
    before = case.deadline_at
    set_deadline(case, Track.EXPLANATORY)
    case.track_reason = reason
    event = add_event(
        case,
        EventKind.TRACK_CHANGED,
        text=reason,
        detail=Track.EXPLANATORY.value,
        actor_id=actor_id,
        at=now,
    )
    db.session.flush()
    messages.tell_new_deadline(case, event.id)
    audit_case("track_changed", case, reason=reason, deadline_before=before, **case_summary(case))
    commit_case()
    return case


def mark_spam(case_id: int, spam: bool, actor_id: int, version: int | None) -> Case:
    """Spam is kept (evidence) but hidden from the inbox and left out of the figures."""
    case = case_for_update(case_id, version)
    require_handler(case, actor_id)
    if case.is_spam == spam:
        return case
    case.is_spam = spam
    add_event(case, EventKind.SPAM if spam else EventKind.NOT_SPAM, actor_id=actor_id)
    audit_case("spam" if spam else "not_spam", case)
    commit_case()
    return case
