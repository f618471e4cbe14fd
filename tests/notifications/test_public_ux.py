"""The resident's answers: now apart from planned, outside the network, never a dead end."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest

from notifications.schemas import OutageInputSchema
from notifications.services import create_outage, update_outage
from service.db import utcnow
from tests.support.factories import iso, outage_payload, planned_payload
from tests.support.forms import submit

POLYGON = {
    "type": "Polygon",
    "coordinates": [[[24.93, 60.16], [24.95, 60.16], [24.95, 60.18], [24.93, 60.16]]],
}


@pytest.fixture
def settings_env() -> dict[str, str]:
    return {
        "FAIRHEAT_SERVED_POSTCODES": "00100, 0012*",
        "FAIRHEAT_EMERGENCY_PHONE": "+358 9 555 0100",
    }


def publish(payload):
    return create_outage(OutageInputSchema().load({**payload, "publish": True}))


def lookup(client, lang: str = "en", **values):
    response = submit(client, f"/{lang}/", f"/{lang}/lookup", **values)
    return response, unescape(response.get_data(as_text=True))


def test_planned_outage_at_the_address_is_not_red_and_says_its_day(app, client):
    publish(planned_payload(days_ahead=4))
    response, html = lookup(client, postcode="00100", street="Mannerheimintie", number="5")
    assert response.status_code == 200
    assert "answer--yes" not in html
    assert "No interruption is known at Mannerheimintie 5, 00100 right now." in html
    assert 'class="answer answer--planned"' in html and 'class="planned-list"' in html


def test_active_outage_is_red_and_offers_restoration_notice_prefilled(app, client):
    publish(outage_payload())
    _, html = lookup(client, postcode="00100", street="Mannerheimintie", number="5")
    assert "answer--yes" in html
    assert "1 interruption affects Mannerheimintie 5, 00100 now." in html
    assert "/en/subscribe?postcode=00100&street=Mannerheimintie&number=5" in html
    assert "While the heat is off" in html
    subscribe = client.get("/en/subscribe?postcode=00100&street=Mannerheimintie&number=5")
    page = subscribe.get_data(as_text=True)
    assert 'value="Mannerheimintie"' in page and 'value="00100"' in page


def test_postcode_outside_the_network_is_told_so(app, client):
    publish(outage_payload())
    _, html = lookup(client, postcode="99999")
    assert "99999 is not in our district-heating network." in html
    assert "answer--no" not in html
    _, served = lookup(client, postcode="00120")
    assert "not in our district-heating network" not in served


def test_no_answer_gives_the_emergency_line_maintenance_company_and_report_link(app, client):
    _, html = lookup(client, postcode="00100", street="Mannerheimintie", number="6")
    assert "answer--no" in html
    assert 'href="tel:+3589555' in html
    assert "maintenance company" in html
    assert "/en/feedback?postcode=00100&street=Mannerheimintie&number=6" in html


@pytest.mark.parametrize(
    "path", ["/fi/", "/sv/archive", "/pl/feedback", "/en/subscribe", "/fi/nope"]
)
def test_every_public_page_shows_the_emergency_line_and_feedback_link(app, client, path):
    response = client.get(path)
    html = response.get_data(as_text=True)
    assert "+358 9 555 0100" in html
    assert "/feedback" in html


def test_server_error_page_keeps_the_public_layout(app, client):
    @app.get("/en/boom-test")
    def boom():  # pragma: no cover - raises
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/en/boom-test")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "+358 9 555 0100" in html and "/feedback" in html


def test_home_has_the_summary_line_updated_times_and_moved_estimate(app, client):
    outage = publish(outage_payload(polygon=POLYGON))
    publish(planned_payload())
    start = utcnow().replace(minute=0, second=0, microsecond=0)
    update_outage(outage.id, {"expected_end_at": start + dt.timedelta(hours=9)})
    html = unescape(client.get("/en/").get_data(as_text=True))
    assert "1 interruption now" in html and "1 planned" in html and "updated " in html
    assert "Updated " in html
    assert "The estimate moved from" in html
    assert 'id="outage-map"' in html and "leaflet.js" in html
    detail = unescape(client.get(f"/en/outages/{outage.id}").get_data(as_text=True))
    assert "The estimate moved from" in detail


def test_map_is_left_out_without_polygons(app, client):
    publish(outage_payload())
    html = client.get("/en/").get_data(as_text=True)
    assert 'id="outage-map"' not in html and "leaflet" not in html


def test_feedback_form_offers_the_known_outage_at_the_typed_address(app, client):
    outage = publish(outage_payload())
    page = client.get("/fi/feedback")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(
        "/fi/feedback",
        data={
            "csrf_token": token,
            "address": "Mannerheimintie 5, 00100 Helsinki",
            "check_address": "1",
            "type": "",
            "area": "",
            "description": "",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"/fi/outages/{outage.id}" in html
    assert "error-summary" not in html
    prefilled = client.get("/en/feedback?postcode=00100&street=Mannerheimintie&number=5")
    assert 'value="Mannerheimintie 5, 00100"' in prefilled.get_data(as_text=True)
    assert f"/en/outages/{outage.id}" in prefilled.get_data(as_text=True)


def test_form_errors_are_listed_linked_and_titled(app, client):
    page = client.get("/en/feedback")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/en/feedback", data={"csrf_token": token, "description": ""})
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "<title>Error: Feedback and complaints" in html
    assert 'href="#description"' in html and 'href="#area"' in html
    assert "maxlength=" not in html and 'data-max-chars="' in html


def test_lookup_times_show_planned_hours(app, client):
    start = (utcnow() + dt.timedelta(days=3)).replace(hour=6, minute=0, second=0, microsecond=0)
    publish(
        planned_payload(starts_at=iso(start), expected_end_at=iso(start + dt.timedelta(hours=8)))
    )
    _, html = lookup(client, postcode="00100", street="Mannerheimintie", number="3")
    assert "–" in html.split('class="planned-list"')[1].split("</ul>")[0]


def test_missing_contact_is_said_once_on_the_fieldset(app, client):
    page = client.get("/en/feedback")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(
        "/en/feedback",
        data={
            "csrf_token": token,
            "type": "complaint",
            "area": "heat_supply",
            "description": "Cold.",
            "email": "",
            "phone": "",
            "reply_channel": "email",
            "language": "en",
        },
    )
    html = unescape(response.get_data(as_text=True))
    message = "Give an e-mail address or a phone number so that we can answer you."
    assert response.status_code == 422
    assert html.count(message) == 2  # once in the summary, once on the fieldset
    assert html.count('aria-describedby="email-error"') == 2  # both fields point to it
