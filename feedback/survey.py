"""The one-question satisfaction survey after an answer (IGCP B2)."""

from __future__ import annotations

from flask_babel import gettext as _

from feedback.models import Case, EventKind
from feedback.transactions import add_event, audit_case, commit_case
from service.db import utcnow
from service.errors import Conflict


def record_survey(case: Case, score: int, comment: str | None) -> Case:
    """The one-question satisfaction survey after an answer (IGCP B2); once per case."""
    if case.first_answered_at is None:
        raise Conflict(_("You can rate our answer once we have answered."))
    if case.surveyed_at is not None:
        raise Conflict(_("You have already rated this answer. Thank you!"))
    case.satisfaction_score = score
    case.satisfaction_comment = comment
    case.surveyed_at = utcnow()
    add_event(case, EventKind.SURVEYED, detail=str(score))
    audit_case("surveyed", case, score=score)
    commit_case()
    return case
