"""The one transaction behind every action on a case, and what each one writes in it.

Every action writes the case, a timeline event, its outgoing messages (outbox rows) and an audit
entry together, or nothing. Staff actions carry the version the staff member saw; a case changed
meanwhile by someone else is a 409, never a silent overwrite (service.transactions).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from feedback.models import Case, CaseEvent, EventKind
from feedback.references import reference
from service import audit
from service.auth.models import User
from service.auth.permissions import Permission, role_allows
from service.db import utcnow
from service.errors import Conflict, Forbidden, NotFound
from service.extensions import db
from service.transactions import commit_or_conflict


def changed_meanwhile() -> str:
    return _("Someone else changed this case meanwhile. Reload it and try again.")


def commit_case() -> None:
    """Commit the action; a case someone else changed since it was read is a 409."""
    commit_or_conflict(changed_meanwhile)


def case_for_update(case_id: int, version: int | None) -> Case:
    """The case a staff action changes: 404 if there is none, 409 if it is no longer at the
    `version` the staff member saw (None: a job or the customer, who see no version)."""
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound(_("There is no such case."))
    if version is not None and case.version != version:
        raise Conflict(changed_meanwhile())
    return case


def may_handle(case: Case, actor_id: int | None) -> bool:
    """The case is free, the actor's own, or the actor a lead (or an admin)."""
    if case.assignee_id is None or case.assignee_id == actor_id:
        return True
    actor = db.session.get(User, actor_id) if actor_id is not None else None
    return actor is not None and role_allows(actor.role, Permission.SUPERVISE_CASES)


def require_handler(case: Case, actor_id: int | None) -> None:
    """D15: what the customer receives or what decides the case — an answer, a question, the
    explanatory track, spam, reopening — is done by the case's assignee, or by a lead; anyone
    who handles cases may still add a note to a colleague's case (it changes nothing for the
    customer, and the timeline names its author)."""
    if not may_handle(case, actor_id):
        raise Forbidden(
            _("This case is assigned to someone else. Only they or a team lead can do this.")
        )


def require_open(case: Case) -> None:
    if not case.is_open:
        raise Conflict(_("This case is closed. Reopen it first."))


def add_event(
    case: Case, kind: EventKind, *, text: str | None = None, detail: str | None = None, **kw: Any
) -> CaseEvent:
    """A line of the case's timeline (`actor_id`, `at`: now unless given)."""
    actor = kw.get("actor_id")
    event = CaseEvent(
        kind=kind, text=text, detail=detail, actor_id=actor, at=kw.get("at", utcnow())
    )
    case.events.append(event)
    return event


def audit_case(action: str, case: Case, **after: Any) -> None:
    """The audit entry `case.<action>` for the case, by its reference."""
    audit.record(f"case.{action}", "feedback_case", reference(case), after=after or None)


def case_summary(case: Case) -> dict[str, Any]:
    """What the audit log keeps of a case's type, channel, track and deadline with its rule."""
    return {
        "type": case.type.value,
        "channel": case.channel.value,
        "track": case.track.value,
        "deadline_at": case.deadline_at,
        "rule": f"{case.rule_value} {case.rule_unit}: {case.rule_source}",
    }
