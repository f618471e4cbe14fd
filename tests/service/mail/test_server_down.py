"""When the SMTP server cannot be reached, nothing is lost: the batch waits and goes later."""

from __future__ import annotations

import datetime as dt

import pytest

from service.db import utcnow
from service.extensions import db
from service.mail import enqueue_email
from service.mail.dispatcher import send_due_emails
from service.mail.models import EmailMessage, EmailStatus
from tests.service.mail.conftest import SMTP_PASSWORD, SMTP_USER, smtp_env
from tests.support.smtp import SmtpServer, free_port


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def settings_env(port):
    return smtp_env(port)


def rows() -> list[EmailMessage]:
    db.session.expire_all()
    return sorted(db.session.query(EmailMessage).all(), key=lambda m: m.id)


def test_a_server_that_refuses_connections_delays_the_batch_and_loses_nothing(app, port):
    for i in range(3):
        enqueue_email(
            event_key=f"test:{i}",
            to=f"asukas{i}@example.fi",
            subject="Lämpökatko",
            body="Lämmönjakelu keskeytyy.",
            language="fi",
        )
    db.session.commit()

    assert send_due_emails() == 0

    first, *rest = rows()
    assert (first.status, first.attempts) == (EmailStatus.QUEUED, 1)
    assert first.last_error is not None
    assert first.last_error.startswith(f"cannot reach 127.0.0.1:{port}: ConnectionRefusedError")
    assert first.next_attempt_at > utcnow() + dt.timedelta(seconds=10)
    # The others were not tried (one refused connection says enough): their attempt is not
    # counted, and they wait as long as the first.
    for other in rest:
        assert (other.status, other.attempts, other.lease_until) == (EmailStatus.QUEUED, 0, None)
        assert other.next_attempt_at == first.next_attempt_at

    with SmtpServer(credentials=(SMTP_USER, SMTP_PASSWORD), port=port) as server:
        assert send_due_emails() == 0  # not due yet
        assert send_due_emails(now=first.next_attempt_at + dt.timedelta(seconds=1)) == 3
        assert sorted(m.rcpt_tos[0] for m in server.messages) == [
            f"asukas{i}@example.fi" for i in range(3)
        ]
    assert {(m.status, m.attempts) for m in rows()} == {
        (EmailStatus.SENT, 2),
        (EmailStatus.SENT, 1),
    }
