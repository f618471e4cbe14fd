"""The staff register pages and the building managers' pages: sign-in link (one use), their
buildings, channel and language choices, and the staircase notice as a print page and PDF."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa
from pypdf import PdfReader

from notifications.customers.models import CustomerContact
from notifications.schemas import OutageInputSchema
from notifications.services import create_outage
from service.extensions import db
from service.mail.models import EmailMessage
from tests.notifications.customers.conftest import load
from tests.support.factories import planned_payload

ROWS = [
    "4001;As Oy Kalevankatu 9;00100;Kalevankatu;9;manager@isannointi.example;040 765 4321;fi;"
    "manager;;20",
    "4002;As Oy Kalevankatu 11;00100;Kalevankatu;11;manager@isannointi.example;;sv;manager;;16",
    "4003;Muu;00200;Muukatu;1;other@example.fi;;fi;manager;;2",
]


def planned():
    data = planned_payload(areas=[{"postcode": "00100", "street": "Kalevankatu"}])
    return create_outage(OutageInputSchema().load({**data, "publish": True}))


def link_from_mail() -> str:
    message = db.session.scalars(
        sa.select(EmailMessage).where(EmailMessage.event_key.startswith("customers:sign-in:"))
    ).one()
    found = re.search(r"https?://\S+/customers/sign-in/(\S+)", message.body)
    assert found is not None, message.body
    return found.group(1)


def test_staff_search_and_edit_a_contact(client, login):
    load(ROWS)
    login("customer_service")
    page = client.get("/staff/customers/?q=Kalevankatu")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "4001" in text and "4002" in text and "4003" not in text
    point_id = db.session.scalar(sa.select(CustomerContact.delivery_point_id).limit(1))
    form = {
        "email": "", "phone": "0401112222", "language": "pl", "role": "caretaker",
        "by_sms": "true",
    }  # fmt: skip
    added = client.post(f"/staff/customers/{point_id}/contacts", data=form)
    assert added.status_code == 302
    bad = client.post(f"/staff/customers/{point_id}/contacts", data={**form, "phone": "12"})
    assert bad.status_code == 422
    assert "phone" in bad.get_data(as_text=True).lower()
    phones = db.session.scalars(
        sa.select(CustomerContact.phone).where(CustomerContact.delivery_point_id == point_id)
    ).all()
    assert "+358401112222" in phones


def test_a_manager_signs_in_once_by_link_and_sees_their_buildings(client):
    load(ROWS)
    outage = planned()
    response = client.post("/en/customers/sign-in", data={"email": "Manager@isannointi.example"})
    assert response.status_code == 200
    unknown = client.post("/en/customers/sign-in", data={"email": "nobody@example.fi"})
    assert unknown.get_data(as_text=True) == response.get_data(as_text=True)  # tells no one
    token = link_from_mail()
    assert client.get(f"/en/customers/sign-in/{token}").status_code == 200  # a scanner's GET
    signed_in = client.post(f"/en/customers/sign-in/{token}")
    assert signed_in.status_code == 302
    page = client.get("/en/customers/").get_data(as_text=True)
    assert "Kalevankatu 9" in page and "Kalevankatu 11" in page and "Muukatu" not in page
    assert f"#{outage.id}" in page
    client.post("/en/customers/sign-out")
    assert client.post(f"/en/customers/sign-in/{token}").status_code == 410  # used once
    assert client.get("/en/customers/").status_code == 302


def test_a_manager_changes_channel_and_language_of_their_own_contact_only(client):
    load(ROWS)
    client.post("/en/customers/sign-in", data={"email": "manager@isannointi.example"})
    client.post(f"/en/customers/sign-in/{link_from_mail()}")
    own = db.session.scalars(
        sa.select(CustomerContact).where(CustomerContact.phone.is_not(None))
    ).one()
    other = db.session.scalars(
        sa.select(CustomerContact).where(CustomerContact.email == "other@example.fi")
    ).one()
    client.post(f"/en/customers/contacts/{own.id}", data={"by_sms": "true", "language": "sv"})
    assert (
        client.post(f"/en/customers/contacts/{other.id}", data={"by_sms": "true"}).status_code
        == 404
    )
    db.session.expire_all()
    own = db.session.get(CustomerContact, own.id)
    assert (own.by_email, own.by_sms, own.language) == (False, True, "sv")


def test_staircase_pdf_in_finnish_and_swedish_has_the_times_and_both_languages(app, client, login):
    load(ROWS)
    outage = planned()
    login("dispatcher")
    point_id = db.session.scalar(
        sa.select(CustomerContact.delivery_point_id).where(CustomerContact.language == "fi")
    )
    page = client.get(f"/staff/customers/{point_id}/outages/{outage.id}/notice?lang=fi&lang=sv")
    assert page.status_code == 200
    # The print page's own <style> (shared with the PDF) is allowed by its policy.
    assert "style-src 'self' 'unsafe-inline'" in page.headers["Content-Security-Policy"]
    response = client.get(
        f"/staff/customers/{point_id}/outages/{outage.id}/notice?lang=fi&lang=sv&pdf=1"
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert (
        reader.pages[0].mediabox.width == 595.28
        or round(float(reader.pages[0].mediabox.width)) == 595
    )
    text = " ".join(page.extract_text() for page in reader.pages)
    text = " ".join(text.split())
    from service.i18n import format_datetime

    for lang in ("fi", "sv"):
        assert " ".join(format_datetime(outage.starts_at, lang).split()) in text
        assert " ".join(format_datetime(outage.expected_end_at, lang).split()) in text
    assert "Suunniteltu keskeytys" in text and "Planerat avbrott" in text
    assert "Kalevankatu 9" in text
    phone = app.config["FAIRHEAT"].feedback.emergency_phone
    assert f"Vikapäivystys ympäri vuorokauden: {phone}" in text
    assert f"Jourtelefon dygnet runt: {phone}" in text
