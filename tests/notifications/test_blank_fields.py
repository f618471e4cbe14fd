"""A field left empty is "not given": browsers send every field of a form, the empty ones as "".

Every public form of notifications submitted empty is re-rendered with messages in the page's
language (the schemas themselves: tests/service/test_blank_fields.py).
"""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from notifications.sms.models import MessageKind, OutboxMessage
from service.extensions import db
from tests.support.forms import submit

# ---- the public forms, sent empty -------------------------------------------------------------


def localized(lang: str, message: str, **variables: Any) -> str:
    with force_locale(lang):
        text = gettext(message, **variables)
    assert text != message % variables, f"{message!r} is not translated to {lang}"
    return text


def page_text(response) -> str:
    return unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("lang", ["fi", "pl"])
def test_empty_lookup_form_asks_for_the_postcode(client, lang):
    response = submit(client, f"/{lang}/", f"/{lang}/lookup")
    assert response.request.query_string == b"postcode=&street=&number="
    assert response.status_code == 422
    page = page_text(response)
    assert f'<html lang="{lang}">' in page
    assert 'id="postcode-error"' in page
    assert localized(lang, "This field is required.") in page


@pytest.mark.parametrize("lang", ["fi", "pl"])
def test_empty_subscription_form_is_re_rendered_with_localized_messages(client, lang):
    path = f"/{lang}/subscribe"
    response = submit(client, path, path, wants_planned=False, wants_unplanned=False)
    assert response.status_code == 422
    page = page_text(response)
    assert f'<html lang="{lang}">' in page
    for message in (
        "Enter your mobile phone number.",
        "Add at least one address or postcode.",
        "Choose at least one kind of notice.",
    ):
        assert localized(lang, message) in page
    assert 'id="phone-error"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


@pytest.mark.parametrize("lang", ["fi", "pl"])
def test_empty_sign_in_form_asks_for_the_phone_number(client, lang):
    response = submit(client, f"/{lang}/subscription", f"/{lang}/subscription/sign-in")
    assert response.status_code == 422
    page = page_text(response)
    assert f'<html lang="{lang}">' in page
    assert 'id="phone-error"' in page


def subscribe(client, lang: str) -> None:
    path = f"/{lang}/subscribe"
    response = submit(
        client,
        path,
        path,
        phone="040 123 4567",
        **{"addresses-0-postcode": "00100"},
    )
    assert response.status_code == 302, page_text(response)


def latest_code() -> str:
    body = db.session.scalars(
        sa.select(OutboxMessage.body)
        .where(OutboxMessage.kind == MessageKind.CODE)
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert body
    return body[:6]


@pytest.mark.parametrize("lang", ["fi", "pl"])
def test_empty_code_form_asks_for_the_code(client, lang):
    subscribe(client, lang)
    response = submit(client, f"/{lang}/subscribe/confirm")
    assert response.status_code == 422
    page = page_text(response)
    assert 'id="code-error"' in page
    assert localized(lang, "Enter the %(num)d-digit code from the text message.", num=6) in page


@pytest.mark.parametrize("lang", ["fi", "pl"])
def test_emptied_manage_form_is_re_rendered_with_localized_messages(client, lang):
    subscribe(client, lang)
    assert submit(client, f"/{lang}/subscribe/confirm", code=latest_code()).status_code == 302
    path = f"/{lang}/subscription"
    emptied = {f"addresses-{i}-{f}": "" for i in range(3) for f in ("street", "number", "postcode")}
    response = submit(client, path, path, wants_planned=False, wants_unplanned=False, **emptied)
    assert response.status_code == 422
    page = page_text(response)
    assert localized(lang, "Add at least one address or postcode.") in page
    assert localized(lang, "Choose at least one kind of notice.") in page
