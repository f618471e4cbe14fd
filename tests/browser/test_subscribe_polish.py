"""End to end in Chromium: a resident subscribes to SMS notices in Polish.

The code reaches the resident the way it does in `make run`: the subscription request queues it
in the outbox, the dispatcher "sends" it through the console backend, and the development page
/dev/sms shows it; the browser reads it there and types it in. Then a published outage at the
followed address queues a Polish notice for the new subscriber.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_babel import force_locale, gettext

from notifications.schemas import OutageInputSchema
from notifications.services import create_outage
from notifications.sms.dispatcher import Dispatcher
from notifications.sms.models import OutboxMessage, Subscriber
from service.extensions import db
from tests.support.factories import outage_payload

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

PHONE_TYPED = "0401234567"  # a Finnish mobile number as people type it
PHONE = "+358401234567"


def polish(message: str) -> str:
    with force_locale("pl"):
        translated = gettext(message)
    assert translated != message, f"no Polish translation for {message!r}"
    return translated


def send_queued(app: Flask) -> None:
    dispatcher = Dispatcher(app)
    try:
        dispatcher.run_once()
    finally:
        dispatcher.close()


def test_resident_subscribes_in_polish_with_the_code_from_the_console(
    app: Flask, page: Page, chromium: Any
) -> None:
    page.goto("/pl/subscribe")
    assert page.locator("html").get_attribute("lang") == "pl"
    page.get_by_label(polish("Mobile phone number")).fill(PHONE_TYPED)
    page.locator("#addresses-0-street").fill("Mannerheimintie")
    page.locator("#addresses-0-number").fill("7 B")
    page.locator("#addresses-0-postcode").fill("00100")
    page.get_by_role("button", name=polish("Send me a code"), exact=True).click()
    page.wait_for_url(re.compile(r"/pl/subscribe/confirm"))

    send_queued(app)  # the console backend keeps the code for /dev/sms
    page.goto("/dev/sms")
    body = page.locator("td.sms-body").first.inner_text()
    code = re.search(r"\b(\d{6})\b", body)
    assert code, body
    page.go_back()
    page.get_by_label(polish("Code")).fill(code.group(1))
    page.locator("form button[type=submit]:not([name])").first.click()
    page.wait_for_url(re.compile(r"/pl/subscribe/done"))
    page.screenshot(path="/tmp/fairheat-pl-subscribed.png")

    db.session.expire_all()
    subscriber = db.session.scalar(sa.select(Subscriber).where(Subscriber.phone == PHONE))
    assert subscriber is not None and subscriber.verified_at is not None
    assert subscriber.language == "pl"
    assert [(a.street, a.number) for a in subscriber.addresses] == [("Mannerheimintie", 7)]

    create_outage(OutageInputSchema().load(outage_payload(publish=True)))
    notice = db.session.scalar(
        sa.select(OutboxMessage).where(
            OutboxMessage.subscriber_id == subscriber.id, OutboxMessage.outage_id.is_not(None)
        )
    )
    assert notice is not None
    assert notice.language == "pl"
    assert "/pl/o/" in notice.body  # the short link of an SMS
