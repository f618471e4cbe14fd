"""End to end in Chromium: a dispatcher publishes an unplanned outage, residents find it by address.

The browser uses the real forms (CSRF on, no test client): staff sign-in, the outage form with its
live preview, the public address search in Polish and Finnish, and the notice page. Visible
strings are taken from the app's catalogs, and the non-English ones must differ from the English
msgid, so a missing translation fails here instead of showing English to a resident.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from flask_babel import force_locale, gettext

from tests.conftest import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Page
try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture then skips these tests (or fails them in CI)
    expect = None

pytestmark = pytest.mark.browser

DISPATCHER = "dispatcher@lampo.example"
POLISH_TEXT = "Beczkowóz z wodą stoi przed budynkiem przy Hämeentie 20."
# The affected range: even numbers 2–40 of Hämeentie, 00530 Helsinki.
AREA = {"postcode": "00530", "street": "Hämeentie", "from_number": "2", "to_number": "40"}
INSIDE, WRONG_PARITY = "12", "13"
SCREENSHOTS = {
    "staff": "/tmp/fairheat-staff-form.png",
    "staff-mobile": "/tmp/fairheat-staff-form-mobile.png",
    "pl": "/tmp/fairheat-pl-lookup.png",
    "pl-mobile": "/tmp/fairheat-pl-lookup-mobile.png",
}


def text(lang: str, message: str, **variables: Any) -> str:
    """The message as the app shows it in `lang`; outside English it must be translated."""
    with force_locale(lang):
        shown = gettext(message, **variables)
    if lang != "en":
        assert shown != message % variables, f"{message!r} has no {lang} translation"
    return shown


def local_input(app: Flask, delta: dt.timedelta) -> str:
    """Now + delta as staff type it into <input type=datetime-local>: the utility's wall clock."""
    zone = zoneinfo.ZoneInfo(app.config["FAIRHEAT"].timezone)
    return (dt.datetime.now(zone) + delta).strftime("%Y-%m-%dT%H:%M")


def answer_class(page: Page, answer: str) -> None:
    # The first answer box is "Now"; "Planned" follows it.
    expect(page.locator(".answer").first).to_have_class(re.compile(rf"\banswer--{answer}\b"))


def sign_in(page: Page) -> None:
    page.goto("/staff/login")
    page.locator("#email").fill(DISPATCHER)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name=text("en", "Sign in"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/staff/outages/$"))
    expect(page.locator("h1")).to_have_text(text("en", "Interruptions"))


def publish_unplanned(app: Flask, page: Page) -> int:
    """Fill in and save the 'New unplanned' form; return the new notice's number."""
    page.get_by_role("link", name=text("en", "New unplanned"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/staff/outages/new\?kind=unplanned$"))
    page.locator("#impact").select_option("heating")
    page.locator("#cause").select_option("leak")
    # An unplanned interruption starts now; the times are folded away until asked for.
    page.locator("details.times summary").click()
    page.locator("#starts_at").fill(local_input(app, -dt.timedelta(minutes=20)))
    page.locator("#expected_end_at").fill(local_input(app, dt.timedelta(hours=3)))
    for name, value in AREA.items():
        page.locator(f'input[name="areas-0-{name}"]').fill(value)
    page.locator('select[name="areas-0-parity"]').select_option("even")
    page.locator("details.texts summary").click()
    page.locator("#text-pl").fill(POLISH_TEXT)
    # The live preview (a POST with the form's CSRF token) shows the Polish text too.
    expect(page.locator("#preview")).to_contain_text(POLISH_TEXT)
    page.screenshot(path=SCREENSHOTS["staff"], full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=SCREENSHOTS["staff-mobile"], full_page=True)
    # "Add a row" and "Save as draft" are submit buttons too; "Publish" is the primary one.
    page.get_by_role("button", name=text("en", "Publish"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/staff/outages/\d+$"))
    outage_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("h1")).to_contain_text(text("en", "Notice %(num)d", num=outage_id))
    expect(page.locator(".flashes")).to_contain_text(text("en", "The notice was published."))
    return outage_id


def look_up(page: Page, lang: str, number: str) -> None:
    page.goto(f"/{lang}/")
    page.locator("#postcode").fill(AREA["postcode"])
    page.locator("#street").fill(AREA["street"])
    page.locator("#number").fill(number)
    page.get_by_role("button", name=text(lang, "Check my address"), exact=True).click()
    expect(page).to_have_url(re.compile(rf"/{lang}/lookup\?"))
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("h1")).to_have_text(text(lang, "Is my address affected?"))


def test_dispatcher_publishes_and_residents_find_it_in_polish_and_finnish(
    app: Flask, make_user: Any, page: Page, new_page: Any
) -> None:
    """The issue's whole story, through the pages a dispatcher and a resident really use.

    Also: a number of the wrong parity inside the range is not affected, and the Polish free
    text stays on the Polish page. Screenshots (desktop and 375 px) are for people to look at.
    """
    make_user("dispatcher", email=DISPATCHER)  # committed: the server thread sees the user
    sign_in(page)
    outage_id = publish_unplanned(app, page)

    # A resident: a fresh context without the staff cookie, in a browser set to English, so the
    # language comes from the /pl/ and /fi/ prefixes alone.
    resident = new_page()
    look_up(resident, "pl", INSIDE)
    answer_class(resident, "yes")
    resident.screenshot(path=SCREENSHOTS["pl"], full_page=True)
    link = resident.locator(f'.outage a[href="/pl/outages/{outage_id}"]')
    expect(link).to_have_count(1)
    link.click()
    expect(resident).to_have_url(re.compile(rf"/pl/outages/{outage_id}$"))
    expect(resident.locator(".free-text h2")).to_have_text(text("pl", "More information"))
    expect(resident.locator(".free-text")).to_contain_text(POLISH_TEXT)

    look_up(resident, "fi", INSIDE)
    answer_class(resident, "yes")
    resident.locator(f'.outage a[href="/fi/outages/{outage_id}"]').click()
    expect(resident).to_have_url(re.compile(rf"/fi/outages/{outage_id}$"))
    expect(resident.locator("html")).to_have_attribute("lang", "fi")
    title = text("fi", "Unplanned interruption: %(impact)s", impact=text("fi", "heating"))
    expect(resident.locator("h1")).to_have_text(title)
    expect(resident.get_by_text(POLISH_TEXT)).to_have_count(0)
    expect(resident.locator(".free-text")).to_have_count(0)

    # Odd number 13 is inside 2–40 but the outage covers even numbers only.
    look_up(resident, "fi", WRONG_PARITY)
    answer_class(resident, "no")
    expect(resident.locator(".outage")).to_have_count(0)

    phone = new_page(width=375, height=800)
    look_up(phone, "pl", INSIDE)
    answer_class(phone, "yes")
    phone.screenshot(path=SCREENSHOTS["pl-mobile"], full_page=True)


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(page: Page) -> None:
    """Keyboard users can jump past the header: the first Tab reaches 'Skip to content'."""
    page.goto("/en/")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text(text("en", "Skip to content"))
    expect(focused).to_have_attribute("href", "#main")
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
