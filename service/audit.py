"""Append-only, hash-chained audit log of every staff action and state change.

Each entry holds the SHA-256 of the previous one, so changing or deleting any row breaks the
chain from that point on; `fairheat audit verify` names the first broken link. Entries are added
in the same transaction as the change they describe and never updated. The compliance export
relies on this log as evidence.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import g, has_app_context, has_request_context
from sqlalchemy.orm import Mapped, mapped_column

from service.db import utcnow
from service.extensions import db

GENESIS_HASH = "0" * 64
# Any constant: every writer of the log takes this PostgreSQL advisory lock for its transaction,
# so two concurrent writers cannot both extend the same last entry.
_CHAIN_LOCK_KEY = 0x66616972  # "fair"


class AuditEntry(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(sa.String(200))
    action: Mapped[str] = mapped_column(sa.String(80), index=True)
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[str | None] = mapped_column(sa.String(80))
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    prev_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)

    __table_args__ = (sa.Index("ix_audit_entries_entity", "entity_type", "entity_id"),)


def plain(value: Any) -> Any:
    """Datetimes, dates and enums as JSON-ready values (UTC ISO 8601, dates, enum values)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _digest(entry: AuditEntry) -> str:
    payload = {
        "seq": entry.seq,
        "at": entry.at.astimezone(dt.UTC).isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "entity_type": entry.entity_type,
        "entity_id": entry.entity_id,
        "before": entry.before,
        "after": entry.after,
        "prev_hash": entry.prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def current_actor() -> str:
    """Who is acting: the signed-in staff member or API token owner, else the process."""
    if not has_app_context():
        return "system"
    user = g.get("staff_user")
    if user is not None:
        return f"user:{user.id}:{user.email}"
    if g.get("actor"):
        return str(g.actor)
    return "anonymous" if has_request_context() else "system"


def record(
    action: str,
    entity_type: str,
    entity_id: object | None = None,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    actor: str | None = None,
) -> AuditEntry:
    """Append an entry in the caller's transaction (the caller commits)."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(_CHAIN_LOCK_KEY)))
    last = session.execute(
        sa.select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    entry = AuditEntry(
        seq=(last.seq + 1) if last else 1,
        at=utcnow(),
        actor=actor or current_actor(),
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        before=plain(dict(before)) if before is not None else None,
        after=plain(dict(after)) if after is not None else None,
        prev_hash=last.hash if last else GENESIS_HASH,
    )
    entry.hash = _digest(entry)
    session.add(entry)
    session.flush()
    return entry


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose values differ, as (before, after)."""
    keys = [k for k in after if plain(before.get(k)) != plain(after.get(k))]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken_at: int | None  # seq of the first entry that does not verify
    reason: str | None


def verify_chain(entries: Iterable[AuditEntry] | None = None) -> ChainReport:
    """Walk the log in order and report the first entry whose hash or link is wrong."""
    if entries is not None:
        return _walk(entries)
    result = db.session.scalars(
        sa.select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=500)
    )
    try:
        return _walk(result)
    finally:
        result.close()


def _walk(entries: Iterable[AuditEntry]) -> ChainReport:
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    for entry in entries:
        count += 1
        if entry.seq != expected_seq:
            return ChainReport(count, expected_seq, f"entry {expected_seq} is missing")
        if entry.prev_hash != expected_prev:
            return ChainReport(count, entry.seq, "does not link to the entry before it")
        if _digest(entry) != entry.hash:
            return ChainReport(count, entry.seq, "its content does not match its hash")
        expected_prev = entry.hash
        expected_seq += 1
    return ChainReport(count, None, None)


def list_entries(*, limit: int, offset: int = 0) -> list[AuditEntry]:
    """Newest first, for the back office."""
    return list(
        db.session.scalars(
            sa.select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit).offset(offset)
        )
    )
