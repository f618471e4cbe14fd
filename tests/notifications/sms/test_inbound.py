"""POST /twilio/sms/inbound: real Twilio signatures, keywords in four languages, TwiML answers."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa
from twilio.request_validator import RequestValidator

from notifications.sms.models import (
    MessageKind,
    MessageStatus,
    OutboxMessage,
    Subscriber,
    SubscriberAddress,
)
from notifications.sms.outbox import enqueue
from service.extensions import db

TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
BASE = "https://lampo.example"
URL = f"{BASE}/twilio/sms/inbound"
PHONE = "+358401234567"
BASE_ENV = {"FAIRHEAT_TWILIO_AUTH_TOKEN": TOKEN, "FAIRHEAT_PUBLIC_BASE_URL": BASE}
POLISH_ENV = {**BASE_ENV, "FAIRHEAT_JURISDICTION": "PL", "FAIRHEAT_DEFAULT_LANGUAGE": "pl"}


@pytest.fixture
def settings_env() -> dict[str, str]:
    return dict(BASE_ENV)


def params(body: str, phone: str = PHONE, **extra: str) -> dict[str, str]:
    return {
        "MessageSid": "SM" + "0" * 32,
        "AccountSid": "AC" + "1" * 32,
        "From": phone,
        "To": "+358451234567",
        "Body": body,
        "NumSegments": "1",
        **extra,
    }


def post(client, form: dict[str, str], signature: str | None = None):
    headers = {}
    if signature is None:
        signature = RequestValidator(TOKEN).compute_signature(URL, form)
    if signature:
        headers["X-Twilio-Signature"] = signature
    return client.post("/twilio/sms/inbound", data=form, headers=headers)


def reply_of(response) -> str | None:
    """The text of the TwiML <Message>, or None for an empty <Response/>."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/xml"
    text = response.get_data(as_text=True)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(response.get_data())
    assert root.tag == "Response"
    messages = root.findall("Message")
    assert len(messages) <= 1
    return messages[0].text if messages else None


def subscriber(phone: str = PHONE) -> Subscriber | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Subscriber).where(Subscriber.phone == phone))


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_signed_tilaa_subscribes_in_finnish_and_answers_in_twiml(client):
    reply = reply_of(post(client, params("TILAA 00100")))
    found = subscriber()
    assert found is not None and found.language == "fi" and found.source == "sms"
    assert found.verified_at is not None and found.active
    assert [(a.postcode, a.street) for a in found.addresses] == [("00100", None)]
    assert reply is not None
    assert "LOPETA" in reply and f"{BASE}/fi/subscription" in reply and "00100" in reply


def test_unsigned_request_is_refused_and_stores_nothing(client):
    response = post(client, params("TILAA 00100"), signature="")
    assert response.status_code == 403
    assert count(Subscriber) == 0


def test_tampered_body_is_refused(client):
    form = params("TILAA 00100")
    signature = RequestValidator(TOKEN).compute_signature(URL, form)
    response = post(client, {**form, "Body": "TILAA 00120"}, signature=signature)
    assert response.status_code == 403
    assert count(Subscriber) == 0


def test_signature_for_another_url_is_refused(client):
    form = params("STOP")
    signature = RequestValidator(TOKEN).compute_signature(f"{BASE}/twilio/sms/status", form)
    assert post(client, form, signature=signature).status_code == 403


def test_english_keyword_decides_english_with_a_street_address(client):
    reply = reply_of(post(client, params("subscribe Mannerheimintie 5, 00100")))
    found = subscriber()
    assert found.language == "en"
    address = found.addresses[0]
    assert (address.postcode, address.street_key, address.number) == (
        "00100",
        "mannerheimintie",
        5,
    )
    assert "Mannerheimintie 5, 00100" in reply and "STOP" in reply


def test_subscribe_without_a_postcode_explains_the_format(client):
    reply = reply_of(post(client, params("Beställ Drottninggatan")))
    assert "PRENUMERERA 00100" in reply
    assert count(Subscriber) == 0


def test_stop_then_start_in_the_subscribers_language(client):
    reply_of(post(client, params("TILAA 00100")))
    queued = enqueue(
        event_key="outage:1:published",
        kind=MessageKind.NOTICE,
        phone=PHONE,
        language="fi",
        body="Lämpökatko",
        subscriber_id=subscriber().id,
    )
    db.session.commit()

    stop_reply = reply_of(post(client, params("lopeta")))
    assert subscriber().opted_out_at is not None
    assert db.session.get(OutboxMessage, queued.id).status == MessageStatus.CANCELLED
    assert "ALOITA" in stop_reply  # how to come back, in the subscriber's language

    start_reply = reply_of(post(client, params("START")))
    assert subscriber().opted_out_at is None
    assert "LOPETA" in start_reply


@pytest.mark.parametrize(
    ("body", "language_words"),
    [("HELP", ["SUBSCRIBE", "STOP"]), ("hjälp", ["PRENUMERERA", "AVSLUTA"]), ("POMOC", ["ZAPISZ"])],
)
def test_help_from_a_stranger_answers_in_the_keywords_language(client, body, language_words):
    reply = reply_of(post(client, params(body)))
    for word in language_words:
        assert word in reply
    assert count(Subscriber) == 0


def test_help_from_a_subscriber_answers_in_their_language(client):
    reply_of(post(client, params("PRENUMERERA 00100")))
    reply = reply_of(post(client, params("HELP")))
    assert "PRENUMERERA" in reply and f"{BASE}/sv/subscription" in reply


def test_unknown_text_gets_the_help(client):
    reply = reply_of(post(client, params("Onko lämmöt poikki?")))
    assert "TILAA" in reply  # the utility's default language: Finnish


def test_start_from_a_stranger_says_how_to_subscribe(client):
    reply = reply_of(post(client, params("ALOITA")))
    assert "TILAA 00100" in reply
    assert count(Subscriber) == 0


@pytest.mark.parametrize(("opt_out_type", "body"), [("STOP", "STOP"), ("STOP", "LOPETA")])
def test_advanced_opt_out_stop_is_recorded_without_a_second_reply(client, opt_out_type, body):
    reply_of(post(client, params("TILAA 00100")))
    assert reply_of(post(client, params(body, OptOutType=opt_out_type))) is None
    assert subscriber().opted_out_at is not None


def test_advanced_opt_out_start_and_help_are_recorded_without_a_reply(client):
    reply_of(post(client, params("TILAA 00100")))
    reply_of(post(client, params("STOP")))
    assert reply_of(post(client, params("START", OptOutType="START"))) is None
    assert subscriber().opted_out_at is None
    assert reply_of(post(client, params("HELP", OptOutType="HELP"))) is None
    assert subscriber().opted_out_at is None


@pytest.mark.parametrize("settings_env", [{**BASE_ENV, "FAIRHEAT_UTILITY_NAME": "Heat & <Co>"}])
def test_reply_text_is_escaped_in_the_twiml(client):
    reply = reply_of(post(client, params("HELP")))
    assert "Heat & <Co>" in reply


@pytest.mark.parametrize("settings_env", [POLISH_ENV])
def test_polish_subscription_by_sms(client):
    phone = "+48601234567"
    reply = reply_of(post(client, params("Zapisz się ul. Marszałkowska 10/2 00-624", phone)))
    found = subscriber(phone)
    assert found.language == "pl"
    address = db.session.scalars(sa.select(SubscriberAddress)).one()
    assert (address.postcode, address.street, address.number_text) == (
        "00-624",
        "ul. Marszałkowska",
        "10/2",
    )
    assert "WYPISZ" in reply and f"{BASE}/pl/subscription" in reply


def test_a_landline_cannot_subscribe(client):
    reply = reply_of(post(client, params("TILAA 00100", "+35891234567")))
    assert reply  # told that only mobile numbers can subscribe
    assert count(Subscriber) == 0
