"""Residents' e-mail notices: double opt-in by link, a notice with the resident's own
unsubscribe link and a one-click List-Unsubscribe, erase."""

from __future__ import annotations

import re

import sqlalchemy as sa

from notifications.customers.models import EmailSubscription
from notifications.schemas import OutageInputSchema
from notifications.services import create_outage
from service.extensions import db
from service.mail.models import EmailMessage, EmailStatus
from tests.support.factories import outage_payload


def publish():
    payload = outage_payload(areas=[{"postcode": "00100", "street": "Kalevankatu"}])
    return create_outage(OutageInputSchema().load({**payload, "publish": True}))


def notices():
    return db.session.scalars(
        sa.select(EmailMessage).where(EmailMessage.event_key.contains(":subscription:"))
    ).all()


def test_subscribe_confirm_get_a_notice_and_erase_with_one_click(client):
    assert "email-notices" in client.get("/fi/subscribe").get_data(as_text=True)
    form = {
        "email": "asukas@example.fi",
        "postcode": "00100",
        "street": "Kalevankatu",
        "number": "5",
    }
    assert client.post("/sv/email-notices/", data=form).status_code == 200
    confirmation = db.session.scalars(sa.select(EmailMessage)).one()
    assert confirmation.language == "sv"
    token = re.search(r"/email-notices/([^/\s]+)/confirm", confirmation.body).group(1)
    publish()
    assert notices() == []  # nothing before the address is confirmed
    assert client.get(f"/sv/email-notices/{token}/confirm").status_code == 200  # a scanner
    assert client.post(f"/sv/email-notices/{token}/confirm").status_code == 200
    publish()
    [notice] = notices()
    assert notice.to_address == "asukas@example.fi" and notice.language == "sv"
    assert notice.list_unsubscribe.endswith(f"/sv/email-notices/{token}/unsubscribe")
    assert f"/sv/email-notices/{token}" in notice.body and "Kalevankatu 5, 00100" in notice.body
    assert client.post(f"/sv/email-notices/{token}/unsubscribe").status_code == 204
    assert db.session.scalar(sa.select(sa.func.count(EmailSubscription.id))) == 0
    db.session.expire_all()
    assert db.session.get(EmailMessage, notice.id).status == EmailStatus.CANCELLED


def test_a_bad_address_names_the_fields(client):
    response = client.post("/fi/email-notices/", data={"email": "x", "postcode": "1", "street": ""})
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(EmailSubscription.id))) == 0
