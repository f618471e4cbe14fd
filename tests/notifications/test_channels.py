"""notify_person: one person told by SMS and/or e-mail, in their language, through the outboxes,
in the caller's transaction."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import gettext as _

from notifications import Contact, PersonMessage, notify_person, reachable_channels
from notifications.sms.models import MessageKind, MessageStatus, OutboxMessage
from service.extensions import db
from service.mail.models import EmailMessage, EmailStatus

MOBILE = "040 123 4567"  # as a person types it
MOBILE_E164 = "+358401234567"
LANDLINE = "09 123 4567"
EMAIL = "maija.virtanen@example.fi"


def signed_off() -> PersonMessage:
    """Texts built with gettext, as the callers build them: the language shows in them."""
    signature = _("Customer service, %(utility)s", utility="Lämpö Oy")
    return PersonMessage(
        sms=f"{get_locale()}: {signature}",
        email_subject=f"{get_locale()} subject",
        email_body=signature,
    )


def sms_rows() -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def email_rows() -> list[EmailMessage]:
    return list(db.session.scalars(sa.select(EmailMessage).order_by(EmailMessage.id)))


def test_sms_only_contact_gets_a_text_in_their_language(app):
    used = notify_person(
        Contact(language="fi", phone=MOBILE), event_key="call:7:logged", render=signed_off
    )

    assert used == ["sms"]
    [sms] = sms_rows()
    assert (sms.phone, sms.language, sms.event_key) == (MOBILE_E164, "fi", "call:7:logged:sms")
    assert sms.body == "fi: Asiakaspalvelu, Lämpö Oy"
    assert sms.kind is MessageKind.CASE and sms.status is MessageStatus.QUEUED
    assert sms.subscriber_id is None
    assert email_rows() == []


def test_email_only_contact_gets_an_email_in_their_language(app):
    used = notify_person(
        Contact(language="sv", email=EMAIL),
        event_key="application:3:received",
        render=signed_off,
        reference="CR-2026-000003",
    )

    assert used == ["email"]
    [mail] = email_rows()
    assert (mail.to_address, mail.language, mail.event_key) == (
        EMAIL,
        "sv",
        "application:3:received:email",
    )
    assert (mail.subject, mail.body) == ("sv subject", "Kundtjänst, Lämpö Oy")
    assert mail.reference == "CR-2026-000003" and mail.status is EmailStatus.QUEUED
    assert sms_rows() == []


def test_every_channel_sends_both_in_the_same_language(app):
    contact = Contact(language="pl", email=EMAIL, phone=MOBILE)

    used = notify_person(contact, event_key="case:1:ack", render=signed_off, every_channel=True)

    assert used == ["email", "sms"]
    [mail], [sms] = email_rows(), sms_rows()
    assert mail.body == "Biuro Obsługi Klienta, Lämpö Oy" and mail.language == "pl"
    assert sms.body.startswith("pl: ") and sms.language == "pl"


@pytest.mark.parametrize(
    ("prefers", "expected"), [("email", ["email"]), ("sms", ["sms"])], ids=["email", "sms"]
)
def test_one_channel_is_the_preferred_one(app, prefers, expected):
    contact = Contact(language="en", email=EMAIL, phone=MOBILE, prefers=prefers)

    assert notify_person(contact, event_key="case:1:answer:9", render=signed_off) == expected
    assert len(email_rows()) == expected.count("email")
    assert len(sms_rows()) == expected.count("sms")


def test_the_other_channel_when_the_preferred_one_is_missing(app):
    prefers_sms = Contact(language="en", email=EMAIL, phone=LANDLINE, prefers="sms")
    assert notify_person(prefers_sms, event_key="a", render=signed_off) == ["email"]

    email_only_text = Contact(language="en", email=EMAIL, phone=MOBILE, prefers="sms")
    only_email = PersonMessage(email_subject="Subject", email_body="Body")
    assert notify_person(email_only_text, event_key="b", render=lambda: only_email) == ["email"]
    assert sms_rows() == []


@pytest.mark.parametrize(
    "contact",
    [
        Contact(language="fi"),
        Contact(language="fi", phone=LANDLINE),  # a call back, not a text
        Contact(language="fi", phone="", email=""),
    ],
    ids=["nothing", "landline", "empty"],
)
def test_nothing_is_sent_without_a_contact(app, contact):
    assert notify_person(contact, event_key="call:8:logged", render=signed_off) == []
    assert reachable_channels(contact, every_channel=True) == []
    assert sms_rows() == [] and email_rows() == []


def test_reachable_channels_tells_in_advance_what_notify_will_use(app):
    contact = Contact(language="fi", email=EMAIL, phone=MOBILE, prefers="sms")
    assert reachable_channels(contact, every_channel=True) == ["email", "sms"]
    assert reachable_channels(contact, every_channel=False) == ["sms"]
    assert reachable_channels(contact, every_channel=False, sms=False) == ["email"]


def test_rows_are_in_the_callers_transaction_and_roll_back_with_it(app):
    contact = Contact(language="fi", email=EMAIL, phone=MOBILE)

    notify_person(contact, event_key="case:2:ack", render=signed_off, every_channel=True)
    assert len(sms_rows()) == 1 and len(email_rows()) == 1  # visible in the transaction
    db.session.rollback()

    assert sms_rows() == [] and email_rows() == []

    notify_person(contact, event_key="case:2:ack", render=signed_off, every_channel=True)
    db.session.commit()
    db.session.expire_all()
    assert len(sms_rows()) == 1 and len(email_rows()) == 1


def test_the_same_event_key_tells_nobody_twice(app):
    contact = Contact(language="fi", email=EMAIL, phone=MOBILE)
    for _attempt in range(2):
        notify_person(contact, event_key="case:3:ack", render=signed_off, every_channel=True)
        db.session.commit()

    assert len(sms_rows()) == 1 and len(email_rows()) == 1


def test_the_message_is_rendered_once_in_the_persons_language(app):
    seen = []

    def render() -> PersonMessage:
        seen.append(str(get_locale()))
        return PersonMessage(sms="x")

    notify_person(Contact(language="sv", phone=MOBILE), event_key="c", render=render)
    assert seen == ["sv"]


def test_programming_errors_are_refused(app):
    with pytest.raises(ValueError):
        notify_person(Contact(language="de", phone=MOBILE), event_key="k", render=signed_off)
    with pytest.raises(ValueError):
        notify_person(Contact(language="fi", phone=MOBILE), event_key="k" * 117, render=signed_off)
    with pytest.raises(ValueError):
        PersonMessage(email_subject="Subject only")
    assert sms_rows() == [] and email_rows() == []
