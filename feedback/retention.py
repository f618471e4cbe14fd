"""Feedback cases over time (service/retention/hooks.py).

- Retention (`feedback_case`): a case closed before the cutoff loses everything that identifies
  the customer — name, contact details, address, customer number, coordinates, the texts (theirs
  and the answers, which quote them) — and keeps what the compliance figures count: type, area,
  channel, dates, deadlines, outcome, satisfaction score.
- Data-subject requests find a person's cases by e-mail or phone. Erasure anonymises spam at
  once and closed cases past their period; an open case is kept until it is answered, a closed
  one until its statutory period ends (the date and the rule are said), one under a legal hold
  until the hold is released.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from feedback.models import Case, CaseEvent
from feedback.references import reference
from service.db import utcnow
from service.extensions import db
from service.retention import Erasure, Kept, Subject, why_kept
from service.retention.holds import held_ids
from service.settings import current_settings

RECORD_TYPE = "feedback_case"

_ANONYMOUS: dict[str, Any] = {
    "description": "",
    "address": None,
    "customer_number": None,
    "name": None,
    "email": None,
    "phone": None,
    # The table wants some contact on every case (ck has_contact): an empty address says
    # "anonymised".
    "postal_address": "",
    "latitude": None,
    "longitude": None,
    "answer_text": None,
    "answer_action": None,
    "track_reason": None,
    "satisfaction_comment": None,
}


def _anonymise(ids: Sequence[int]) -> int:
    if not ids:
        return 0
    db.session.execute(
        sa.update(CaseEvent)
        .where(CaseEvent.case_id.in_(ids))
        .values(text=None)
        .execution_options(synchronize_session=False)
    )
    result = db.session.execute(
        sa.update(Case)
        .where(Case.id.in_(ids))
        .values(**_ANONYMOUS)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def expire_cases(cutoff: dt.datetime, held: frozenset[int]) -> int:
    """Anonymise the cases closed before `cutoff` (not yet anonymised, not held)."""
    query = sa.select(Case.id).where(
        Case.closed_at.is_not(None), Case.closed_at < cutoff, Case.description != ""
    )
    ids = [case_id for case_id in db.session.scalars(query) if case_id not in held]
    return sum(_anonymise(ids[i : i + 500]) for i in range(0, len(ids), 500))


def _cases_of(subject: Subject) -> Sequence[Case]:
    who = []
    if subject.email:
        who.append(sa.func.lower(Case.email) == subject.email)
    if subject.phone:
        who.append(Case.phone == subject.phone)
    return db.session.scalars(sa.select(Case).where(sa.or_(*who)).order_by(Case.id)).all()


def find_cases(subject: Subject) -> list[dict[str, Any]]:
    return [
        {
            "reference": reference(case),
            "type": case.type.value,
            "status": case.status.value,
            "received_at": case.received_at.isoformat(),
            "closed_at": case.closed_at.isoformat() if case.closed_at else None,
            "name": case.name,
            "email": case.email,
            "phone": case.phone,
            "postal_address": case.postal_address,
            "address": case.address,
            "customer_number": case.customer_number,
            "description": case.description,
            "answer": case.answer_text,
            "satisfaction_comment": case.satisfaction_comment,
            "timeline": [
                {"at": event.at.isoformat(), "kind": event.kind.value, "text": event.text}
                for event in case.events
                if event.text
            ],
        }
        for case in _cases_of(subject)
    ]


def erase_cases(subject: Subject) -> Erasure:
    rule = current_settings().security.retention.get(RECORD_TYPE)
    held = held_ids(RECORD_TYPE)
    now = utcnow()
    erasure = Erasure()
    erase: list[int] = []
    for case in _cases_of(subject):
        if case.is_spam and case.id not in held:
            erase.append(case.id)  # spam goes at once, whatever its period
            continue
        why = why_kept(
            case.closed_at,
            held=case.id in held,
            still_open="still open: needed to answer it",
            rule=rule,
            now=now,
        )
        if why is None:
            erase.append(case.id)
        else:
            erasure.kept.append(Kept(f"{RECORD_TYPE} {reference(case)}", why))
    erasure.erased = _anonymise(erase)
    return erasure
