"""Feedback test helpers."""

from __future__ import annotations

from feedback.models import Case
from service.extensions import db


def case_row(case_id: int) -> Case:
    """The case as the database has it now (what a request or a job committed)."""
    db.session.expire_all()
    found = db.session.get(Case, case_id)
    assert found is not None
    return found
