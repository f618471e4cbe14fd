"""Manual evidence: what the utility declares for a period about what the service cannot see
(office hours, the website, the marketing plan, plant efficiency, contracts, prices...).

A declaration is kept per period and item (a newer one replaces the older, both in the audit
log), with an optional attachment in file storage. An export uses, for each item, the
declaration of the shortest declared period that contains the export's period.
"""

from __future__ import annotations

from typing import IO, BinaryIO, cast

import sqlalchemy as sa
from flask_babel import gettext as _

from service import audit
from service.compliance.marks import declared_items
from service.compliance.models import Declaration
from service.compliance.verdicts import DeclarationView
from service.db import utcnow
from service.errors import ValidationFailed
from service.evidence import Period
from service.extensions import db
from service.files import MB, file_storage

ATTACHMENT_TYPES = ("application/pdf", "image/png", "image/jpeg", "application/zip")
ATTACHMENT_MAX_BYTES = 20 * MB
TEXT_MAX = 5000


def known_items() -> dict[str, object]:
    return {item.id: item.label for item in declared_items("all")}


def declare(
    period: Period,
    item: str,
    text: str,
    *,
    attachment: IO[bytes] | None = None,
    attachment_name: str | None = None,
) -> Declaration:
    """Record (or replace) the declaration of `item` for `period`; audit-logged; commits."""
    errors: dict[str, list[str]] = {}
    if item not in known_items():
        errors["item"] = [_("Choose an item from the list.")]
    text = (text or "").strip()
    if not text:
        errors["text"] = [_("Write what the utility declares.")]
    elif len(text) > TEXT_MAX:
        errors["text"] = [_("At most %(num)d characters.", num=TEXT_MAX)]
    if errors:
        raise ValidationFailed(errors)
    stored = None
    if attachment is not None:
        stored = file_storage().save(
            cast(BinaryIO, attachment),
            max_bytes=ATTACHMENT_MAX_BYTES,
            allowed_types=ATTACHMENT_TYPES,
        )
    row = db.session.scalar(
        sa.select(Declaration).where(Declaration.period == str(period), Declaration.item == item)
    )
    before = _snapshot(row) if row else None
    if row is None:
        row = Declaration(period=str(period), item=item)
        db.session.add(row)
    row.text = text
    if stored is not None:
        row.attachment_key = stored.key
        row.attachment_name = (attachment_name or "attachment")[:200]
        row.attachment_sha256 = stored.sha256
    row.declared_by = audit.current_actor()
    row.declared_at = utcnow()
    db.session.flush()
    audit.record(
        "compliance.declared", "compliance_declaration", row.id, before=before, after=_snapshot(row)
    )
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        if stored is not None:
            file_storage().delete(stored.key)
        raise
    return row


def _snapshot(row: Declaration) -> dict[str, object]:
    return {
        "period": row.period,
        "item": row.item,
        "text": row.text,
        "attachment_sha256": row.attachment_sha256,
    }


def declarations_for(period: Period) -> dict[str, DeclarationView]:
    """Per item: the declaration of the shortest declared period containing `period`."""
    found: dict[str, tuple[int, Declaration]] = {}
    for row in db.session.scalars(sa.select(Declaration).order_by(Declaration.id)):
        declared = Period.parse(row.period)
        if declared.first <= period.first and period.last <= declared.last:
            length = (declared.last - declared.first).days
            if row.item not in found or length < found[row.item][0]:
                found[row.item] = (length, row)
    return {
        item: DeclarationView(
            item,
            str(known_items().get(item, item)),
            row.text,
            row.attachment_name,
            row.attachment_sha256,
            row.declared_at,
        )
        for item, (_, row) in found.items()
    }


def list_declarations(period: Period) -> list[Declaration]:
    return list(
        db.session.scalars(
            sa.select(Declaration)
            .where(Declaration.period == str(period))
            .order_by(Declaration.item)
        )
    )
