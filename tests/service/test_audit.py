"""The audit log: every change recorded, the chain verifiable, tampering found."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from notifications.schemas import OutageInputSchema
from notifications.services import create_outage, update_outage
from service.audit import AuditEntry, chain_pending, head, verify_chain
from service.errors import ValidationFailed
from service.extensions import db
from tests.support.factories import outage_payload


def _make_history():
    outage = create_outage(OutageInputSchema().load(outage_payload(publish=True)))
    update_outage(outage.id, {"cause": OutageInputSchema().fields["cause"].deserialize("other")})
    chain_pending()  # what the worker's chaining job does within seconds
    return outage


def test_changes_are_recorded_with_before_and_after(app):
    outage = _make_history()
    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert [e.action for e in entries] == ["outage.created", "outage.published", "outage.updated"]
    last = entries[-1]
    assert last.entity_id == str(outage.id)
    assert last.before == {"cause": "leak"}
    assert last.after == {"cause": "other"}
    assert verify_chain().broken_at is None


def test_verify_names_the_first_tampered_entry(app, runner):
    _make_history()
    db.session.execute(
        sa.update(AuditEntry).where(AuditEntry.seq == 2).values(actor="someone else")
    )
    db.session.commit()
    report = verify_chain()
    assert report.broken_at == 2
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "entry 2" in result.output


def test_verify_finds_a_deleted_entry(app):
    _make_history()
    db.session.execute(sa.delete(AuditEntry).where(AuditEntry.seq == 2))
    db.session.commit()
    assert verify_chain().broken_at == 2


def test_intact_chain_verifies_from_the_cli(app, runner):
    _make_history()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "3 entries" in result.output


def test_a_refused_change_leaves_no_audit_entry(app):
    outage = _make_history()
    before = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    with pytest.raises(ValidationFailed):
        update_outage(outage.id, {"expected_end_at": outage.starts_at})
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == before


def test_entries_are_written_unchained_and_chained_in_order_by_the_job(app):
    create_outage(OutageInputSchema().load(outage_payload(publish=True)))
    written = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.seq for e in written] == [None, None]  # no lock, no hash on the request path
    assert verify_chain().pending == 2
    assert chain_pending() == 2
    chained = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert [e.seq for e in chained] == [1, 2]
    assert chained[1].prev_hash == chained[0].hash
    assert head().seq == 2 and head().hash == chained[1].hash
    assert chain_pending() == 0
    report = verify_chain()
    assert (report.entries, report.broken_at, report.pending) == (2, None, 0)


def test_entries_written_after_chaining_extend_the_chain(app):
    outage = _make_history()
    first_head = head()
    update_outage(outage.id, {"cause": OutageInputSchema().fields["cause"].deserialize("leak")})
    chain_pending()
    newest = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert newest.seq == first_head.seq + 1 and newest.prev_hash == first_head.hash
    assert verify_chain().broken_at is None


def test_deleting_the_newest_entries_is_caught_against_the_latest_checkpoint(app, runner):
    from service.compliance.checkpoints import make_checkpoint

    _make_history()
    checkpoint = make_checkpoint(force=True)
    assert checkpoint is not None and checkpoint.seq == 3
    db.session.execute(sa.delete(AuditEntry).where(AuditEntry.seq == 3))
    db.session.commit()
    report = verify_chain()
    assert report.broken_at == 3
    assert "missing" in report.reason and "checkpoint" in report.reason
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "entry 3" in result.output


def test_a_rehashed_history_is_caught_against_the_checkpoint(app):
    from service.audit import entry_digest
    from service.compliance.checkpoints import make_checkpoint

    _make_history()
    make_checkpoint(force=True)
    # An administrator rewrites entry 2 and recomputes every hash after it.
    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq)).all()
    entries[1].actor = "someone else"
    previous = entries[0].hash
    for entry in entries[1:]:
        entry.prev_hash = previous
        entry.hash = previous = entry_digest(entry)
        db.session.flush()
    db.session.commit()
    report = verify_chain()
    assert report.broken_at == 3
    assert "checkpoint" in report.reason
