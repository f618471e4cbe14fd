"""Legal holds: `fairheat retention hold feedback_case 12 --reason "court case 3/2027"` keeps a
record past its retention period and through an erasure request, until the hold is released."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from flask_babel import gettext as _

from service import audit
from service.db import utcnow
from service.errors import NotFound, ValidationFailed
from service.extensions import db
from service.retention.models import LegalHold


def place_hold(record_type: str, record_id: int, reason: str) -> LegalHold:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Say why the record must be kept.")]})
    hold = LegalHold(
        record_type=record_type,
        record_id=record_id,
        reason=reason[:300],
        placed_by=audit.current_actor(),
    )
    db.session.add(hold)
    db.session.flush()
    audit.record(
        "legal_hold.placed",
        record_type,
        record_id,
        after={"hold": hold.id, "reason": hold.reason},
    )
    db.session.commit()
    return hold


def release_hold(hold_id: int) -> LegalHold:
    hold = db.session.get(LegalHold, hold_id)
    if hold is None or hold.released_at is not None:
        raise NotFound(_("There is no such hold in force."))
    hold.released_at = utcnow()
    audit.record("legal_hold.released", hold.record_type, hold.record_id, after={"hold": hold.id})
    db.session.commit()
    return hold


def holds_in_force() -> Sequence[LegalHold]:
    return db.session.scalars(
        sa.select(LegalHold).where(LegalHold.released_at.is_(None)).order_by(LegalHold.id)
    ).all()


def held_ids(record_type: str) -> frozenset[int]:
    """The ids of the records of this type under a hold in force."""
    return frozenset(
        db.session.scalars(
            sa.select(LegalHold.record_id).where(
                LegalHold.record_type == record_type, LegalHold.released_at.is_(None)
            )
        )
    )


def hold_reason(record_type: str, record_id: int) -> str | None:
    return db.session.scalar(
        sa.select(LegalHold.reason).where(
            LegalHold.record_type == record_type,
            LegalHold.record_id == record_id,
            LegalHold.released_at.is_(None),
        )
    )
