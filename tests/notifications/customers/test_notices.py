"""Notices to contract customers: every contact of every delivery point in the area, once per
event, in their language, by e-mail through a real SMTP server on loopback (and SMS where
chosen); the restored notice; refusals and later bounces recorded per recipient."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from notifications.schemas import OutageInputSchema
from notifications.services import create_outage, restore_outage, update_outage
from notifications.sms.models import OutboxMessage
from service.extensions import db
from service.mail import record_bounce
from service.mail.dispatcher import send_due_emails_for
from service.mail.gateway import message_id
from service.mail.models import EmailMessage, EmailStatus
from tests.notifications.customers.conftest import load
from tests.support.factories import outage_payload
from tests.support.smtp import SmtpServer

STREET = [
    "2001;As Oy Kalevankatu 3;00100;Kalevankatu;3;isannoitsija@isannointi.example;;fi;manager;;12",
    "2002;Bostads Ab Kalevagatan 5;00100;Kalevankatu;5;disponent@forvaltning.example;;sv;"
    "manager;;30",
    "2003;Spółdzielnia Kalevankatu 7;00100;Kalevankatu;7;zarzadca@zarzad.example;"
    "+48 601 234 567;pl;manager;care_home;40",
    "2004;Muu katu;00100;Annankatu;1;muu@example.fi;;fi;manager;;5",
]
AREA = [{"postcode": "00100", "street": "Kalevankatu"}]


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def smtp(smtp_server: SmtpServer) -> SmtpServer:
    smtp_server.reset()
    return smtp_server


@pytest.fixture
def settings_env(smtp_server):
    return {
        "FAIRHEAT_EMAIL_BACKEND": "smtp",
        "FAIRHEAT_SMTP_HOST": "127.0.0.1",
        "FAIRHEAT_SMTP_PORT": str(smtp_server.port),
        "FAIRHEAT_SMTP_SECURITY": "none",
        "FAIRHEAT_EMERGENCY_PHONE": "+358 9 6171 0000",
    }


def publish(**overrides):
    return create_outage(
        OutageInputSchema().load({**outage_payload(areas=AREA, **overrides), "publish": True})
    )


def by_recipient(server: SmtpServer) -> dict[str, object]:
    return {m.rcpt_tos[0]: m for m in server.messages}


def test_an_outage_in_a_street_of_three_managed_buildings_mails_each_contact_once_in_their_language(
    app, smtp
):
    load(STREET)
    outage = publish()
    assert send_due_emails_for(seconds=5) == 3
    received = by_recipient(smtp)
    assert set(received) == {
        "isannoitsija@isannointi.example",
        "disponent@forvaltning.example",
        "zarzadca@zarzad.example",
    }
    finnish = received["isannoitsija@isannointi.example"]
    assert finnish.message["Content-Language"] == "fi"
    assert (
        "Kalevankatu 3, 00100" in finnish.body
        and "Kalevankatu 3, 00100" in finnish.message["Subject"]
    )
    assert "Odottamaton keskeytys" in finnish.body
    assert "Tiedote koskee kohdetta Kalevankatu 3, 00100." in finnish.body
    assert "Vikapäivystys ympäri vuorokauden: +358 9 6171 0000" in finnish.body
    assert f"/fi/outages/{outage.id}" in finnish.body
    html = finnish.message.get_body(("html",))
    assert html is not None and "Kalevankatu 3, 00100" in html.get_content()
    assert received["disponent@forvaltning.example"].message["Content-Language"] == "sv"
    assert f"/sv/outages/{outage.id}" in received["disponent@forvaltning.example"].body
    polish = received["zarzadca@zarzad.example"]
    assert polish.message["Content-Language"] == "pl" and f"/pl/outages/{outage.id}" in polish.body
    assert "List-Unsubscribe" not in polish.message  # contract customers are not a mailing list
    # The Polish manager also chose SMS (a mobile was given): one row, care home first.
    sms = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.contact_id.is_not(None))
    ).all()
    assert [(m.phone, m.language, m.priority) for m in sms] == [("+48601234567", "pl", 10)]
    # Care homes are written first: the Polish care home's e-mail is the first row.
    first = db.session.scalars(sa.select(EmailMessage).order_by(EmailMessage.id)).first()
    assert first.to_address == "zarzadca@zarzad.example"
    # Sending again sends nothing: one e-mail per contact and event.
    assert send_due_emails_for(seconds=2) == 0
    assert len(smtp.messages) == 3


def test_restored_sends_the_restored_notice_and_a_repeat_adds_nothing(app, smtp):
    load(STREET)
    outage = publish()
    send_due_emails_for(seconds=5)
    smtp.reset()
    restore_outage(outage.id)
    assert send_due_emails_for(seconds=5) == 3
    finnish = by_recipient(smtp)["isannoitsija@isannointi.example"]
    assert "korjattu" in finnish.body.lower() or "palautunut" in finnish.body.lower(), finnish.body
    update_outage(outage.id, {"texts": {"fi": "Kiitos kärsivällisyydestä."}})  # web-only change
    assert send_due_emails_for(seconds=2) == 0
    total = db.session.scalar(sa.select(sa.func.count(EmailMessage.id)))
    assert total == 6


def test_a_refused_recipient_is_failed_and_a_later_bounce_is_recorded(app, smtp):
    load(STREET)
    smtp.refuse("disponent@forvaltning.example", "550 5.1.1 No such user")
    publish()
    assert send_due_emails_for(seconds=5) == 2
    rows = {r.to_address: r for r in db.session.scalars(sa.select(EmailMessage))}
    refused = rows["disponent@forvaltning.example"]
    assert refused.status == EmailStatus.FAILED and refused.last_error.startswith("550")
    delivered = rows["isannoitsija@isannointi.example"]
    header = by_recipient(smtp)["isannoitsija@isannointi.example"].message["Message-ID"]
    assert header == message_id(
        delivered.id, delivered.event_key, app.config["FAIRHEAT"].mail.from_address
    )
    assert record_bounce(header, "5.2.2 mailbox full")
    assert record_bounce(header)  # a repeated report changes nothing
    assert not record_bounce(header.replace("fairheat.", "fairheat.9"))
    db.session.expire_all()
    bounced = db.session.get(EmailMessage, delivered.id)
    assert bounced.bounced_at is not None and bounced.last_error == "5.2.2 mailbox full"


def test_contacts_who_turned_e_mail_off_get_none(app, smtp):
    load(STREET)
    from notifications.customers.models import CustomerContact

    db.session.execute(sa.update(CustomerContact).values(by_email=False))
    db.session.commit()
    publish()
    assert send_due_emails_for(seconds=2) == 0


def test_planned_notice_waits_for_the_morning_and_a_reminder_and_cancellation_go_too(app, smtp):
    import datetime as dt

    from notifications.customers import fan_out_to_customers
    from notifications.services import cancel_outage
    from notifications.sms.texts import SmsEvent
    from tests.support.factories import planned_payload

    load(STREET)
    payload = planned_payload(areas=AREA)
    outage = create_outage(OutageInputSchema().load(payload))  # a draft: nothing sent yet
    assert db.session.scalar(sa.select(sa.func.count(EmailMessage.id))) == 0
    night = dt.datetime(2026, 12, 1, 1, 30, tzinfo=dt.UTC)  # 03:30 in Helsinki
    queued, _ = fan_out_to_customers(outage, SmsEvent.PUBLISHED, "test:planned", now=night)
    assert queued == 3
    times = set(db.session.scalars(sa.select(EmailMessage.next_attempt_at)))
    assert len(times) == 1 and times.pop() > night + dt.timedelta(hours=3)
    again, _ = fan_out_to_customers(outage, SmsEvent.PUBLISHED, "test:planned", now=night)
    assert again == 0  # the same event twice adds nothing
    fan_out_to_customers(outage, SmsEvent.REMINDER, f"outage:{outage.id}:reminder:24h")
    update_outage(outage.id, {"publish": True})
    cancel_outage(outage.id)
    keys = db.session.scalars(sa.select(EmailMessage.event_key)).all()
    assert sum(":reminder:" in k for k in keys) == 3
    assert len(keys) == 3 + 3 + 3 + 3  # night notice, reminder, publication, cancellation


def test_served_postcodes_come_from_the_register(app):
    from notifications.customers import served_postcodes

    load([*STREET, "2009;Muu;00260;Runeberginkatu;40;;;fi;;;3"])
    assert served_postcodes() == ["00100", "00260"]


def test_stop_from_a_contacts_mobile_turns_their_sms_off(app, smtp):
    from notifications.customers.models import CustomerContact
    from notifications.sms.inbound import handle_inbound_sms

    load(STREET)
    handle_inbound_sms("+48601234567", "STOP")
    db.session.expire_all()
    contact = db.session.scalars(
        sa.select(CustomerContact).where(CustomerContact.phone == "+48601234567")
    ).one()
    assert (contact.by_sms, contact.by_email) == (False, True)
    publish()
    assert (
        db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.contact_id.is_not(None))
        ).all()
        == []
    )
