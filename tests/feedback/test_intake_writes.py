"""How a complaint is written (decision 0017): INSERTs only, the follow-ups in one round trip on
PostgreSQL, and a failure among them leaves nothing behind."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from feedback.models import Case, CaseEvent, EventKind
from service.audit import AuditEntry
from service.db import utcnow
from service.extensions import db
from service.inserts import pipelined
from service.mail.models import EmailMessage
from tests.support.forms import submit

FORM = {
    "type": "complaint",
    "area": "heat_supply",
    "description": "Patterit ovat kylmiä.",
    "email": "asukas@example.fi",
    "phone": "040 123 4567",
    "reply_channel": "email",
    "language": "fi",
}


def _statements(app):
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement.split(None, 1)[0].upper())

    return seen, record


def test_a_web_complaint_is_written_with_inserts_only(client, app):
    client.get("/fi/feedback")  # the form, as a browser fetches it first
    seen, record = _statements(app)
    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = submit(client, "/fi/feedback", "/fi/feedback", **FORM)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 302
    # the case, its two events, the e-mail and the SMS acknowledgement, the audit entry: no
    # look-up of an acknowledgement that cannot exist yet, no read of the case back
    assert seen == ["INSERT"] * 5
    case = db.session.scalars(sa.select(Case)).one()
    assert [e.kind.value for e in case.events] == ["received", "acknowledged"]
    assert case.acknowledged_at is not None and case.version == 1
    keys = db.session.scalars(sa.select(EmailMessage.event_key)).all()
    assert keys == [f"case:{case.id}:ack:email"]
    sms = db.session.scalar(sa.text("SELECT event_key FROM sms_outbox"))
    assert sms == f"case:{case.id}:ack:sms"
    entry = db.session.scalars(sa.select(AuditEntry)).one()
    assert entry.action == "case.received" and entry.seq is None and entry.after["track"]


def test_a_failed_statement_in_the_pipeline_fails_the_whole_write(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the pipeline is PostgreSQL's (psycopg); elsewhere the block does nothing")
    table = CaseEvent.__table__
    with app.app_context():
        with pytest.raises(sa.exc.IntegrityError), pipelined(db.session):
            # a case that does not exist: the foreign key refuses it when the pipeline syncs
            db.session.execute(
                sa.insert(table).inline(),
                {"case_id": 999_999, "kind": EventKind.RECEIVED, "at": utcnow()},
            )
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(table)) == 0
        # the connection is usable again, out of pipeline mode
        assert db.session.scalar(sa.select(sa.literal(1))) == 1
