"""service.inserts: rows written on the driver's cursor read back exactly as the ORM writes them;
listeners see every statement; the pipelined COMMIT commits, and a failure inside leaves nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from feedback import CaseInputSchema, submit_case
from feedback.models import CaseEvent, EventKind
from service.audit import AuditEntry
from service.db import utcnow
from service.extensions import db
from service.inserts import insert_returning_id, insert_rows, pipelined
from service.mail.models import EmailMessage, EmailStatus
from tests.support.factories import case_payload

AT = dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC)  # the night Finland moves to summer time


def _email(key: str) -> dict:
    return {
        "event_key": key,
        "to_address": "asukas@example.fi",
        "subject": "Vastaanotettu",
        "body": "Kiitos – ääkköset ja “lainausmerkit” säilyvät.",
        "language": "fi",
        "reference": "FH-2026-000001",
        "status": EmailStatus.QUEUED,
        "next_attempt_at": AT,
    }


def test_a_row_reads_back_as_written_with_its_python_defaults(app):
    before = utcnow()
    insert_rows(EmailMessage.__table__, [_email("inserts:1")])
    db.session.commit()
    message = db.session.scalars(sa.select(EmailMessage)).one()
    assert message.status is EmailStatus.QUEUED  # the enum through its bind processor
    assert message.body == "Kiitos – ääkköset ja “lainausmerkit” säilyvät."
    assert message.next_attempt_at.replace(tzinfo=dt.UTC) == AT
    assert message.attempts == 0  # a scalar default of a column not given
    assert message.created_at.replace(tzinfo=dt.UTC) >= before  # a callable default


def test_json_none_and_values_are_stored_as_the_orm_stores_them(app):
    rows = [
        {"at": AT, "actor": "system", "action": "a.one", "entity_type": "x", "entity_id": "1",
         "before": None, "after": {"ä": [1, "kaksi"]}},
    ]  # fmt: skip
    insert_rows(AuditEntry.__table__, rows)
    db.session.add(
        AuditEntry(at=AT, actor="system", action="a.two", entity_type="x", entity_id="2",
                   before=None, after={"ä": [1, "kaksi"]})
    )  # fmt: skip
    db.session.commit()
    stored = db.session.execute(
        sa.select(
            AuditEntry.action, AuditEntry.after, sa.cast(AuditEntry.before, sa.Text)
        ).order_by(AuditEntry.action)
    ).all()
    assert stored[0][1] == stored[1][1] == {"ä": [1, "kaksi"]}
    assert stored[0][2] == stored[1][2]  # None stored alike by both paths


def test_many_rows_and_a_returned_id(app):
    event = CaseEvent.__table__
    existing = submit_case(CaseInputSchema().load(case_payload())).case_id
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement.split(None, 1)[0].upper())

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        new_id = insert_returning_id(
            event, {"case_id": existing, "kind": EventKind.NOTE, "at": AT, "text": "yksi"}
        )
        insert_rows(
            event,
            [
                {"case_id": existing, "kind": EventKind.NOTE, "at": AT, "text": text}
                for text in ("kaksi", "kolme")
            ],
        )
        db.session.commit()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    texts = db.session.scalars(
        sa.select(CaseEvent.text).where(CaseEvent.id >= new_id).order_by(CaseEvent.id)
    ).all()
    assert texts == ["yksi", "kaksi", "kolme"]
    assert seen == ["INSERT", "INSERT"]  # the listeners saw both statements


def test_a_pipelined_commit_commits(app):
    with app.app_context():
        with pipelined(db.session, commit=True):
            insert_rows(EmailMessage.__table__, [_email("inserts:commit")])
        db.session.remove()  # a new session, a pooled connection: only committed rows show
        keys = db.session.scalars(sa.select(EmailMessage.event_key)).all()
    assert keys == ["inserts:commit"]


def test_a_failure_in_the_pipeline_commits_nothing(app):
    with app.app_context():
        with pytest.raises(sa.exc.IntegrityError), pipelined(db.session, commit=True):
            insert_rows(EmailMessage.__table__, [_email("inserts:twice")])
            insert_rows(EmailMessage.__table__, [_email("inserts:twice")])  # unique key
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(EmailMessage)) == 0
        assert db.session.scalar(sa.select(sa.literal(1))) == 1  # the connection works again
