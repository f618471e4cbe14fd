"""A field left empty is "not given": browsers send every field of a form, the empty ones as "".

Every input schema of notifications/ and notifications/sms/ loads a blank field as absent (or
None where None is allowed), a required one left blank gets its localized "required" message,
and every public form submitted empty is re-rendered with messages in the page's language.
"""

from __future__ import annotations

import contextlib
import inspect
from html import unescape
from typing import Any

import marshmallow as ma
import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

import notifications.schemas
import notifications.sms.schemas
from notifications.sms.models import MessageKind, OutboxMessage
from service.extensions import db
from service.validation import BaseSchema
from tests.support.forms import submit

SCHEMAS = [
    cls
    for module in (notifications.schemas, notifications.sms.schemas)
    for cls in vars(module).values()
    if inspect.isclass(cls) and issubclass(cls, BaseSchema) and cls.__module__ == module.__name__
]
BLANKS = ["", "   "]


def every_field(schema: ma.Schema, value: Any) -> dict[str, Any]:
    return {field.data_key or name: value for name, field in schema.load_fields.items()}


def messages_of(error: ma.ValidationError) -> dict[str, list[str]]:
    """Each field's messages as plain strings (a custom message may come as one lazy string)."""
    return {
        key: [str(m) for m in value] if isinstance(value, list) else [str(value)]
        for key, value in error.normalized_messages().items()
    }


def test_every_input_schema_is_checked():
    names = {cls.__name__ for cls in SCHEMAS}
    assert {"LookupQuerySchema", "OutageInputSchema", "AddressSchema"} <= names


def outcome(schema: ma.Schema, data: dict[str, Any]) -> tuple[str, Any]:
    try:
        return "loaded", schema.load(data)
    except ma.ValidationError as error:
        return "refused", messages_of(error)


@pytest.mark.parametrize("partial", [False, True])
@pytest.mark.parametrize("blank", BLANKS)
@pytest.mark.parametrize("schema_class", SCHEMAS, ids=lambda cls: cls.__name__)
def test_blank_fields_load_as_not_given(app, schema_class, blank, partial):
    """All fields blank = none given, except None where a field takes None (it clears it)."""
    schema = schema_class(partial=partial)
    nones = {f.data_key or name: None for name, f in schema.load_fields.items() if f.allow_none}
    assert outcome(schema, every_field(schema, blank)) == outcome(schema, nones)


@pytest.mark.parametrize("blank", BLANKS)
@pytest.mark.parametrize("schema_class", SCHEMAS, ids=lambda cls: cls.__name__)
def test_required_fields_left_blank_ask_for_a_value(app, schema_class, blank):
    schema = schema_class()
    required = {name: f for name, f in schema.load_fields.items() if f.required}
    try:
        schema.load(every_field(schema, blank))
    except ma.ValidationError as error:
        messages = messages_of(error)
    else:
        messages = {}
    field_errors = {k: v for k, v in messages.items() if k in schema.load_fields}
    assert field_errors == {
        name: [str(field.error_messages["required"])] for name, field in required.items()
    }


@pytest.mark.parametrize("schema_class", SCHEMAS, ids=lambda cls: cls.__name__)
def test_null_fields_are_refused_or_accepted_never_a_crash(app, schema_class):
    schema = schema_class()
    with contextlib.suppress(ma.ValidationError):
        schema.load(every_field(schema, None))


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
