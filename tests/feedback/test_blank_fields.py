"""A field left empty is "not given": browsers send every field of a form, the empty ones as "".

Every input schema of feedback/ loads a blank field as absent (or None where None is allowed), a
required one left blank gets its localized "required" message, and the public feedback forms
submitted empty are re-rendered with messages in the page's language; nothing is stored.
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

import feedback.schemas
from feedback.answering import answer_case
from feedback.models import Case, Outcome
from service.extensions import db
from service.validation import BaseSchema
from tests.support.feedback import case_row
from tests.support.forms import submit

SCHEMAS = [
    cls
    for cls in vars(feedback.schemas).values()
    if inspect.isclass(cls)
    and issubclass(cls, BaseSchema)
    and cls.__module__ == feedback.schemas.__name__
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
    assert {"CaseInputSchema", "StaffCaseInputSchema", "SurveySchema", "NoteSchema"} <= names


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


def test_optional_blank_survey_comment_is_none(app):
    assert feedback.schemas.SurveySchema().load({"score": "4", "comment": ""}) == {
        "score": 4,
        "comment": None,
    }


# ---- the public forms, sent empty -------------------------------------------------------------


def localized(lang: str, message: str) -> str:
    with force_locale(lang):
        text = gettext(message)
    assert text != message, f"{message!r} is not translated to {lang}"
    return text


def page_text(response) -> str:
    return unescape(response.get_data(as_text=True))


def cases() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Case))


@pytest.mark.parametrize("lang", ["fi", "pl"])
def test_empty_feedback_form_is_re_rendered_with_localized_messages(client, lang):
    response = submit(client, f"/{lang}/feedback", f"/{lang}/feedback")
    assert response.status_code == 422
    page = page_text(response)
    assert f'<html lang="{lang}">' in page
    for field, message in (
        ("type", "Choose what kind of message this is."),
        ("area", "Choose what the matter is about."),
        ("description", "Describe the matter."),
    ):
        assert f'id="{field}-error"' in page
        assert localized(lang, message) in page
    assert cases() == 0


@pytest.mark.parametrize("lang", ["fi", "pl"])
def test_empty_reply_and_survey_on_the_tracking_page_are_refused_in_its_language(
    client, make_user, lang
):
    sent = submit(
        client,
        f"/{lang}/feedback",
        f"/{lang}/feedback",
        type="complaint",
        area="heat_supply",
        description="Patterit ovat kylmiä.",
        email="asukas@example.fi",
    )
    assert sent.status_code == 302, page_text(sent)
    tracking = sent.headers["Location"]

    reply = submit(client, tracking, f"{tracking}/reply")
    assert reply.status_code == 422
    page = page_text(reply)
    assert 'id="text-error"' in page
    assert localized(lang, "This field is required.") in page

    case = db.session.scalars(sa.select(Case)).one()
    staff = make_user("customer_service")
    answer = {"text": "Venttiili vaihdettu.", "action": "valve replaced", "outcome": Outcome.UPHELD}
    answer_case(case.id, answer, staff.id, case.version)
    survey = submit(client, tracking, f"{tracking}/survey")
    assert survey.status_code == 422
    assert localized(lang, "Choose a rating from 1 to 5.") in page_text(survey)
    assert case_row(case.id).surveyed_at is None
