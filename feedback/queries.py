"""Reading cases: one case, the tracking view, the staff inbox, escalations and templates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from feedback.deadlines import current_deadline
from feedback.models import (
    OPEN_STATUSES,
    Case,
    CaseStatus,
    CaseType,
    Channel,
    Escalation,
    ReplyTemplate,
    SubjectArea,
)
from feedback.references import parse_reference, token_matches
from service.auth.models import User
from service.auth.permissions import Permission, role_allows
from service.db import utcnow
from service.errors import NotFound
from service.extensions import db
from service.settings import current_settings
from service.validation import small_id

INBOX_PAGE = 50
STATUS_FILTERS = ("open", "waiting", "closed", "all", "spam")
FILTER_NAMES = ("status", "type", "area", "channel", "assignee", "reference")


def get_case(case_id: int) -> Case:
    case = db.session.get(
        Case, case_id, options=[selectinload(Case.events), selectinload(Case.pauses)]
    )
    if case is None:
        raise NotFound(_("There is no such case."))
    return case


def case_by_reference(text: str) -> Case | None:
    parsed = parse_reference(text)
    if parsed is None:
        return None
    year, case_id = parsed
    case = db.session.get(Case, case_id)
    return case if case is not None and case.year == year else None


def case_for_tracking(reference_text: str, token: str) -> Case:
    """The case behind a private tracking link; the same 404 for a wrong reference or token."""
    case = case_by_reference(reference_text)
    if case is None or not token_matches(case, token):
        raise NotFound(
            _("We could not find this case. Check that you opened the whole link we sent you.")
        )
    return case


def due_state(
    case: Case, now: dt.datetime | None = None, deadline: dt.datetime | None = None
) -> str | None:
    """'overdue' or 'due_soon' for an open case whose clock runs; None otherwise. `deadline`:
    its current deadline at `now`, when the caller has it already."""
    if case.status not in (CaseStatus.RECEIVED, CaseStatus.IN_PROGRESS):
        return None
    now = now or utcnow()
    deadline = deadline or current_deadline(case, now)
    if deadline < now:
        return "overdue"
    hours = current_settings().feedback.due_soon_hours
    if deadline <= now + dt.timedelta(hours=hours):
        return "due_soon"
    return None


@dataclass(frozen=True)
class InboxFilters:
    status: str = "open"  # open | waiting | closed | all | spam
    type: str | None = None
    area: str | None = None
    channel: str | None = None
    assignee: str | None = None  # a user id, "me" or "none"
    reference: str | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> InboxFilters:
        """The filters from a query string; a value that is not one of the choices is ignored."""

        def arg(name: str, choices: Any = None) -> str | None:
            value = (args.get(name) or "").strip()
            if choices is not None and value not in {getattr(c, "value", c) for c in choices}:
                return None
            return value or None

        assignee = arg("assignee")
        if assignee not in (None, "me", "none") and small_id(assignee) is None:
            assignee = None
        return cls(
            status=arg("status", STATUS_FILTERS) or "open",
            type=arg("type", CaseType),
            area=arg("area", SubjectArea),
            channel=arg("channel", Channel),
            assignee=assignee,
            reference=arg("reference"),
        )


def inbox(filters: InboxFilters, user_id: int, page: int = 1) -> tuple[list[Case], int]:
    """Cases for the staff inbox, soonest deadline first (closed: latest first), and the total."""
    query = sa.select(Case)
    if filters.status == "spam":
        query = query.where(Case.is_spam.is_(True))
    else:
        query = query.where(Case.is_spam.is_(False))
        if filters.status == "open":
            query = query.where(Case.status.in_(list(OPEN_STATUSES)))
        elif filters.status == "waiting":
            query = query.where(Case.status == CaseStatus.WAITING_FOR_CUSTOMER)
        elif filters.status == "closed":
            query = query.where(Case.status == CaseStatus.CLOSED)
    for name in ("type", "area", "channel"):
        value = getattr(filters, name)
        if value:
            query = query.where(getattr(Case, name) == value)
    if filters.assignee == "me":
        query = query.where(Case.assignee_id == user_id)
    elif filters.assignee == "none":
        query = query.where(Case.assignee_id.is_(None))
    elif filters.assignee:
        query = query.where(Case.assignee_id == small_id(filters.assignee))
    if filters.reference:
        parsed = parse_reference(filters.reference)
        year, case_id = parsed if parsed else (0, -1)
        query = query.where(Case.id == case_id, Case.year == year)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    order = (
        [Case.closed_at.desc(), Case.id.desc()]
        if filters.status == "closed"
        else [Case.deadline_at, Case.id]
    )
    rows = db.session.scalars(
        query.options(selectinload(Case.pauses), selectinload(Case.assignee))
        .order_by(*order)
        .limit(INBOX_PAGE)
        .offset((max(page, 1) - 1) * INBOX_PAGE)
    ).all()
    return list(rows), total


def unread_escalations(user_id: int) -> list[Escalation]:
    return list(
        db.session.scalars(
            sa.select(Escalation)
            .where(Escalation.user_id == user_id, Escalation.read_at.is_(None))
            .options(selectinload(Escalation.case))
            .order_by(Escalation.created_at.desc())
            .limit(50)
        )
    )


def templates(language: str | None = None) -> list[ReplyTemplate]:
    query = sa.select(ReplyTemplate).order_by(ReplyTemplate.language, ReplyTemplate.title)
    if language:
        query = query.where(ReplyTemplate.language == language)
    return list(db.session.scalars(query))


def get_template(template_id: int) -> ReplyTemplate | None:
    return db.session.get(ReplyTemplate, template_id)


def staff_members() -> list[Any]:
    users = db.session.scalars(
        sa.select(User).where(User.active.is_(True)).order_by(User.name, User.email)
    ).all()
    return [u for u in users if role_allows(u.role, Permission.HANDLE_CASES)]
