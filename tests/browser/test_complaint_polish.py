"""End to end in Chromium: a resident files a complaint in Polish, staff answer it, and the
resident reads the answer and rates it from the private tracking link.

The tracking link reaches the resident the way it does in `make run`: the acknowledgement is
queued in the e-mail outbox, the dispatcher "sends" it through the console backend, and the
development page /dev/mail shows it; the browser takes the link from there.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_babel import force_locale, gettext

from feedback.models import Case, CaseStatus, Outcome
from service.extensions import db
from service.mail.dispatcher import send_due_emails
from tests.conftest import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

COMPLAINT = "Od poniedziałku kaloryfery w mieszkaniu nr 12 są zimne, a woda ledwo ciepła."
ANSWER = "Przepraszamy. Wymieniliśmy uszkodzony zawór w węźle cieplnym."
ACTION = "Monter wymienił zawór 24.11.; temperatura wróciła do normy."


@pytest.fixture
def settings_env() -> dict[str, str]:
    return {"FAIRHEAT_JURISDICTION": "PL", "FAIRHEAT_UTILITY_NAME": "Ciepło Miejskie"}


def polish(message: str, **values: Any) -> str:
    with force_locale("pl"):
        translated = gettext(message, **values)
    assert translated != message % values if values else translated != message
    return translated


def test_polish_complaint_answered_and_rated(
    app: Flask, new_page: Any, make_user: Any, live_server: str
) -> None:
    resident: Page = new_page(locale="pl-PL")
    resident.goto("/pl/feedback")
    assert resident.locator("html").get_attribute("lang") == "pl"
    assert app.config["FAIRHEAT"].feedback.emergency_phone in resident.content()

    # First try without any contact: a Polish error, nothing stored.
    resident.get_by_label(polish("Complaint"), exact=True).check()
    resident.get_by_label(polish("What is it about?")).select_option("heat_supply")
    resident.get_by_label(polish("Your message")).fill(COMPLAINT)
    resident.get_by_role("button", name=polish("Send"), exact=True).click()
    error = polish("Give an e-mail address or a phone number so that we can answer you.")
    assert error in resident.locator("#email-error").inner_text()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0
    assert resident.get_by_label(polish("Your message")).input_value() == COMPLAINT

    resident.get_by_label(polish("E-mail address")).fill("jan.kowalski@example.pl")
    resident.get_by_role("button", name=polish("Send"), exact=True).click()
    resident.wait_for_url(re.compile(r"/pl/feedback/FH-\d{4}-\d{6}/"))
    case = db.session.scalars(sa.select(Case)).one()
    assert case.language == "pl" and case.track.value == "complaint"
    assert polish("Received") in resident.content()

    # The acknowledgement e-mail carries the tracking link.
    send_due_emails()
    mailbox = new_page(locale="pl-PL")
    mailbox.goto("/dev/mail")
    body = mailbox.locator(".email-body").first.inner_text()
    link = re.search(r"https?://\S+/pl/feedback/FH-\S+", body)
    assert link, body
    tracking_path = "/" + link.group(0).split("/", 3)[3]
    assert resident.url.endswith(tracking_path)

    # Staff answer it in the back office.
    lead = make_user("customer_service_lead", email="bok@cieplo.example")
    staff = new_page(locale="en-GB")
    staff.goto("/staff/login")
    staff.get_by_label("E-mail").fill(lead.email)
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_role("button", name="Sign in").click()
    staff.goto("/staff/cases/")
    staff.get_by_role("link", name=re.compile(r"FH-\d{4}-\d{6}")).first.click()
    staff.get_by_label(re.compile("^Answer")).fill(ANSWER)
    staff.get_by_label("What was done (shown to the customer)").fill(ACTION)
    staff.get_by_label("Outcome").select_option("upheld")
    staff.get_by_role("button", name="Send the answer and close").click()
    staff.wait_for_load_state()
    assert "The answer was sent and the case closed." in staff.content()

    # The resident reads the answer and rates it.
    resident.goto(tracking_path)
    assert ANSWER in resident.content() and ACTION in resident.content()
    resident.locator("label[for=score-5]").click()
    resident.get_by_label(polish("Anything else? (optional)")).fill(
        "Szybko i konkretnie, dziękuję."
    )
    resident.get_by_role("button", name=polish("Send rating")).click()
    resident.wait_for_load_state()
    assert polish("Thank you for your rating!") in resident.content()

    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status is CaseStatus.CLOSED and case.outcome is Outcome.UPHELD
    assert case.first_answered_at <= case.deadline_at
    assert case.satisfaction_score == 5
    assert case.satisfaction_comment == "Szybko i konkretnie, dziękuję."
