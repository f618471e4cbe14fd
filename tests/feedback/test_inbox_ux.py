"""The handler's inbox and case page: time left, excerpt, language and channel, the rule as a
legend, "assign to me", the interruptions at the customer's address, labels not raw values."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest

from feedback.intake import submit_case
from feedback.models import Case
from feedback.outage_context import parse_address
from feedback.queries import get_case
from feedback.references import reference, tracking_token
from feedback.schemas import CaseInputSchema
from notifications.schemas import OutageInputSchema
from notifications.services import create_outage
from service.db import utcnow
from service.extensions import db
from service.mail.models import EmailMessage
from tests.support.factories import case_payload, outage_payload
from tests.support.feedback import case_row


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def _case(received: dt.datetime | None = None, **changes) -> Case:
    receipt = submit_case(CaseInputSchema().load(case_payload(**changes)), received_at=received)
    return get_case(receipt.case_id)


def test_inbox_shows_time_left_excerpt_language_channel_and_a_rule_legend(client, login):
    login("customer_service")
    now = utcnow()
    overdue = _case(now - dt.timedelta(days=30), description="Patterit kylmiä " * 20)
    _case(now - dt.timedelta(hours=1), description="Kiitos nopeasta korjauksesta.", language="pl")
    html = unescape(client.get("/staff/cases/").get_data(as_text=True))
    assert "time-left--overdue" in html and " overdue</span>" in html
    assert "time-left--ok" in html and " left</span>" in html
    assert "Patterit kylmiä" in html and "…" in html  # an excerpt, marked as cut
    assert "polski · Web form" in html and "suomi · Web form" in html
    assert html.count("Deadlines follow these rules:") == 1
    assert reference(overdue) in html
    assert html.count("Assign to me") == 2


def test_assign_to_me_from_the_inbox(client, login):
    user = login("customer_service")
    case = _case()
    page = client.get("/staff/cases/").get_data(as_text=True)
    form = page.split(f'action="/staff/cases/{case.id}/assign"')[1].split("</form>")[0]
    data = dict(
        (part.split('name="')[1].split('"')[0], part.split('value="')[1].split('"')[0])
        for part in form.split("<input")[1:]
    )
    assert client.post(f"/staff/cases/{case.id}/assign", data=data).status_code == 302
    assert case_row(case.id).assignee_id == user.id


def test_case_page_shows_the_interruption_at_the_address_and_labels(client, login):
    login("customer_service")
    outage = create_outage(OutageInputSchema().load({**outage_payload(), "publish": True}))
    case = _case(address="Mannerheimintie 5 A 3, 00100 Helsinki")
    other = _case(address="Mannerheimintie 6, 00100 Helsinki")
    html = unescape(client.get(f"/staff/cases/{case.id}").get_data(as_text=True))
    assert f'href="/staff/outages/{outage.id}"' in html
    assert "Received" in html and "· Web form" in html  # the channel as a label, not "web"
    assert "· E-mail message" in html  # acknowledged by e-mail, not "email"
    nothing = unescape(client.get(f"/staff/cases/{other.id}").get_data(as_text=True))
    assert f'href="/staff/outages/{outage.id}"' not in nothing
    assert "No published interruption at Mannerheimintie 6, 00100 Helsinki" in nothing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mannerheimintie 5 B 12, 00100 Helsinki", ("00100", "Mannerheimintie", "5")),
        ("00100", ("00100", None, None)),
        ("Hämeentie 2, 00530", ("00530", "Hämeentie", "2")),
        ("no postcode here", None),
    ],
)
def test_address_parsing(app, text, expected):
    parsed = parse_address(text)
    assert (parsed and (parsed.postcode, parsed.street, parsed.number)) == expected


def test_tracking_page_shows_the_message_and_after_the_answer_where_to_turn(client, login):
    user = login("customer_service")
    case = _case(description="Ei lämpöä kolmeen päivään.")
    track = f"/fi/feedback/{reference(case)}/{tracking_token(case)}"
    public = client.application.test_client()
    before = unescape(public.get(track).get_data(as_text=True))
    assert "Ei lämpöä kolmeen päivään." in before
    assert "Kuluttajariitalautakunta" not in before
    client.post(f"/staff/cases/{case.id}/assign", data={"assignee_id": user.id, "version": 1})
    case = case_row(case.id)
    client.post(
        f"/staff/cases/{case.id}/answer",
        data={
            "text": "Korjattu.",
            "action": "Venttiili vaihdettu.",
            "outcome": "upheld",
            "version": case.version,
        },
    )
    after = unescape(public.get(track).get_data(as_text=True))
    assert "kuluttajariitalautakun" in after.lower()
    mail = (
        db.session.query(EmailMessage)
        .filter(EmailMessage.event_key.like(f"case:{case.id}:answer:%"))
        .one()
    )
    assert "kuluttajariitalautakun" in mail.body.lower()
