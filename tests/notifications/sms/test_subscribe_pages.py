"""The public subscription pages end to end through the test client: subscribe, manage, erase."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from notifications.routes.subscribe import SIGNED_IN
from notifications.sms.models import MessageKind, OutboxMessage, Subscriber, VerificationCode
from service.extensions import db
from tests.support.forms import browser_form, submit

PHONE = "+358401234567"
# What the resident types into the subscription form; the browser adds every other field.
FILLED: dict[str, Any] = {
    "phone": "040 123 4567",
    "addresses-0-street": "Mannerheimintie",
    "addresses-0-number": "5",
    "addresses-0-postcode": "00100",
    "addresses-1-postcode": "00120",
    "language": "en",
    "wants_planned": True,
    "wants_unplanned": True,
}


def latest_code(phone: str = PHONE) -> str:
    """Read the code from the SMS in the outbox, as the subscriber reads it on their phone."""
    body = db.session.scalars(
        sa.select(OutboxMessage.body)
        .where(OutboxMessage.phone == phone, OutboxMessage.kind == MessageKind.CODE)
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert body, "no code was sent"
    return re.match(r"(\d{6}) ", body).group(1)


def form(client, path: str = "/en/subscribe", submitter: str | None = None, **overrides: Any):
    """The form on the page `path` as the browser sends it, filled in as FILLED and `overrides`
    say (None: a box left unchecked, or a field the form does not have)."""
    page = client.get(path)
    assert page.status_code == 200, html(page)
    return browser_form(html(page), path, submitter=submitter, **{**FILLED, **overrides})


def html(response) -> str:
    return response.get_data(as_text=True)


def subscriber(phone: str = PHONE) -> Subscriber | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Subscriber).where(Subscriber.phone == phone))


def subscribe(client, lang: str = "en", **overrides: Any) -> None:
    path = f"/{lang}/subscribe"
    response = client.post(path, data=form(client, path, language=lang, **overrides))
    assert response.status_code == 302, html(response)
    phone = db.session.scalars(sa.select(VerificationCode.phone)).all()[-1]
    response = submit(client, f"/{lang}/subscribe/confirm", code=latest_code(phone))
    assert response.headers["Location"] == f"/{lang}/subscribe/done"


def sign_in(client, lang: str = "en", phone: str = "040 123 4567") -> None:
    with client.session_transaction() as session:
        session.pop(SIGNED_IN, None)
    response = submit(client, f"/{lang}/subscription", f"/{lang}/subscription/sign-in", phone=phone)
    assert response.headers["Location"] == f"/{lang}/subscription/confirm"
    response = submit(client, f"/{lang}/subscription/confirm", code=latest_code())
    assert response.headers["Location"] == f"/{lang}/subscription"


def test_the_form_in_polish_defaults_to_polish_and_states_the_purpose(client):
    page = client.get("/pl/subscribe")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    text = html(page)
    assert '<html lang="pl">' in text
    assert '<option value="pl" lang="pl" selected>' in text
    assert 'name="csrf_token"' in text
    assert 'id="privacy-heading"' in text
    assert text.count('name="addresses-') == 9  # three rows of street, number, postcode
    assert 'for="addresses-0-street"' in text and 'autocomplete="one-time-code"' not in text


def test_add_a_row_without_javascript_keeps_what_was_typed(client):
    data = form(client, submitter="add_row", **{"addresses-2-postcode": "00130"})
    page = client.post("/en/subscribe", data=data)
    assert page.status_code == 200
    text = html(page)
    assert 'name="addresses-3-postcode"' in text and 'value="00130"' in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VerificationCode)) == 0


@pytest.mark.parametrize(
    "settings_env", [{"FAIRHEAT_JURISDICTION": "PL", "FAIRHEAT_DEFAULT_LANGUAGE": "pl"}]
)
def test_a_resident_subscribes_in_polish_with_the_code_from_the_outbox(client):
    response = client.post(
        "/pl/subscribe",
        data=form(
            client,
            "/pl/subscribe",
            phone="+48 601 234 567",
            language="pl",
            **{"addresses-0-street": "ul. Marszałkowska", "addresses-0-number": "10/2"},
            **{"addresses-0-postcode": "00-624", "addresses-1-postcode": ""},
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/pl/subscribe/confirm"

    confirm = client.get("/pl/subscribe/confirm")
    assert confirm.status_code == 200 and "601 234 567" in html(confirm)

    message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert message.language == "pl" and message.phone == "+48601234567"
    response = submit(client, "/pl/subscribe/confirm", code=latest_code("+48601234567"))
    assert response.headers["Location"] == "/pl/subscribe/done"
    assert client.get("/pl/subscribe/done").status_code == 200

    found = subscriber("+48601234567")
    assert found.language == "pl" and found.active and found.source == "web"
    assert [(a.street, a.number_text) for a in found.addresses] == [("ul. Marszałkowska", "10/2")]


def test_form_errors_are_shown_next_to_the_fields(client):
    page = client.post(
        "/en/subscribe",
        data=form(
            client,
            phone="09 123 4567",
            wants_planned=None,
            wants_unplanned=None,
            **{"addresses-1-postcode": "123", "addresses-2-number": "7"},
        ),
    )
    assert page.status_code == 422
    text = html(page)
    assert 'class="error-summary"' in text
    assert "This is not a mobile phone number." in text
    assert 'id="addresses-1-postcode-error"' in text
    assert 'id="addresses-2-street-error"' in text  # a number needs its street
    assert "Choose at least one kind of notice." in text
    assert 'value="09 123 4567"' in text  # what was typed stays


def test_wrong_codes_then_a_dead_code_then_a_new_code(client):
    client.post("/en/subscribe", data=form(client))
    right = latest_code()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    confirm = "/en/subscribe/confirm"
    page = submit(client, confirm, code=wrong)
    assert page.status_code == 422
    assert "The code is wrong. You can try 4 more times." in html(page)
    page = submit(client, confirm, code="12")
    assert "Enter the 6-digit code from the text message." in html(page)
    for _ in range(4):
        page = submit(client, confirm, code=wrong)
    assert "that was the last try" in html(page)
    page = submit(client, confirm, code=right)
    assert page.status_code == 409
    assert "Ask for a new code." in html(page)

    page = submit(client, confirm, submitter="resend", follow_redirects=True)
    assert "We sent you a new code." in html(page)
    new = latest_code()
    response = submit(client, confirm, code=new)
    assert response.headers["Location"] == "/en/subscribe/done"


def test_confirm_without_a_pending_code_goes_back_to_the_form(client):
    assert client.get("/en/subscribe/confirm").headers["Location"] == "/en/subscribe"


@pytest.mark.parametrize("settings_env", [{"FAIRHEAT_SMS_CODES_PER_PHONE_PER_HOUR": "1"}])
def test_the_code_limit_is_explained_on_the_form(client):
    client.post("/en/subscribe", data=form(client))
    page = client.post("/en/subscribe", data=form(client))
    assert page.status_code == 429
    assert "At most 1 code an hour can be sent to one phone number." in html(page)


def test_manage_change_and_erase(client):
    subscribe(client)
    submit(client, "/en/subscription", "/en/subscription/sign-out")
    assert 'name="phone"' in html(client.get("/en/subscription"))  # signed out: sign-in form

    sign_in(client)
    page = client.get("/en/subscription")
    text = html(page)
    assert "040 1234567" in text and 'value="Mannerheimintie"' in text

    response = client.post(
        "/en/subscription",
        data=form(
            client,
            "/en/subscription",
            phone=None,
            language="sv",
            wants_planned=None,
            **{"addresses-0-street": "", "addresses-0-number": "", "addresses-0-postcode": ""},
        ),
    )
    assert response.headers["Location"] == "/en/subscription"
    found = subscriber()
    assert found.language == "sv" and not found.wants_planned and found.wants_unplanned
    assert [a.postcode for a in found.addresses] == ["00120"]
    assert "Your changes have been saved." in html(client.get("/en/subscription"))

    bad = client.post(
        "/en/subscription",
        data=form(client, "/en/subscription", phone=None, wants_planned=None, wants_unplanned=None),
    )
    assert bad.status_code == 422 and "040 1234567" in html(bad)

    confirm = client.get("/en/subscription/delete")
    assert "Yes, delete everything" in html(confirm)
    response = submit(client, "/en/subscription/delete", "/en/subscription/delete")
    assert response.headers["Location"] == "/en/subscription/deleted"
    assert subscriber() is None
    assert {m.phone for m in db.session.scalars(sa.select(OutboxMessage))} == {"erased"}
    assert client.get("/en/subscription/delete").headers["Location"] == "/en/subscription"


def test_signing_in_with_an_unknown_number_looks_the_same(client):
    response = submit(client, "/en/subscription", "/en/subscription/sign-in", phone="040 765 4321")
    assert response.headers["Location"] == "/en/subscription/confirm"
    assert client.get("/en/subscription/confirm").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    page = submit(client, "/en/subscription/confirm", code="123456")
    assert page.status_code == 422


def test_sign_in_expires_after_30_minutes(client):
    subscribe(client)
    still_open = form(client, "/en/subscription", phone=None)  # the page, left open for a while
    with client.session_transaction() as session:
        session[SIGNED_IN] = {**session[SIGNED_IN], "until": session[SIGNED_IN]["until"] - 1801}
    assert 'action="/en/subscription/sign-in"' in html(client.get("/en/subscription"))
    response = client.post("/en/subscription", data=still_open)
    assert response.headers["Location"] == "/en/subscription"
    assert subscriber().language == "en"  # nothing changed


def test_unknown_language_is_404(client):
    assert client.get("/de/subscribe").status_code == 404


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_forms_need_the_csrf_token(client):
    assert client.post("/en/subscribe", data=form(client, csrf_token=None)).status_code == 400
    response = client.post("/en/subscribe", data=form(client))  # the page's own token
    assert response.status_code == 302


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
@pytest.mark.parametrize(
    "settings_env",
    [{"FAIRHEAT_TWILIO_AUTH_TOKEN": "secret", "FAIRHEAT_PUBLIC_BASE_URL": "https://lampo.example"}],
)
def test_the_inbound_webhook_needs_no_csrf_token(client):
    from twilio.request_validator import RequestValidator

    data = {"From": PHONE, "Body": "HELP"}
    url = "https://lampo.example/twilio/sms/inbound"
    signature = RequestValidator("secret").compute_signature(url, data)
    response = client.post(
        "/twilio/sms/inbound", data=data, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 200
