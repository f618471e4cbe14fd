"""Signed checkpoints of the audit log's head, anchored outside the database.

A checkpoint says "database D's audit log had N entries, the last one hashing to H, at time T",
signed with the utility's key. It is kept in three places: a row (for `fairheat audit verify`),
a file in file storage (a ZIP holding checkpoint.json: the storage only takes ZIP, PDF and
images) and every bundle's manifest. Rewriting history in the database is then caught against
any of them held elsewhere: the entry at position N no longer hashes to H.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile
from typing import Any

import sqlalchemy as sa

from service.audit import AuditCheckpoint, chain_pending, head, latest_checkpoint
from service.compliance import keys
from service.compliance.canonical import canonical_json, pretty_json, zip_info
from service.compliance.models import DatabaseIdentity
from service.db import utcnow
from service.extensions import db
from service.files import MB, file_storage


def database_id() -> str:
    """This database's random identity, made on first use."""
    found = db.session.scalar(sa.select(DatabaseIdentity.database_id).limit(1))
    if found:
        return found
    identity = DatabaseIdentity(database_id=str(uuid.uuid4()))
    db.session.add(identity)
    db.session.commit()
    return identity.database_id


def make_checkpoint(*, force: bool = False) -> AuditCheckpoint | None:
    """Chain what is pending and, when the head moved and the last checkpoint is older than
    FAIRHEAT_AUDIT_CHECKPOINT_MINUTES (or `force`), sign a new checkpoint. Returns it, or the
    latest one when nothing new was needed (None when there is none)."""
    from service.settings import current_settings

    chain_pending()
    end = head()
    latest = latest_checkpoint()
    if latest is not None and not force:
        young = utcnow() - _aware(latest.at) < dt.timedelta(
            minutes=current_settings().compliance.checkpoint_minutes
        )
        if latest.seq == end.seq or young:
            return latest
    if latest is not None and latest.seq == end.seq and latest.hash == end.hash:
        return latest
    at = utcnow().replace(microsecond=0)
    payload = {
        "database_id": database_id(),
        "position": end.seq,
        "hash": end.hash,
        "at": at.isoformat().replace("+00:00", "Z"),
    }
    body = canonical_json(payload)
    signature = public_key = None
    if keys.has_key():
        signature, public_key = keys.sign(body)
    document = {"checkpoint": payload, "signature": signature, "public_key": public_key}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zip_info("checkpoint.json"), pretty_json(document))
    buffer.seek(0)
    stored = file_storage().save(buffer, max_bytes=MB, allowed_types=("application/zip",))
    checkpoint = AuditCheckpoint(
        seq=end.seq,
        hash=end.hash,
        at=at,
        payload=body.decode(),
        signature=signature,
        public_key=public_key,
        file_key=stored.key,
    )
    db.session.add(checkpoint)
    db.session.commit()
    return checkpoint


def checkpoint_document(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    """As written into a bundle's manifest."""
    import json

    return {
        "checkpoint": json.loads(checkpoint.payload),
        "signature": checkpoint.signature,
        "public_key": checkpoint.public_key,
    }


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
