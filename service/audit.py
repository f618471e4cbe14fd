"""Append-only, hash-chained audit log of every staff action and state change.

An entry is added in the same transaction as the change it describes, as a plain INSERT: no
lock, no read of the chain's end, so a busy intake never queues behind one row (decision 0010).
One chaining job in the worker (`chain_pending`, every few seconds) then takes the entries not
yet chained, oldest first, gives each its position `seq`, the hash of the entry before it and
its own SHA-256, and commits. Changing or deleting a chained row breaks the chain from that
point on; `fairheat audit verify` names the first broken link.

Anchored outside the database: the compliance export writes signed checkpoints of (position,
head hash) into file storage and into every bundle (service/compliance/checkpoints.py). Deleting
the newest entries, or rewriting the whole chain with fresh hashes, is caught against the latest
checkpoint kept here (`AuditCheckpoint`) and against any earlier bundle.
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
from service.inserts import insert_rows

GENESIS_HASH = "0" * 64
# Taken by the chaining job only (a second worker never chains the same entries twice).
_CHAIN_LOCK_KEY = 0x66616972  # "fair"
CHAIN_BATCH = 2000


class AuditEntry(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Position in the chain, its predecessor's hash and its own: None until chained.
    seq: Mapped[int | None] = mapped_column(unique=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(sa.String(200))
    action: Mapped[str] = mapped_column(sa.String(80), index=True)
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[str | None] = mapped_column(sa.String(80))
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    prev_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    __table_args__ = (sa.Index("ix_audit_entries_entity", "entity_type", "entity_id"),)


class AuditCheckpoint(db.Model):  # type: ignore[name-defined,misc]
    """A signed statement "the chain had `seq` entries, ending in `hash`", also kept in file
    storage (`file_key`) and in every bundle: the anchor outside the database."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(index=True)
    hash: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    payload: Mapped[str] = mapped_column(sa.Text)  # the canonical JSON that was signed
    signature: Mapped[str | None] = mapped_column(sa.String(200))  # base64 Ed25519; None: no key
    public_key: Mapped[str | None] = mapped_column(sa.String(100))
    file_key: Mapped[str | None] = mapped_column(sa.String(200))


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


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def entry_digest(entry: AuditEntry) -> str:
    """SHA-256 of the entry's canonical JSON, its position and its predecessor's hash included."""
    payload = {
        "seq": entry.seq,
        "at": _aware(entry.at).astimezone(dt.UTC).isoformat(),
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
) -> None:
    """Append an entry in the caller's transaction (the caller commits); the chaining job
    hashes it within seconds of the commit.

    The caller's pending changes are flushed first (as they always were), then the entry goes in
    with one INSERT (service.inserts): no object for the session to track and flush (intake
    writes one per request, bench/intake.py). Returns nothing; read entries back with a query.
    """
    session = db.session
    session.flush()  # nothing to do when the caller wrote through Core or had no changes
    entry = {
        "at": utcnow(),
        "actor": actor or current_actor(),
        "action": action,
        "entity_type": entity_type,
        "entity_id": None if entity_id is None else str(entity_id),
        "before": plain(dict(before)) if before is not None else None,
        "after": plain(dict(after)) if after is not None else None,
    }
    insert_rows(AuditEntry.__table__, [entry])


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose values differ, as (before, after)."""
    keys = [k for k in after if plain(before.get(k)) != plain(after.get(k))]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


@dataclass(frozen=True)
class Head:
    seq: int  # entries in the chain (0: none yet)
    hash: str  # the last entry's hash (GENESIS_HASH when empty)


def head() -> Head:
    """The chained end of the log."""
    last = db.session.execute(
        sa.select(AuditEntry.seq, AuditEntry.hash)
        .where(AuditEntry.seq.is_not(None))
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).first()
    return Head(last.seq, last.hash) if last else Head(0, GENESIS_HASH)


def chain_pending(batch: int = CHAIN_BATCH) -> int:
    """Chain every committed entry not yet chained, in the order they were written (by id);
    commit after each batch. Returns how many were chained.

    An entry whose transaction commits late (a lower id seen after higher ones were chained)
    is simply chained later: the chain's order is the order the job saw them in.
    """
    session = db.session
    chained = 0
    while True:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(sa.select(sa.func.pg_advisory_xact_lock(_CHAIN_LOCK_KEY)))
        end = head()
        pending = list(
            session.scalars(
                sa.select(AuditEntry)
                .where(AuditEntry.seq.is_(None))
                .order_by(AuditEntry.id)
                .limit(batch)
            )
        )
        if not pending:
            session.commit()
            return chained
        seq, prev = end.seq, end.hash
        for entry in pending:
            seq += 1
            entry.seq = seq
            entry.prev_hash = prev
            entry.hash = prev = entry_digest(entry)
        session.commit()
        chained += len(pending)


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken_at: int | None  # seq of the first entry that does not verify
    reason: str | None
    pending: int = 0  # written, not yet chained


def verify_chain(entries: Iterable[AuditEntry] | None = None) -> ChainReport:
    """Walk the chained log in order and report the first entry whose hash or link is wrong,
    then hold the end against the latest checkpoint (entries deleted at the end are caught)."""
    if entries is not None:
        return _walk(entries)
    result = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.seq.is_not(None))
        .order_by(AuditEntry.seq)
        .execution_options(yield_per=500)
    )
    try:
        report = _walk(result)
    finally:
        result.close()
    pending = db.session.scalar(
        sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.seq.is_(None))
    )
    if report.broken_at is None:
        report = _against_checkpoint(report)
    return ChainReport(report.entries, report.broken_at, report.reason, pending or 0)


def _against_checkpoint(report: ChainReport) -> ChainReport:
    checkpoint = latest_checkpoint()
    if checkpoint is None:
        return report
    if checkpoint.seq > report.entries:
        return ChainReport(
            report.entries,
            report.entries + 1,
            f"entries {report.entries + 1} to {checkpoint.seq} are missing "
            f"(the checkpoint of {_aware(checkpoint.at).isoformat()} holds {checkpoint.seq})",
        )
    held = entry_at(checkpoint.seq)
    if held != checkpoint.hash:
        return ChainReport(
            report.entries,
            checkpoint.seq,
            f"its hash differs from the checkpoint of {_aware(checkpoint.at).isoformat()}",
        )
    return report


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
        if entry_digest(entry) != entry.hash:
            return ChainReport(count, entry.seq, "its content does not match its hash")
        expected_prev = entry.hash
        expected_seq += 1
    return ChainReport(count, None, None)


def entry_at(seq: int) -> str | None:
    """The stored hash of the chained entry at position `seq`, or None when there is none."""
    if seq == 0:
        return GENESIS_HASH
    return db.session.scalar(sa.select(AuditEntry.hash).where(AuditEntry.seq == seq))


def latest_checkpoint() -> AuditCheckpoint | None:
    return db.session.scalars(
        sa.select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc(), AuditCheckpoint.id.desc())
    ).first()


def list_entries(*, limit: int, offset: int = 0) -> list[AuditEntry]:
    """Newest first, for the back office (entries not chained yet have no position)."""
    return list(
        db.session.scalars(
            sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
        )
    )
