"""Localized input validation shared by the HTML forms and the JSON API.

marshmallow's built-in messages are English; install_localized_messages() swaps them for lazy
gettext strings, so every error a resident or dispatcher sees is in their language. One schema
serves both the form and the API (STYLE.md 3): load_or_fail() turns marshmallow's errors into
ValidationFailed, which service/errors.py maps to a 422 or a re-rendered form.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from service.errors import ValidationFailed


def install_localized_messages() -> None:
    fields.Field.default_error_messages = {
        "required": _l("This field is required."),
        "null": _l("This field may not be empty."),
        "validator_failed": _l("This value is not valid."),
    }
    fields.String.default_error_messages = {
        "invalid": _l("Enter text."),
        "invalid_utf8": _l("Enter text."),
    }
    fields.Number.default_error_messages = {
        "invalid": _l("Enter a number."),
        "too_large": _l("This number is too large."),
    }
    fields.Integer.default_error_messages = {"invalid": _l("Enter a whole number.")}
    fields.Boolean.default_error_messages = {"invalid": _l("Enter true or false.")}
    fields.List.default_error_messages = {"invalid": _l("Enter a list.")}
    fields.Dict.default_error_messages = {"invalid": _l("Enter an object.")}
    fields.Mapping.default_error_messages = {"invalid": _l("Enter an object.")}
    fields.Nested.default_error_messages = {"type": _l("Enter an object.")}
    fields.DateTime.default_error_messages = {
        "invalid": _l("Enter a date and time in ISO 8601 format, e.g. 2026-11-23T08:00:00+02:00."),
        "invalid_awareness": _l(
            "Give the time with its UTC offset, e.g. 2026-11-23T08:00:00+02:00."
        ),
        "format": _l("This time cannot be shown."),
    }
    ma.Schema._default_error_messages = {
        "type": _l("The data must be an object."),
        "unknown": _l("Unknown field."),
    }


def max_length(limit: int) -> validate.Length:
    return validate.Length(max=limit, error=_l("Use at most %(num)d characters.", num=limit))


def not_blank(limit: int) -> validate.Length:
    return validate.Length(
        min=1, max=limit, error=_l("Enter between 1 and %(num)d characters.", num=limit)
    )


def number_range(low: int, high: int) -> validate.Range:
    return validate.Range(
        min=low, max=high, error=_l("Enter a number from %(low)d to %(high)d.", low=low, high=high)
    )


class ChoiceField(fields.Enum):
    """An enum by value, whose error lists the allowed values."""

    def __init__(self, enum_cls: type[enum.Enum], **kwargs: Any) -> None:
        choices = ", ".join(str(m.value) for m in enum_cls)
        messages = {"unknown": _l("Choose one of: %(choices)s.", choices=choices)}
        messages.update(kwargs.pop("error_messages", None) or {})
        super().__init__(enum_cls, by_value=True, error_messages=messages, **kwargs)


class TrimmedString(fields.String):
    """A string with surrounding whitespace removed; blank becomes None (when allowed)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        text = text.strip() if text is not None else text
        if text == "" and self.allow_none:
            return None
        return text


class BaseSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE


def small_id(raw: Any) -> int | None:
    """A positive whole number as typed in a URL or form (at most 9 ASCII digits), else None:
    '²' and 20-digit numbers are not ids."""
    text = raw.strip() if isinstance(raw, str) else ""
    return int(text) if re.fullmatch(r"[0-9]{1,9}", text) and int(text) > 0 else None


def load_or_fail(schema: ma.Schema, data: Mapping[str, Any] | Any, **kwargs: Any) -> Any:
    try:
        return schema.load(data, **kwargs)
    except ma.ValidationError as error:
        raise ValidationFailed(error.normalized_messages()) from None
