""" "Still no heat": a reply to a restoration SMS within 24 hours becomes an emergency call linked
to that outage, alerts the person on duty by SMS, and is answered in the resident's language."""

from __future__ import annotations

import datetime as dt

import lxml.etree
import pytest
import sqlalchemy as sa

from feedback.emergency import roster, voice
from feedback.emergency.models import CallChannel, EmergencyCall, Problem
from notifications import create_outage, restore_outage
from notifications.areas import house_number, street_key
from notifications.schemas import OutageInputSchema
from notifications.sms.models import OutboxMessage, Subscriber, SubscriberAddress
from service.db import utcnow
from service.extensions import db
from tests.feedback.emergency.support import FALLBACK, signed_post, voice_env
from tests.support.factories import outage_payload

SUBSCRIBER = "+358409998877"


@pytest.fixture
def settings_env():
    return voice_env()


@pytest.fixture(autouse=True)
def fresh_roster_copy():
    roster.COPY.forget()
    voice._active.clear()
    yield
    roster.COPY.forget()


def restored_outage(language: str = "fi") -> int:
    subscriber = Subscriber(phone=SUBSCRIBER, language=language, verified_at=utcnow())
    subscriber.addresses.append(
        SubscriberAddress(
            postcode="00100",
            street="Mannerheimintie",
            street_key=street_key("Mannerheimintie"),
            number=house_number("5"),
            number_text="5",
        )
    )
    db.session.add(subscriber)
    db.session.commit()
    outage = create_outage(OutageInputSchema().load(outage_payload(publish=True)))
    restore_outage(outage.id)
    return int(outage.id)


def reply(client, body: str):
    response = signed_post(
        client,
        "/twilio/sms/inbound",
        {"From": SUBSCRIBER, "Body": body, "MessageSid": "SM" + str(abs(hash(body)))},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    message = lxml.etree.fromstring(response.get_data()).find("Message")
    return message.text if message is not None else None


@pytest.mark.parametrize(
    "language,body,words",
    [
        ("fi", "EI LÄMPÖÄ", "Kiitos"),
        ("sv", "INGEN VÄRME", "Tack"),
        ("pl", "BRAK CIEPŁA", "Dziękujemy"),
        ("fi", "patterit edelleen kylmät", "Kiitos"),
    ],
)
def test_a_reply_to_a_restoration_sms_becomes_a_call_linked_to_the_outage(
    client, language, body, words
):
    outage_id = restored_outage(language)
    text = reply(client, body)
    assert text is not None and words in text
    [call] = db.session.scalars(sa.select(EmergencyCall)).all()
    assert call.channel is CallChannel.SMS and call.problem is Problem.NO_HEATING
    assert call.outage_id == outage_id and call.caller_phone == SUBSCRIBER
    assert call.language == language and call.description == body
    alerts = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.phone == FALLBACK)
    ).all()
    assert len(alerts) == 1 and str(call.id) in alerts[0].body


def test_a_reply_more_than_24_hours_later_is_not_a_call(client):
    restored_outage()
    db.session.execute(
        sa.update(OutboxMessage).values(created_at=utcnow() - dt.timedelta(hours=25))
    )
    db.session.commit()
    text = reply(client, "EI LÄMPÖÄ")
    assert db.session.scalars(sa.select(EmergencyCall)).all() == []
    assert text is not None  # the usual help reply


def test_keywords_still_work_after_a_restoration_sms(client):
    restored_outage()
    reply(client, "STOP")
    assert db.session.scalars(sa.select(EmergencyCall)).all() == []
