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
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from service.errors import ValidationFailed


def install_localized_messages() -> None:
    """Replace marshmallow's English defaults. A field copies them when it is created, and the
    fields of a schema are created when its module is imported, so this runs when this module is
    imported (below), before any schema module built on it declares a field; create_app() calls
    it again, which changes nothing."""
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
    """A string with surrounding whitespace removed; blank becomes None where None is allowed.

    The blank becomes None before marshmallow's pipeline, which returns an allowed None without
    running the validators. (marshmallow runs them on whatever _deserialize returns, so a None
    made there reached max_length() as len(None): the 500 of a postcode-only address search.)
    """

    def deserialize(
        self,
        value: Any,
        attr: str | None = None,
        data: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        if self.allow_none and _is_blank(value):
            value = None
        return super().deserialize(value, attr, data, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        return super()._deserialize(value, attr, data, **kwargs).strip()


class PostcodeField(TrimmedString):
    """A postcode in the jurisdiction's format, returned in its canonical spelling (the form
    outages, subscriptions, calls and applications store and compare)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        from service.settings import current_settings

        text = super()._deserialize(value, attr, data, **kwargs)
        jurisdiction = current_settings().jurisdiction
        canonical = jurisdiction.normalize_postcode(text)
        if canonical is None:
            raise ma.ValidationError(
                _(
                    "Enter a postcode in the form %(example)s.",
                    example=jurisdiction.postcode_example,
                )
            )
        return canonical


def _is_blank(value: Any) -> bool:
    return isinstance(value, str) and not value.strip()


class BaseSchema(ma.Schema):
    """The base of every input schema: unknown fields are refused, and a blank is no value.

    Browsers submit every field of a form, the empty ones as "" (a GET form puts `street=` in the
    query string), and clients built on forms do the same. A blank string (empty or whitespace)
    in a declared field therefore means "not given": it loads as None where the field accepts
    None (so a partial update clears it), and otherwise as if the key were absent, so the field's
    default applies or, when it is required, its localized "required" message. No validator sees
    a blank or that None (marshmallow skips the validators of a None it allows). A blank in an
    undeclared field is kept, so it is still refused as unknown.
    """

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def blank_is_not_given(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        fields_by_key = {f.data_key or name: f for name, f in self.load_fields.items()}
        loaded: dict[str, Any] = {}
        for key in data:  # data[key], not items(): webargs' MultiDictProxy gives lists for lists
            value = data[key]
            field = fields_by_key.get(key)
            if field is None or not _is_blank(value):
                loaded[key] = value
            elif field.allow_none:
                loaded[key] = None
        return loaded


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


install_localized_messages()
