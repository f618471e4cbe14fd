"""The e-mail dispatcher against a real SMTP server on loopback (aiosmtpd): delivery, MIME
encoding, retries, permanent failures, leases.

Nothing is mocked: send_due_emails talks smtplib to tests/support/smtp.py, which logs in the
dispatcher (AUTH without TLS, on loopback only) and parses what it receives with the standard
library.
"""

from __future__ import annotations

import datetime as dt
import email.utils

import pytest
import sqlalchemy as sa

from service.db import utcnow
from service.extensions import db
from service.mail import enqueue_email
from service.mail.dispatcher import LEASE, send_due_emails
from service.mail.models import EmailMessage, EmailStatus
from tests.service.mail.conftest import smtp_env

MAX_ATTEMPTS = 3
POLISH_SUBJECT = "Zgłoszenie FH-2026-000123: odpowiedź — źdźbło, gęś, łąka, ŻÓŁĆ"
FINNISH_BODY = (
    "Hyvä asiakas,\n\n"
    "käsittelemme palautteesi (FH-2026-000123) viimeistään 7 työpäivän kuluessa.\n"
    "Älä vastaa tähän viestiin. Ystävällisin terveisin, Lämpö Oy\n"
)


@pytest.fixture
def settings_env(smtp_server):
    return smtp_env(smtp_server.port, FAIRHEAT_EMAIL_MAX_ATTEMPTS=str(MAX_ATTEMPTS))


def queue(to: str = "asukas@example.fi", key: str | None = None, **fields: str) -> int:
    message = enqueue_email(
        event_key=key or f"test:{to}",
        to=to,
        subject=fields.get("subject", "Palautteesi on vastaanotettu"),
        body=fields.get("body", "Kiitos palautteestasi."),
        language=fields.get("language", "fi"),
        reference=fields.get("reference"),
    )
    assert message is not None
    db.session.commit()
    return message.id


def row(message_id: int) -> EmailMessage:
    db.session.expire_all()
    found = db.session.get(EmailMessage, message_id)
    assert found is not None
    return found


def test_a_queued_email_is_delivered_once_with_utf8_subject_body_and_headers(app, smtp):
    message_id = queue(
        "kari.makinen@example.fi",
        subject=POLISH_SUBJECT,
        body=FINNISH_BODY,
        language="pl",
        reference="FH-2026-000123",
    )

    assert send_due_emails() == 1
    assert send_due_emails() == 0  # nothing is sent twice

    [received] = smtp.messages
    assert received.mail_from == "asiakaspalvelu@lampo.example"
    assert received.rcpt_tos == ["kari.makinen@example.fi"]
    received.raw.decode("ascii")  # every header and the body MIME-encoded: 7-bit clean
    message = received.message
    assert message["Subject"] == POLISH_SUBJECT
    assert received.body == FINNISH_BODY
    assert message["From"].addresses[0].display_name == "Lämpö Oy"
    assert message["From"].addresses[0].addr_spec == "asiakaspalvelu@lampo.example"
    assert message["To"] == "kari.makinen@example.fi"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == "pl"
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message["Message-ID"].startswith(f"<fairheat.{message_id}.")
    assert message["Message-ID"].endswith("@lampo.example>")
    sent_date = email.utils.parsedate_to_datetime(message["Date"])
    assert abs(sent_date - utcnow()) < dt.timedelta(minutes=1)

    sent = row(message_id)
    assert sent.status == EmailStatus.SENT
    assert (sent.attempts, sent.lease_until, sent.last_error) == (1, None, None)
    assert sent.sent_at is not None


def test_a_batch_is_sent_over_one_logged_in_connection(app, smtp):
    ids = [queue(f"asukas{i}@example.fi") for i in range(4)]

    assert send_due_emails() == 4

    assert smtp.logins == 1
    assert [m.rcpt_tos for m in smtp.messages] == [[f"asukas{i}@example.fi"] for i in range(4)]
    assert {row(i).status for i in ids} == {EmailStatus.SENT}


def test_the_limit_bounds_a_batch_and_the_next_run_takes_the_rest(app, smtp):
    for i in range(3):
        queue(f"asukas{i}@example.fi")

    assert send_due_emails(limit=2) == 2
    assert send_due_emails(limit=2) == 1
    assert len(smtp.messages) == 3


def test_a_temporary_refusal_is_retried_later_and_then_delivered(app, smtp):
    smtp.refuse("greylisted@example.fi", "451 4.7.1 Greylisted, try again later", times=1)
    message_id = queue("greylisted@example.fi")
    other_id = queue("asukas@example.fi")

    assert send_due_emails() == 1  # the other one goes; one refusal does not stop the batch
    waiting = row(message_id)
    assert waiting.status == EmailStatus.QUEUED
    assert waiting.attempts == 1 and waiting.lease_until is None
    assert waiting.last_error is not None and waiting.last_error.startswith("451 4.7.1")
    assert waiting.next_attempt_at > utcnow() + dt.timedelta(seconds=10)  # backoff
    assert row(other_id).status == EmailStatus.SENT

    assert send_due_emails() == 0  # not due yet
    assert send_due_emails(now=waiting.next_attempt_at + dt.timedelta(seconds=1)) == 1

    delivered = row(message_id)
    assert delivered.status == EmailStatus.SENT
    assert (delivered.attempts, delivered.last_error) == (2, None)
    assert sorted(m.rcpt_tos[0] for m in smtp.messages) == [
        "asukas@example.fi",
        "greylisted@example.fi",
    ]


def test_a_permanent_refusal_fails_at_once_with_the_servers_answer(app, smtp):
    smtp.refuse("nobody@example.fi", "550 5.1.1 <nobody@example.fi>: no such user")
    message_id = queue("nobody@example.fi")

    assert send_due_emails() == 0

    failed = row(message_id)
    assert failed.status == EmailStatus.FAILED
    assert failed.attempts == 1 and failed.lease_until is None
    assert failed.last_error == "550 5.1.1 <nobody@example.fi>: no such user"
    assert send_due_emails(now=utcnow() + dt.timedelta(days=1)) == 0  # never retried
    assert smtp.messages == []


def test_temporary_refusals_fail_the_message_after_the_last_attempt(app, smtp):
    smtp.refuse("full@example.fi", "452 4.2.2 Mailbox full")
    message_id = queue("full@example.fi")

    moment = utcnow()
    for _ in range(MAX_ATTEMPTS):
        send_due_emails(now=moment)
        moment += dt.timedelta(hours=2)  # past any backoff

    failed = row(message_id)
    assert (failed.status, failed.attempts) == (EmailStatus.FAILED, MAX_ATTEMPTS)
    assert failed.last_error == "452 4.2.2 Mailbox full"


def test_a_row_whose_dispatcher_died_is_claimed_again_when_its_lease_expires(app, smtp):
    dead_id = queue("asukas@example.fi")
    leased_id = queue("toinen@example.fi")
    now = utcnow()
    # Two rows claimed by a dispatcher that died: one lease has run out, one has not.
    for message_id, lease_until in (
        (dead_id, now - dt.timedelta(seconds=1)),
        (leased_id, now + LEASE),
    ):
        db.session.execute(
            sa.update(EmailMessage)
            .where(EmailMessage.id == message_id)
            .values(status=EmailStatus.SENDING, attempts=1, lease_until=lease_until)
        )
    db.session.commit()

    assert send_due_emails(now=now) == 1

    assert [m.rcpt_tos for m in smtp.messages] == [["asukas@example.fi"]]
    reclaimed = row(dead_id)
    assert (reclaimed.status, reclaimed.attempts, reclaimed.lease_until) == (
        EmailStatus.SENT,
        2,
        None,
    )
    untouched = row(leased_id)
    assert (untouched.status, untouched.attempts) == (EmailStatus.SENDING, 1)


class TestWrongPassword:
    @pytest.fixture
    def settings_env(self, smtp_server):
        return smtp_env(smtp_server.port, FAIRHEAT_SMTP_PASSWORD="not the password")

    def test_a_refused_login_keeps_the_messages_queued_for_a_retry(self, app, smtp):
        first_id = queue("asukas@example.fi")
        second_id = queue("toinen@example.fi")

        assert send_due_emails() == 0

        first, second = row(first_id), row(second_id)
        assert (first.status, first.attempts) == (EmailStatus.QUEUED, 1)
        assert first.last_error is not None and "535" in first.last_error
        assert (second.status, second.attempts) == (EmailStatus.QUEUED, 0)
        assert smtp.messages == []
