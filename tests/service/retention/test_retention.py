"""Retention (REGULATION.md "Retention"): the nightly run anonymises cases, SMS and e-mail
delivery rows past their period and deletes numbers that left, keeps the figures, respects legal
holds and writes one audit entry with the counts. Data-subject requests export and erase."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from config import SettingsError
from config.security_settings import RetentionRule, load_security_settings
from feedback.intake import submit_case
from feedback.models import Case, CaseEvent, CaseStatus, Outcome
from feedback.schemas import CaseInputSchema
from notifications.sms.models import MessageKind, MessageStatus, OutboxMessage, Subscriber
from notifications.sms.outbox import enqueue
from service.audit import AuditEntry
from service.db import utcnow
from service.extensions import db
from service.mail.models import EmailMessage, EmailStatus
from service.mail.outbox import enqueue_email
from tests.support.factories import case_payload

PHONE = "+358401111112"
OTHER = "+358401111113"
EMAIL = "asukas@example.fi"
NOW = utcnow()
LONG_AGO = NOW - dt.timedelta(days=8 * 365)
RECENTLY = NOW - dt.timedelta(days=20)


def case(closed_at: dt.datetime | None, **changes) -> int:
    data = CaseInputSchema().load(case_payload(phone=PHONE, name="Anna Asukas", **changes))
    case_id = submit_case(data).case_id
    row = db.session.get(Case, case_id)
    if closed_at is not None:
        row.status, row.closed_at, row.outcome = CaseStatus.CLOSED, closed_at, Outcome.UPHELD
        row.answer_text = "Hei Anna, korjasimme patterin."
    db.session.commit()
    return case_id


def sms(
    status_at: dt.datetime, subscriber_id: int | None = None, key: str = "a", phone: str = PHONE
) -> int:
    message = enqueue(
        event_key=f"outage:1:{key}",
        kind=MessageKind.NOTICE,
        phone=phone,
        language="fi",
        body="Lämmönjakelu keskeytyy",
        subscriber_id=subscriber_id,
    )
    message.status, message.status_at = MessageStatus.DELIVERED, status_at
    db.session.commit()
    return message.id


def email(created_at: dt.datetime, key: str) -> int:
    message = enqueue_email(
        event_key=key, to=EMAIL, subject="Vastaus", body="Hei Anna", language="fi"
    )
    message.status, message.created_at, message.sent_at = EmailStatus.SENT, created_at, created_at
    db.session.commit()
    return message.id


def subscriber(opted_out_at: dt.datetime | None, phone: str = PHONE) -> int:
    row = Subscriber(phone=phone, language="fi", opted_out_at=opted_out_at)
    db.session.add(row)
    db.session.commit()
    return row.id


def audit_entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def test_retention_periods_come_per_jurisdiction_and_can_be_set():
    finland = load_security_settings({}, "FI").retention
    poland = load_security_settings({}, "PL").retention
    assert finland["feedback_case"] == RetentionRule(
        years=6, from_year_end=True, source=finland["feedback_case"].source
    )
    assert poland["feedback_case"].years == 1  # art. 74 ust. 2 pkt 6
    cutoff = finland["feedback_case"].cutoff(dt.datetime(2026, 12, 3, tzinfo=dt.UTC))
    assert cutoff == dt.datetime(2020, 1, 1, tzinfo=dt.UTC)  # 2019's end + 6 years has passed
    assert finland["feedback_case"].kept_until(dt.datetime(2020, 5, 1, tzinfo=dt.UTC)) == dt.date(
        2027, 1, 1
    )
    custom = load_security_settings({"FAIRHEAT_RETENTION_SMS_MESSAGE": "400d"}, "FI")
    assert custom.retention["sms_message"] == RetentionRule(days=400)
    with pytest.raises(SettingsError, match="FAIRHEAT_RETENTION_SMS_MESSAGE"):
        load_security_settings({"FAIRHEAT_RETENTION_SMS_MESSAGE": "forever"}, "FI")


def test_nightly_run_expires_what_is_past_its_time_keeps_figures_and_holds(app, runner):
    old = case(LONG_AGO)
    held = case(LONG_AGO, description="Oikeudenkäynti")
    recent = case(RECENTLY)
    still_open = case(None)
    gone = subscriber(NOW - dt.timedelta(days=40))
    staying = subscriber(None, phone=OTHER)
    old_sms = sms(LONG_AGO - dt.timedelta(days=1), gone, "old")
    new_sms = sms(RECENTLY, staying, "new", phone=OTHER)
    old_mail = email(LONG_AGO, "case:1:answer")
    new_mail = email(RECENTLY, "case:2:answer")

    hold = runner.invoke(args=["retention", "hold", "feedback_case", str(held), "--reason", "x"])
    assert hold.exit_code == 0, hold.output
    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()

    anonymised = db.session.get(Case, old)
    assert (anonymised.name, anonymised.phone, anonymised.email, anonymised.description) == (
        None,
        None,
        None,
        "",
    )
    assert anonymised.answer_text is None
    assert all(
        e.text is None
        for e in db.session.scalars(sa.select(CaseEvent).where(CaseEvent.case_id == old))
    )
    # What the figures count stays: type, outcome, dates, deadlines.
    assert anonymised.outcome is Outcome.UPHELD and anonymised.closed_at is not None
    assert anonymised.deadline_at is not None
    for kept in (held, recent, still_open):
        assert db.session.get(Case, kept).name == "Anna Asukas"

    assert db.session.get(Subscriber, gone) is None
    assert db.session.get(Subscriber, staying) is not None
    old_row = db.session.get(OutboxMessage, old_sms)
    assert (old_row.phone, old_row.body, old_row.status) == ("erased", "", MessageStatus.DELIVERED)
    assert db.session.get(OutboxMessage, new_sms).phone == OTHER
    assert db.session.get(EmailMessage, old_mail).to_address == ""
    assert db.session.get(EmailMessage, new_mail).to_address == EMAIL

    (entry,) = audit_entries("retention.run")
    assert entry.after["changed"]["feedback_case"] == 1
    assert entry.after["changed"]["sms_subscriber_left"] == 1
    assert entry.after["changed"]["email_message"] == 1
    assert entry.after["held"] == {"feedback_case": 1}
    assert PHONE not in json.dumps(entry.after)

    again = runner.invoke(args=["retention", "run"])  # nothing left to do
    assert "feedback_case\t0" in again.output


def test_a_data_subject_gets_everything_and_erasure_keeps_what_the_law_requires(app, runner):
    closed = case(RECENTLY)
    spam = case(None, description="Osta halpaa")
    db.session.get(Case, spam).is_spam = True
    db.session.commit()
    subscriber_id = subscriber(None)
    sms(RECENTLY, subscriber_id)
    email(RECENTLY, "case:9:answer")

    exported = runner.invoke(args=["subject", "export", "--phone", "040 1111112", "--email", EMAIL])
    assert exported.exit_code == 0, exported.output
    document = json.loads(exported.output)
    assert document["subject"] == {"phone": PHONE, "email": EMAIL}
    records = document["records"]
    assert {c["description"] for c in records["feedback_cases"]} >= {"Osta halpaa"}
    assert any(r["record"] == "sms_subscription" for r in records["sms"])
    assert any(r["record"] == "sms_message" for r in records["sms"])
    assert "Hei Anna" in {m["text"] for m in records["email_messages"]}

    refused = runner.invoke(args=["subject", "erase", "--phone", PHONE])
    assert refused.exit_code == 1  # without --yes nothing happens
    erased = runner.invoke(args=["subject", "erase", "--phone", PHONE, "--email", EMAIL, "--yes"])
    assert erased.exit_code == 0, erased.output
    outcome = json.loads(erased.output)
    reasons = {k["record"]: k["reason"] for k in outcome["kept"]}
    (closed_reason,) = [r for record, r in reasons.items() if record.endswith(f"{closed:06d}")]
    assert "kept by law until" in closed_reason
    db.session.expire_all()
    assert db.session.get(Case, spam).phone is None
    assert db.session.get(Case, closed).phone == PHONE
    assert db.session.get(Subscriber, subscriber_id) is None
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.phone == PHONE)
        )
        == 0
    )
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(EmailMessage)
            .where(EmailMessage.to_address == EMAIL)
        )
        == 0
    )
    for action in ("subject.exported", "subject.erased"):
        (entry,) = audit_entries(action)
        assert PHONE not in json.dumps(entry.after) and entry.entity_id != PHONE
