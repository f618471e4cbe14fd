"""The audit log: every change recorded, the chain verifiable, tampering found."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from notifications.schemas import OutageInputSchema
from notifications.services import create_outage, update_outage
from service.audit import AuditEntry, verify_chain
from service.errors import ValidationFailed
from service.extensions import db
from tests.support.factories import outage_payload


def _make_history():
    outage = create_outage(OutageInputSchema().load(outage_payload(publish=True)))
    update_outage(outage.id, {"cause": OutageInputSchema().fields["cause"].deserialize("other")})
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
