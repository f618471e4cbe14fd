"""Public pages: languages, lists, address search, details, archive, caching."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from flask_babel import force_locale, gettext

from notifications.schemas import OutageInputSchema
from notifications.services import create_outage, restore_outage
from service.db import utcnow
from tests.support.factories import iso, outage_payload, planned_payload
from tests.support.forms import submit

PART_OF_AREA = "Part of this area is affected. Enter your street and house number to be sure."


def publish(payload):
    return create_outage(OutageInputSchema().load({**payload, "publish": True}))


def test_root_redirects_by_accept_language_then_cookie(client):
    assert (
        client.get("/", headers={"Accept-Language": "pl-PL,pl;q=0.9"}).headers["Location"] == "/pl/"
    )
    assert client.get("/", headers={"Accept-Language": "de"}).headers["Location"] == "/fi/"
    client.get("/language/sv?next=/sv/")
    assert client.get("/", headers={"Accept-Language": "pl"}).headers["Location"] == "/sv/"


def test_unknown_language_prefix_is_404_in_a_language_we_speak(client):
    response = client.get("/de/", headers={"Accept-Language": "pl"})
    assert response.status_code == 404
    assert 'lang="pl"' in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["fi", "sv", "en", "pl"])
def test_index_lists_current_and_upcoming_in_each_language(app, client, lang):
    publish(outage_payload())
    publish(planned_payload())
    page = client.get(f"/{lang}/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert "Mannerheimintie 1–15" in html
    assert 'id="current-heading"' in html and 'id="upcoming-heading"' in html


def lookup(client, lang: str = "en", **values):
    """The address search as a resident sends it: the form on the front page, filled in."""
    return submit(client, f"/{lang}/", f"/{lang}/lookup", **values)


def test_lookup_answers_yes_partly_and_no(app, client):
    outage = publish(outage_payload())
    yes = lookup(client, postcode="00100", street="Mannerheimintie", number="5")
    assert yes.status_code == 200
    assert f"/en/outages/{outage.id}" in yes.get_data(as_text=True)
    assert "answer--yes" in yes.get_data(as_text=True)
    partly = lookup(client, postcode="00100")
    assert "answer--maybe" in partly.get_data(as_text=True)
    no = lookup(client, postcode="00100", street="Mannerheimintie", number="6")
    assert "answer--no" in no.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["fi", "sv", "en", "pl"])
def test_postcode_only_lookup_answers_in_each_language(client, token_for, lang):
    """What the form's hint asks for: the postcode alone (street and number sent empty)."""
    published = client.post(
        "/api/v1/outages", json=outage_payload(publish=True), headers=token_for("dispatcher")
    )
    assert published.status_code == 201
    response = lookup(client, lang, postcode="00100")
    assert response.request.query_string == b"postcode=00100&street=&number="
    assert response.status_code == 200
    page = unescape(response.get_data(as_text=True))
    assert f'<html lang="{lang}">' in page
    assert "answer--maybe" in page
    with force_locale(lang):
        answer = gettext(PART_OF_AREA)
    assert answer in page
    assert lang == "en" or answer != PART_OF_AREA


def test_postcode_only_lookup_without_outages_says_no(client):
    response = lookup(client, "pl", postcode="00100")
    assert response.status_code == 200
    assert "answer--no" in response.get_data(as_text=True)


def test_lookup_with_a_bad_postcode_re_renders_the_form_with_the_error(client):
    response = lookup(client, postcode="12", street="x")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html
    assert "00100" in html  # the example of the right format


def test_detail_page_shows_the_update_history(app, client):
    outage = publish(outage_payload())
    restore_outage(outage.id)
    html = client.get(f"/en/outages/{outage.id}").get_data(as_text=True)
    assert "Update 1" in html and "Update 2" in html
    assert "locating the fault" in html  # the text shown at the first update
    assert "supply is back to normal" in html


def test_archive_lists_past_outages(app, client):
    outage = publish(
        outage_payload(starts_at=iso(utcnow() - dt.timedelta(days=3)), expected_end_at=None)
    )
    restore_outage(outage.id, utcnow() - dt.timedelta(days=2))
    assert f"/en/outages/{outage.id}" in client.get("/en/archive").get_data(as_text=True)
    assert f"/en/outages/{outage.id}" not in client.get("/en/").get_data(as_text=True)


def test_public_pages_are_cacheable_and_revalidate(app, client):
    publish(outage_payload())
    first = client.get("/fi/")
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    assert "Set-Cookie" not in first.headers
    etag = first.headers["ETag"]
    again = client.get("/fi/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    publish(planned_payload())
    changed = client.get("/fi/", headers={"If-None-Match": etag})
    assert changed.status_code == 200


def test_free_text_shows_only_in_its_own_language(app, client):
    outage = publish(outage_payload(texts={"fi": "Vesipiste Kalevankatu 3:n pihalla."}))
    fi = client.get(f"/fi/outages/{outage.id}").get_data(as_text=True)
    pl = client.get(f"/pl/outages/{outage.id}").get_data(as_text=True)
    assert "Vesipiste" in fi
    assert "Vesipiste" not in pl


def test_pages_work_without_javascript_and_have_labels(app, client):
    html = client.get("/en/").get_data(as_text=True)
    for field in ("postcode", "street", "number"):
        assert f'<label for="{field}">' in html
    assert '<form method="get"' in html
    # Scripts only enhance: static files, deferred, never inline (the CSP allows no inline script).
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert all(
        'src="/static/' in attrs and "defer" in attrs and not body for attrs, body in scripts
    )


def test_page_state_moves_when_a_planned_outage_starts(app):
    from notifications.queries import public_state

    outage = publish(planned_payload(days_ahead=3))
    before = public_state(outage.starts_at - dt.timedelta(minutes=1))
    after = public_state(outage.starts_at + dt.timedelta(minutes=1))
    assert before != after  # the cached pages are re-rendered: it is now a current interruption


def test_cached_page_follows_every_change(app, client):
    outage = publish(outage_payload())
    first = client.get(f"/en/outages/{outage.id}").get_data(as_text=True)
    assert "supply is back to normal" not in first
    restore_outage(outage.id)
    second = client.get(f"/en/outages/{outage.id}").get_data(as_text=True)
    assert "supply is back to normal" in second


def test_language_switcher_leads_to_the_same_page_in_the_other_language(app, client):
    outage = publish(outage_payload())
    html = client.get(f"/fi/outages/{outage.id}").get_data(as_text=True)
    assert f"/language/pl?next=/pl/outages/{outage.id}" in html
    switched = client.get(f"/language/pl?next=/pl/outages/{outage.id}")
    assert switched.headers["Location"] == f"/pl/outages/{outage.id}"
