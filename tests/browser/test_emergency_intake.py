"""End to end in Chromium: a dispatcher logs an emergency call with the keyboard only, sees the
active outage at the caller's address while typing it, and links the call to it."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from feedback.emergency.models import EmergencyCall
from notifications import create_outage
from notifications.schemas import OutageInputSchema
from service.auth import create_user
from service.extensions import db
from tests.conftest import PASSWORD
from tests.support.factories import outage_payload

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture then skips these tests (or fails them in CI)
    expect = None

pytestmark = pytest.mark.browser

DISPATCHER = "dispatcher@lampo.example"


def test_dispatcher_logs_a_call_by_keyboard_and_links_it_to_the_outage(app: Flask, page: Any):
    create_user(DISPATCHER, "dispatcher", PASSWORD, "Dispatcher")
    outage = create_outage(OutageInputSchema().load(outage_payload(publish=True)))
    outage_id = outage.id
    db.session.commit()

    page.goto("/staff/login")
    page.locator("#email").fill(DISPATCHER)
    page.locator("#password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/outages/")

    page.goto("/staff/emergency/new")
    expect(page.locator("#caller_phone")).to_be_focused()  # autofocus: type at once
    keyboard = page.keyboard
    keyboard.type("040 123 4567")
    keyboard.press("Tab")
    expect(page.locator("#problem")).to_be_focused()
    keyboard.press("ArrowDown")  # the first kind: no heating
    expect(page.locator("#problem")).to_have_value("no_heating")
    keyboard.press("Tab")
    expect(page.locator("#postcode")).to_be_focused()
    keyboard.type("00100")
    keyboard.press("Tab")
    keyboard.type("Mannerheimintie")
    keyboard.press("Tab")
    expect(page.locator("#house_number")).to_be_focused()
    keyboard.type("5")

    hint = page.locator("#address-hints .outage-hint")
    expect(hint).to_contain_text("Mannerheimintie")
    button = hint.get_by_role("button")
    expect(button).to_have_text("Link this call")
    keyboard.press("Tab")  # the outage's link
    keyboard.press("Tab")  # "Link this call"
    expect(button).to_be_focused()
    keyboard.press("Enter")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#outage_id")).to_have_value(str(outage_id))

    keyboard.press("Shift+Tab")
    keyboard.press("Shift+Tab")
    expect(page.locator("#house_number")).to_be_focused()
    keyboard.press("Enter")  # one submit
    page.wait_for_url(re.compile(r"/staff/emergency/\d+$"))
    expect(page.locator("body")).to_contain_text(f"Interruption {outage_id}")

    db.session.expire_all()
    [call] = db.session.scalars(sa.select(EmergencyCall)).all()
    assert call.outage_id == outage_id
    assert call.caller_phone == "+358401234567" and call.house_number == "5"
