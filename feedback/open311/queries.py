"""Reading cases as GeoReport service requests: never spam, newest first."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from feedback.models import OPEN_STATUSES, Case, CaseStatus, CaseType
from feedback.references import parse_reference
from service.extensions import db


def service_requests(
    *,
    references: list[str] | None = None,
    types: tuple[CaseType, ...] | None = None,
    statuses: set[str] | None = None,
    received_from: dt.datetime | None = None,
    received_to: dt.datetime | None = None,
    limit: int = 1000,
) -> list[Case]:
    """Cases for Open311's GET requests, newest first; never spam.

    `references` (FH-2026-000123, …) overrides every other filter, as GeoReport v2 says of
    service_request_id; unknown ones are skipped. `types` None means every type; `statuses`
    holds "open" and/or "closed".
    """
    query = sa.select(Case).where(Case.is_spam.is_(False))
    if references is not None:
        wanted = {parsed for text in references if (parsed := parse_reference(text))}
        if not wanted:
            return []
        query = query.where(Case.id.in_([case_id for _year, case_id in wanted]))
    else:
        if types is not None:
            query = query.where(Case.type.in_(types))
        if statuses and statuses != {"open", "closed"}:
            if "open" in statuses:
                query = query.where(Case.status.in_(list(OPEN_STATUSES)))
            else:
                query = query.where(Case.status == CaseStatus.CLOSED)
        if received_from is not None:
            query = query.where(Case.received_at >= received_from)
        if received_to is not None:
            query = query.where(Case.received_at <= received_to)
    rows = db.session.scalars(
        query.options(selectinload(Case.pauses))
        .order_by(Case.received_at.desc(), Case.id.desc())
        .limit(limit)
    ).all()
    if references is not None:
        return [case for case in rows if (case.year, case.id) in wanted]
    return list(rows)
