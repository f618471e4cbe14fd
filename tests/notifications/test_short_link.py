"""The short notice link an SMS carries: /<lang>/o/<id> answers 301 to /<lang>/outages/<id>.

A public URL contract (decision 0012): residents keep old messages, so the route stays, answers
for published notices only, and is 404 like the page for anything else.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from notifications.schemas import OutageInputSchema
from notifications.services import create_outage
from notifications.sms.texts import SmsEvent, sms_text
from tests.support.factories import outage_payload

HUGE = "99999999999999999999"


def publish(**fields):
    return create_outage(OutageInputSchema().load({**outage_payload(), **fields}))


@pytest.mark.parametrize("lang", ["fi", "sv", "en", "pl"])
def test_the_link_in_an_sms_leads_to_the_notice_page_in_its_language(app, client, lang):
    outage = publish(publish=True)
    words = sms_text(outage, SmsEvent.PUBLISHED, lang).split()
    link = next(word for word in words if "://" in word)
    assert urlsplit(link).path == f"/{lang}/o/{outage.id}"
    response = client.get(urlsplit(link).path)
    assert response.status_code == 301
    assert response.headers["Location"] == f"/{lang}/outages/{outage.id}"
    assert response.headers["Cache-Control"] == "public, max-age=15"  # the proxy may keep it
    assert "Set-Cookie" not in response.headers
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and f'lang="{lang}"' in page.get_data(as_text=True)


def test_an_unknown_id_or_a_draft_is_404(app, client):
    draft = publish(publish=False)
    assert client.get(f"/pl/o/{draft.id}").status_code == 404
    assert client.get(f"/pl/o/{draft.id + 1000}").status_code == 404
    assert client.get("/pl/o/2147483647").status_code == 404  # the largest id: still an id


@pytest.mark.parametrize(
    "path", [f"/pl/o/{HUGE}", "/pl/o/2147483648", "/pl/o/" + "9" * 5000, "/pl/o/0", "/pl/o/x"]
)
def test_a_huge_or_malformed_id_is_404_at_the_edge(app, client, path):
    assert client.get(path).status_code == 404


def test_an_unknown_language_is_404(app, client):
    outage = publish(publish=True)
    assert client.get(f"/de/o/{outage.id}").status_code == 404
