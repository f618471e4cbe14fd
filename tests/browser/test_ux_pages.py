"""The site in Chromium at a phone's 390 px and a desktop's 1280 px, in four languages.

Every public page (the error page too) and the main staff pages: nothing scrolls sideways
(scroll width ≤ viewport) and axe-core (shipped by axe-playwright-python, pinned in the lock)
finds no violations. Then the flows the review timed: the error summary takes focus and the
title says "Error:", a postcode-only address search, the dispatcher's publish path by keyboard
within 15 Tab stops, and a cancel that asks for a reason first.

One browser for the session; the sweep reuses one page per width and language, and runs on
SQLite only (layout does not depend on the database); the flows run on both databases.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from flask_babel import force_locale, gettext

from feedback.intake import submit_case
from feedback.references import reference, tracking_token
from feedback.schemas import CaseInputSchema
from notifications.schemas import OutageInputSchema
from notifications.services import create_outage
from service.extensions import db
from tests.conftest import PASSWORD
from tests.support.factories import case_payload, outage_payload, planned_payload

if TYPE_CHECKING:
    from playwright.sync_api import Page
try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture then skips these tests (or fails them in CI)
    expect = None

pytestmark = pytest.mark.browser

LANGUAGES = ("fi", "sv", "en", "pl")
WIDTHS = (390, 1280)
MAX_TAB_STOPS = 15
AXE_DESKTOP_LANGUAGES = ("fi",)
POLYGON = {
    "type": "Polygon",
    "coordinates": [[[24.93, 60.16], [24.95, 60.16], [24.95, 60.18], [24.93, 60.16]]],
}


@pytest.fixture
def settings_env() -> dict[str, str]:
    return {"FAIRHEAT_SERVED_POSTCODES": "00100,00530,001*"}


def text(lang: str, message: str, **variables: Any) -> str:
    with force_locale(lang):
        return gettext(message, **variables)


def seed(make_user: Any) -> dict[str, Any]:
    """Notices now and planned, a case with a tracking link, and the staff who sign in."""
    make_user("dispatcher", email="dispatcher@ux.example")
    make_user("customer_service", email="service@ux.example")
    now = create_outage(
        OutageInputSchema().load({**outage_payload(polygon=POLYGON), "publish": True})
    )
    create_outage(OutageInputSchema().load({**planned_payload(), "publish": True}))
    receipt = submit_case(
        CaseInputSchema().load(
            case_payload(address="Mannerheimintie 5, 00100 Helsinki", description="Kylmä. " * 40)
        )
    )
    db.session.commit()
    from feedback.queries import get_case

    case = get_case(receipt.case_id)
    return {
        "outage": now.id,
        "case": case.id,
        "track": f"feedback/{reference(case)}/{tracking_token(case)}",
    }


def public_paths(lang: str, data: dict[str, Any]) -> list[str]:
    return [
        f"/{lang}/",
        f"/{lang}/lookup?postcode=00100&street=Mannerheimintie&number=5",
        f"/{lang}/lookup?postcode=00100&street=Mannerheimintie&number=6",
        f"/{lang}/lookup?postcode=99999&street=&number=",
        f"/{lang}/outages/{data['outage']}",
        f"/{lang}/archive",
        f"/{lang}/feedback",
        f"/{lang}/{data['track']}",
        f"/{lang}/subscribe",
        f"/{lang}/outages/999999",  # the error page
    ]


def staff_paths(data: dict[str, Any]) -> list[str]:
    return [
        "/staff/outages/",
        "/staff/outages/new?kind=unplanned",
        f"/staff/outages/{data['outage']}",
        f"/staff/outages/{data['outage']}/cancel",
        "/staff/cases/",
        f"/staff/cases/{data['case']}",
    ]


def problems(page: Page, axe: Any, path: str, width: int, *, run_axe: bool) -> list[str]:
    """What is wrong with the page at `path`: sideways scrolling, axe violations."""
    page.goto(path)
    found = []
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > width:
        found.append(f"{path} @ {width}px: scroll width {scroll}")
    if not run_axe:
        return found
    results = axe.run(page)
    for violation in results.response["violations"]:
        targets = [n["target"] for n in violation["nodes"]][:3]
        found.append(f"{path} @ {width}px: axe {violation['id']} {targets}")
    return found


def sign_in(page: Page, email: str) -> None:
    page.goto("/staff/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_url(re.compile(r"/staff/(outages|cases)/$"))


def test_every_page_fits_a_phone_and_passes_axe_in_four_languages(
    app: Flask, database_url: str, make_user: Any, new_page: Any
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("layout does not depend on the database: the sweep runs on SQLite")
    from axe_playwright_python.sync_playwright import Axe

    data = seed(make_user)
    axe = Axe()
    found: list[str] = []
    checked = 0
    for width in WIDTHS:
        staff = new_page(width=width, height=900)
        sign_in(staff, "dispatcher@ux.example")
        for lang in LANGUAGES:
            # axe in every language on a phone (long words break layouts there first), and on a
            # desktop in Finnish, the longest-worded; the overflow check runs everywhere.
            run_axe = width == WIDTHS[0] or lang in AXE_DESKTOP_LANGUAGES
            page = new_page(width=width, height=900)
            for path in public_paths(lang, data):
                found += problems(page, axe, path, width, run_axe=run_axe)
                checked += 1
            staff.goto(f"/language/{lang}?next=/staff/outages/")
            for path in staff_paths(data):
                found += problems(staff, axe, path, width, run_axe=run_axe)
                checked += 1
            page.context.close()
    assert checked == len(WIDTHS) * len(LANGUAGES) * 16
    assert found == [], "\n".join(found)


def test_radios_sit_beside_their_labels_with_big_targets_and_focus_is_visible(
    app: Flask, new_page: Any
) -> None:
    page = new_page(width=390, height=800)
    page.goto("/fi/feedback")
    radio = page.locator('input[type="radio"]').first
    label = page.locator(f'label[for="{radio.get_attribute("id")}"]')
    box, label_box = radio.bounding_box(), label.bounding_box()
    assert box is not None and label_box is not None
    assert box["width"] >= 24 and box["height"] >= 24
    assert label_box["x"] > box["x"] + box["width"] - 1  # beside it, not under it
    assert abs((label_box["y"] + label_box["height"] / 2) - (box["y"] + box["height"] / 2)) < 16
    page.locator("#address").focus()
    ring = page.evaluate(
        "getComputedStyle(document.querySelector('#address')).boxShadow"
        " + ' | ' + getComputedStyle(document.querySelector('#address')).outlineColor"
    )
    # A dark inner ring (#1b1b1b, 17:1 on white) under the yellow outline.
    assert "rgb(27, 27, 27)" in ring and "rgb(255, 191, 71)" in ring


def test_error_summary_lists_the_errors_and_takes_focus(app: Flask, new_page: Any) -> None:
    page = new_page(locale="fi-FI", width=390, height=800)
    page.goto("/fi/feedback")
    page.get_by_role("button", name=text("fi", "Send"), exact=True).click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    assert page.title().startswith(text("fi", "Error:"))
    assert summary.locator('a[href="#description"]').count() == 1
    summary.locator('a[href="#description"]').click()
    expect(page.locator("#description")).to_be_focused()
    page.locator("#description").fill("x" * 6000)
    expect(page.locator("#description-counter")).to_have_class(re.compile("counter--over"))
    assert len(page.locator("#description").input_value()) == 6000  # nothing cut silently


def test_postcode_only_lookup_from_the_home_form(app: Flask, make_user: Any, new_page: Any) -> None:
    seed(make_user)
    page = new_page(width=390, height=800)
    page.goto("/sv/")
    page.locator("#postcode").fill("00100")
    page.get_by_role("button", name=text("sv", "Check my address"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/sv/lookup\?postcode=00100&street=&number="))
    expect(page.locator(".answer").first).to_have_class(re.compile(r"answer--(maybe|yes)"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_dispatcher_publishes_by_keyboard_within_15_tab_stops(
    app: Flask, make_user: Any, new_page: Any
) -> None:
    make_user("dispatcher", email="dispatcher@ux.example")
    db.session.commit()
    page = new_page(width=1280, height=900)
    sign_in(page, "dispatcher@ux.example")
    page.goto("/staff/outages/new?kind=unplanned")
    keyboard = page.keyboard
    expect(page.locator("#cause")).to_be_focused()  # autofocus: choose the cause at once
    page.locator("#cause").select_option("leak")  # as ArrowDown would, without a popup
    stops = 0
    while page.evaluate("document.activeElement.id") != "publish-button":
        keyboard.press("Tab")
        stops += 1
        assert stops <= MAX_TAB_STOPS, f"Publish is more than {MAX_TAB_STOPS} Tab stops away"
        focused = page.evaluate("document.activeElement.id")
        if focused == "areas-0-postcode":
            keyboard.type("00530")
        elif focused == "areas-0-street":
            keyboard.type("Hämeentie")
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/staff/outages/\d+$"))
    expect(page.locator(".flashes")).to_contain_text(text("en", "The notice was published."))


def test_cancel_asks_for_a_reason_before_it_happens(
    app: Flask, make_user: Any, new_page: Any
) -> None:
    data = seed(make_user)
    page = new_page(width=390, height=800)
    sign_in(page, "dispatcher@ux.example")
    page.goto(f"/staff/outages/{data['outage']}")
    page.locator(".danger-zone a.button").click()
    expect(page).to_have_url(re.compile(rf"/staff/outages/{data['outage']}/cancel$"))
    page.locator("#reason").evaluate("el => el.removeAttribute('required')")  # as without JS
    page.locator(".danger-zone button.danger").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#reason-error")).to_be_visible()
    page.locator("#reason").fill("Posted in error")
    page.locator(".danger-zone button.danger").click()
    expect(page).to_have_url(re.compile(rf"/staff/outages/{data['outage']}$"))
    expect(page.locator(".badge")).to_have_text(text("en", "Cancelled"))
