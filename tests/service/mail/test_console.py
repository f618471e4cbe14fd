"""The console backend (the default): nothing leaves the machine, /dev/mail lists the outbox."""

from __future__ import annotations

import pytest

from service.extensions import db
from service.mail import enqueue_email
from service.mail.dispatcher import send_due_emails
from service.mail.models import EmailMessage, EmailStatus


def queue() -> int:
    message = enqueue_email(
        event_key="case:7:answered",
        to="mieszkaniec@example.pl",
        subject="Odpowiedź na reklamację FH-2026-000123",
        body="Szanowni Państwo,\nuprzejmie informujemy, że ciepło wróci jutro.",
        language="pl",
        reference="FH-2026-000123",
    )
    assert message is not None
    db.session.commit()
    return message.id


def test_the_console_backend_marks_the_message_sent_and_dev_mail_lists_it(app, client):
    message_id = queue()

    assert send_due_emails() == 1

    db.session.expire_all()
    sent = db.session.get(EmailMessage, message_id)
    assert sent is not None and sent.status == EmailStatus.SENT
    page = client.get("/dev/mail")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in (
        "mieszkaniec@example.pl",
        "Odpowiedź na reklamację FH-2026-000123",
        "uprzejmie informujemy, że ciepło wróci jutro.",
        "sent",
    ):
        assert text in html


def test_dev_mail_says_when_there_is_nothing(app, client):
    page = client.get("/dev/mail")
    assert page.status_code == 200


@pytest.mark.parametrize(
    "settings_env",
    [
        {"FAIRHEAT_ENV": "production"},
        {"FAIRHEAT_EMAIL_BACKEND": "smtp", "FAIRHEAT_SMTP_HOST": "smtp.lampo.example"},
    ],
)
def test_dev_mail_is_not_found_in_production_or_with_a_real_backend(app, client):
    queue()
    assert client.get("/dev/mail").status_code == 404
