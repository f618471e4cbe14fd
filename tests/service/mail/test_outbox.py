"""enqueue_email writes one row in the caller's transaction, once per event key."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from service.db import utcnow
from service.extensions import db
from service.mail import enqueue_email
from service.mail.models import EmailMessage, EmailStatus


def rows() -> list[EmailMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(EmailMessage).order_by(EmailMessage.id)))


def enqueue(**overrides: str) -> EmailMessage | None:
    fields = {
        "event_key": "case:1:acknowledged",
        "to": "asukas@example.fi",
        "subject": "Palautteesi on vastaanotettu",
        "body": "Kiitos palautteestasi.",
        "language": "fi",
        "reference": "FH-2026-000123",
        **overrides,
    }
    return enqueue_email(**fields)


def test_enqueued_email_is_queued_and_due_at_once_after_the_caller_commits(app):
    message = enqueue()
    assert message is not None
    db.session.commit()

    [row] = rows()
    assert (row.event_key, row.to_address, row.language, row.reference) == (
        "case:1:acknowledged",
        "asukas@example.fi",
        "fi",
        "FH-2026-000123",
    )
    assert row.status == EmailStatus.QUEUED
    assert (row.attempts, row.lease_until, row.last_error, row.sent_at) == (0, None, None, None)
    assert row.next_attempt_at <= utcnow()  # due at once


def test_the_same_event_key_enqueues_once_in_one_transaction_or_later_ones(app):
    assert enqueue() is not None
    assert enqueue(subject="Toinen") is None  # the same transaction, not yet committed
    db.session.commit()
    assert enqueue(to="joku@example.fi") is None  # a later transaction
    db.session.commit()

    [row] = rows()
    assert (row.subject, row.to_address) == ("Palautteesi on vastaanotettu", "asukas@example.fi")


def test_rolling_back_the_callers_transaction_leaves_no_email(app):
    enqueue()
    db.session.rollback()
    assert rows() == []


def test_nothing_is_committed_by_enqueue_itself(app):
    enqueue()
    db.session.remove()  # the request ends without committing
    assert rows() == []


def test_line_breaks_in_the_subject_become_spaces(app):
    enqueue(subject="Zgłoszenie\r\nBcc: someone@example.com")
    db.session.commit()
    assert rows()[0].subject == "Zgłoszenie Bcc: someone@example.com"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("language", "de"),
        ("to", "not an address"),
        ("to", "asukas@example.fi\r\nBcc: x@example.com"),
        ("event_key", "x" * 201),
    ],
)
def test_programming_errors_are_refused(app, field, value):
    with pytest.raises(ValueError):
        enqueue(**{field: value})
    assert rows() == []
