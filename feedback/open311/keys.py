"""Open311 api_keys: one per client (a city app, a partner's service), shown once at creation.

Only the SHA-256 of a key is stored, as for staff API tokens: a copy of the database does not
let anyone submit cases. A key is never deleted, only revoked, so every case keeps the client it
came from (feedback_case.open311_key_id). Creating and revoking are audited.
"""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from flask_babel import gettext as _

from feedback.open311.models import Open311Key
from service import audit
from service.db import utcnow
from service.errors import NotFound
from service.extensions import db
from service.validation import BaseSchema, TrimmedString, load_or_fail, not_blank

KEY_PREFIX = "o311_"


class KeyInputSchema(BaseSchema):
    name = TrimmedString(required=True, validate=not_blank(120))


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(name: str) -> tuple[Open311Key, str]:
    """A new key for the client `name`: the row, and the key itself (never retrievable again)."""
    data = load_or_fail(KeyInputSchema(), {"name": name})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = Open311Key(name=data["name"], key_hash=key_digest(key))
    db.session.add(row)
    db.session.flush()
    audit.record("open311_key.created", "open311_key", row.id, after={"name": row.name})
    db.session.commit()
    return row, key


def list_keys() -> list[Open311Key]:
    return list(db.session.scalars(sa.select(Open311Key).order_by(Open311Key.id)))


def revoke_key(key_id: int) -> Open311Key:
    """Revoke a key at once; revoking it again changes nothing (the first time is kept)."""
    row = db.session.get(Open311Key, key_id)
    if row is None:
        raise NotFound(_("There is no Open311 key with this number."))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record("open311_key.revoked", "open311_key", row.id, after={"name": row.name})
        db.session.commit()
    return row


def active_key(key: str | None) -> Open311Key | None:
    """The unrevoked key row behind the api_key a client sent; None for anything else."""
    if not key:
        return None
    return db.session.scalar(
        sa.select(Open311Key).where(
            Open311Key.key_hash == key_digest(key), Open311Key.revoked_at.is_(None)
        )
    )
