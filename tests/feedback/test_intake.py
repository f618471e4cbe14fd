"""A resident sends feedback on the web: reference at once, deadline by rule, acknowledgement,
a private tracking link; bad input is refused in the resident's language and nothing is kept."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from feedback.labels import rule_source
from feedback.models import Case, CaseStatus, Channel
from feedback.references import reference, tracking_token
from notifications.sms.models import OutboxMessage
from service.calendar import add_calendar_days, add_working_days
from service.extensions import db
from service.mail.models import EmailMessage
from tests.support.forms import submit

FORM = {
    "type": "complaint",
    "area": "heat_supply",
    "description": "Kaloritfer är kalla sedan måndag.",
    "email": "boende@example.se",
    "reply_channel": "email",
    "language": "sv",
}


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _post(client, lang="fi", **changes):
    """The feedback form as the browser sends it; a change to None is a field left empty."""
    typed = {k: "" if v is None else v for k, v in {**FORM, **changes}.items()}
    return submit(client, f"/{lang}/feedback", f"/{lang}/feedback", **typed)


def test_form_shows_the_emergency_line_and_the_purpose(client, app):
    page = client.get("/pl/feedback").get_data(as_text=True)
    phone = app.config["FAIRHEAT"].feedback.emergency_phone
    assert phone in page
    assert "Brak ogrzewania?" in page or "ogrzewania" in page
    assert 'name="fh_leave_empty"' in page
    assert "RODO" in page or "6(1)" in page


def test_complaint_gets_a_reference_deadline_acknowledgement_and_tracking_link(client, app):
    response = _post(client, lang="sv")
    assert response.status_code == 302
    location = response.headers["Location"]
    match = re.fullmatch(r"/sv/feedback/(FH-\d{4}-\d{6})/([\w-]+)", location)
    assert match, location

    case = db.session.scalars(sa.select(Case)).one()
    assert reference(case) == match.group(1)
    assert tracking_token(case) == match.group(2)
    assert case.channel is Channel.WEB and case.status is CaseStatus.RECEIVED
    assert case.language == "sv"
    conf = app.config["FAIRHEAT"]
    expected = add_working_days(case.received_at, 7, "FI", conf.timezone)  # FI: Reilu
    assert case.deadline_at == expected
    assert "Reilu" in case.rule_source

    mail = db.session.scalars(sa.select(EmailMessage)).one()
    assert mail.to_address == "boende@example.se"
    assert reference(case) in mail.subject
    assert location in mail.body  # the tracking link, in full
    assert "Vi svarar senast" in mail.body or "senast" in mail.body
    assert case.acknowledged_at is not None

    page = client.get(location).get_data(as_text=True)
    assert reference(case) in page
    with force_locale("sv"):
        source = rule_source(case.rule_source)
    assert source != case.rule_source and "Reilu" in source
    assert source in page and source in mail.body  # every shown deadline names its source
    assert client.get(location).headers["Referrer-Policy"] == "no-referrer"


def test_mobile_number_gets_the_acknowledgement_by_sms_too(client):
    response = _post(client, phone="040 123 4567")
    assert response.status_code == 302
    sms = db.session.scalars(sa.select(OutboxMessage)).one()
    assert sms.phone == "+358401234567"
    assert "FH-" in sms.body and sms.kind.value == "case"
    assert _count(EmailMessage) == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": None}, "email", "Anna sähköpostiosoite tai puhelinnumero"),
        ({"email": "ei-osoite"}, "email", "Anna sähköpostiosoite"),
        ({"phone": "123"}, "phone", "puhelinnumero"),
        ({"description": "   "}, "description", "Kerro asiasta"),
        ({"description": "x" * 5001}, "description", "liian pitkä"),
        ({"type": "praise"}, "type", "Valitse jokin"),
        ({"reply_channel": "sms", "phone": "09 123 4567"}, "phone", "matkapuhelin"),
    ],
)
def test_bad_input_is_refused_in_finnish_and_nothing_is_kept(client, changes, field, message):
    response = _post(client, lang="fi", **changes)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert message in page
    assert _count(Case) == 0
    assert _count(EmailMessage) == 0
    assert _count(OutboxMessage) == 0


def test_honeypot_filled_by_a_bot_stores_nothing(client):
    response = _post(client, fh_leave_empty="http://spam.example")
    assert response.status_code == 422
    assert _count(Case) == 0


def test_wrong_or_partial_tracking_link_is_the_same_404(client):
    location = _post(client).headers["Location"]
    ref, token = location.rsplit("/", 2)[-2:]
    assert client.get(f"/fi/feedback/{ref}/{token[:-1]}x").status_code == 404
    assert client.get(f"/fi/feedback/FH-2020-{ref[-6:]}/{token}").status_code == 404
    assert client.get(f"/fi/feedback/XX-2026-000001/{token}").status_code == 404
    assert client.get(location).status_code == 200


def test_the_tracking_page_thanks_the_resident_until_the_case_is_taken_up(client):
    response = _post(client, lang="sv")
    assert response.status_code == 302
    # the confirmation is the case's state, not a flash message: the session stays as it was
    assert "Set-Cookie" not in response.headers
    location = response.headers["Location"]
    reference = location.rsplit("/", 2)[-2]
    page = client.get(location).get_data(as_text=True)
    assert "Tack! Vi har tagit emot ditt meddelande" in page and reference in page
    again = client.get(location).get_data(as_text=True)
    assert "Tack! Vi har tagit emot ditt meddelande" in again  # a reload or the e-mail's link too
    case = db.session.scalars(sa.select(Case)).one()
    case.status = CaseStatus.IN_PROGRESS  # a handler has taken it up
    db.session.commit()
    assert "Tack! Vi har tagit emot ditt meddelande" not in client.get(location).get_data(
        as_text=True
    )


class TestRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True}

    @pytest.fixture
    def settings_env(self):
        return {"FAIRHEAT_FEEDBACK_RATE_LIMIT": "2 per minute"}

    def test_third_message_in_a_minute_is_refused_in_polish(self, client):
        from service.extensions import limiter

        limiter.reset()
        assert _post(client, lang="pl").status_code == 302
        assert _post(client, lang="pl").status_code == 302
        third = _post(client, lang="pl")
        assert third.status_code == 429
        assert "Zbyt wiele" in third.get_data(as_text=True)
        assert 1 <= int(third.headers["Retry-After"]) <= 60  # the minute's window ends by then
        assert _count(Case) == 2


def test_staff_records_a_phone_complaint_with_the_real_time(client, login, app):
    login("dispatcher")
    received = "2026-11-20T03:12"  # local wall clock, as the form sends it
    response = submit(
        client,
        "/staff/cases/new",
        "/staff/cases/new",
        channel="phone",
        received_at=received,
        type="complaint",
        area="heat_supply",
        description="Soitto yöllä: ei lämpöä.",
        phone="040 765 4321",
        language="fi",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    case = db.session.scalars(sa.select(Case)).one()
    assert case.channel is Channel.PHONE
    assert case.track.value == "phone_complaint"
    assert case.received_at == dt.datetime(2026, 11, 20, 1, 12, tzinfo=dt.UTC)  # 03:12 EET
    assert case.recorded_by_id is not None


def test_staff_cannot_record_a_case_in_the_future(client, login):
    login("dispatcher")
    response = submit(
        client,
        "/staff/cases/new",
        "/staff/cases/new",
        channel="letter",
        received_at="2099-01-01T08:00",
        type="feedback",
        area="other",
        description="Kirje",
        email="a@example.fi",
    )
    assert response.status_code == 422
    assert _count(Case) == 0


def test_calendar_rule_helper_used_for_polish_defaults():
    received = dt.datetime(2026, 12, 18, 10, tzinfo=dt.UTC)
    # 14 calendar days from 18 Dec 2026 ends on 1 Jan 2027 (holiday) → 4 Jan 2027 (Monday)
    deadline = add_calendar_days(received, 14, "PL", "Europe/Warsaw")
    assert deadline.astimezone(dt.UTC).date() == dt.date(2027, 1, 4)
