"""End to end in Chromium: an applicant applies in Polish with two documents, staff ask for the
missing floor plan, the applicant adds it from the tracking link, staff mark the application
complete and issue the conditions, and the applicant sees them and their expiry date."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from feedback.connection_requests.models import ConnectionRequest, Status
from service.extensions import db
from service.mail.dispatcher import send_due_emails
from tests.conftest import PASSWORD
from tests.feedback.connection_requests.conftest import pdf, png

pytestmark = pytest.mark.browser


@pytest.fixture
def settings_env(tmp_path: Path) -> dict[str, str]:
    return {
        "FAIRHEAT_JURISDICTION": "PL",
        "FAIRHEAT_UTILITY_NAME": "Ciepło Miejskie",
        "FAIRHEAT_FILES_DIR": str(tmp_path / "files"),
    }


def file(name: str, mime: str, content: bytes) -> dict[str, Any]:
    return {"name": name, "mimeType": mime, "buffer": content}


def test_polish_application_to_conditions(
    app: Flask, new_page: Any, make_user: Any, live_server: str
) -> None:
    applicant = new_page(locale="pl-PL")
    applicant.goto("/pl/connection-request")
    assert applicant.locator("html").get_attribute("lang") == "pl"
    start = (dt.date.today() + dt.timedelta(days=200)).isoformat()  # noqa: DTZ011 (a browser date)
    fields = {
        "#applicant_name": "Spółdzielnia Mieszkaniowa Słoneczna",
        "#nip": "856-734-62-15",
        "#signatory": "Anna Kowalska",
        "#email": "biuro@sloneczna.example.pl",
        "#street": "Słoneczna",
        "#house_number": "12",
        "#postcode": "00-950",
        "#city": "Warszawa",
        "#plot_number": "123/4",
        "#heated_area_m2": "2400",
        "#heating_kw": "180",
        "#hot_water_kw": "60",
        "#desired_start": start,
    }
    applicant.locator("#applicant_kind").select_option("cooperative")
    for selector, value in fields.items():
        applicant.locator(selector).fill(value)
    applicant.locator("#legal_title").select_option("owner")
    applicant.locator("#purpose").select_option("residential")
    applicant.locator("#new_building").select_option("new")
    applicant.locator("#title_proof").set_input_files(
        file("akt notarialny.pdf", "application/pdf", pdf())
    )
    applicant.locator("#site_plan").set_input_files(file("mapa.png", "image/png", png()))
    applicant.locator("form.form button[type=submit]").click()
    applicant.wait_for_url(re.compile(r"/pl/connection-request/PR-\d{4}-\d{6}/"))
    tracking = "/" + applicant.url.split("/", 3)[3]
    request = db.session.scalars(sa.select(ConnectionRequest)).one()
    assert request.language == "pl" and len(request.documents) == 2

    # The acknowledgement carries the same private link.
    send_due_emails()
    mailbox = new_page(locale="pl-PL")
    mailbox.goto("/dev/mail")
    assert tracking in mailbox.locator(".email-body").first.inner_text()

    handler = make_user("customer_service", email="przylacza@cieplo.example")
    staff = new_page(locale="en-GB")
    staff.goto("/staff/login")
    staff.get_by_label("E-mail").fill(handler.email)
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_role("button", name="Sign in").click()
    staff.goto("/staff/connection-requests/")
    staff.get_by_role("link", name=re.compile(r"PR-\d{4}-\d{6}")).first.click()
    staff.locator("#description").fill("Rzut kondygnacji z pomieszczeniem węzła cieplnego")
    staff.locator("#document_kind").select_option("floor_plan")
    staff.locator("#request-item button[type=submit]").click()
    staff.wait_for_load_state()

    applicant.goto(tracking)
    assert "Rzut kondygnacji" in applicant.content()
    applicant.locator("input[type=file][name^=item_]").set_input_files(
        file("rzut.pdf", "application/pdf", pdf())
    )
    applicant.locator("section form button[type=submit]").click()
    applicant.wait_for_load_state()
    assert "rzut.pdf" in applicant.content()

    staff.reload()
    staff.locator("#mark-complete button").click()
    staff.wait_for_load_state()
    for name, value in {
        "#connection_point": "Komora K-12, sieć 2xDN100",
        "#heat_carrier": "121/60 °C",
        "#boundary": "Zawory w węźle",
        "#metering": "Ciepłomierz w węźle",
    }.items():
        staff.locator(name).fill(value)
    today = dt.datetime.now(dt.UTC).date()
    staff.locator("#delivered_on").fill(today.isoformat())
    staff.locator("#issue-conditions button[type=submit]").click()
    staff.wait_for_load_state()

    db.session.expire_all()
    request = db.session.get(ConnectionRequest, request.id)
    assert request.status is Status.CONDITIONS_ISSUED
    assert request.complete_at is not None and request.decided_at <= request.conditions_due_at
    expires = request.expires_on
    assert expires == today.replace(year=today.year + 2)

    applicant.goto(tracking)
    assert applicant.locator(".expiry time").get_attribute("datetime") == expires.isoformat()
    assert str(expires.year) in applicant.locator(".expiry").inner_text()
    conditions_link = applicant.locator(".conditions a").first
    assert conditions_link.inner_text().endswith(".pdf")
    with applicant.expect_download() as download:
        conditions_link.click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
