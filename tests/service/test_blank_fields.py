"""A field left empty is "not given": browsers send every field of a form, the empty ones as "".

Every input schema of every domain (service.validation.BaseSchema) loads a blank field as absent
(or None where None is allowed), and a required one left blank gets its localized "required"
message. Each domain's tests submit its own pages empty (test_blank_fields.py there).
"""

from __future__ import annotations

import contextlib
import inspect
from typing import Any

import marshmallow as ma
import pytest

import feedback.connection_requests.schemas
import feedback.emergency.schemas
import feedback.schemas
import notifications.customers.schemas
import notifications.schemas
import notifications.sms.schemas
from service.validation import BaseSchema

SCHEMA_MODULES = (
    notifications.schemas,
    notifications.customers.schemas,
    notifications.sms.schemas,
    feedback.schemas,
    feedback.emergency.schemas,
    feedback.connection_requests.schemas,
)
SCHEMAS = [
    cls
    for module in SCHEMA_MODULES
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
