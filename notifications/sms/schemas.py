"""Input of the web subscription pages: addresses, preferences and the phone number.

One address is a whole postcode area, a whole street or one building. Two entries naming the
same place (same postcode, street and house number, however spaced or cased) count once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import marshmallow as ma
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from marshmallow import fields

from notifications.areas import house_number, street_key
from notifications.schemas import PostcodeField
from service.phones import PhoneField
from service.settings import current_settings
from service.validation import BaseSchema, TrimmedString, max_length


def address_key(address: Mapping[str, Any]) -> tuple[str, str | None, str | None]:
    """Postcode, street key and house number (no spaces, upper case): equal for the same place."""
    number = address.get("number")
    plain_number = re.sub(r"\s", "", number).upper() if number else None
    return address.get("postcode", ""), street_key(address.get("street")), plain_number


def unique_addresses(addresses: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The addresses without repeats (by `address_key`), first one kept, in the given order."""
    seen: dict[tuple[str, str | None, str | None], dict[str, Any]] = {}
    for address in addresses:
        seen.setdefault(address_key(address), dict(address))
    return list(seen.values())


class AddressSchema(BaseSchema):
    """A whole postcode area (no street), a whole street, or one building."""

    postcode = PostcodeField(
        required=True,
        error_messages={"required": _l("Enter the postcode."), "null": _l("Enter the postcode.")},
    )
    street = TrimmedString(load_default=None, allow_none=True, validate=max_length(200))
    number = TrimmedString(load_default=None, allow_none=True, validate=max_length(20))

    @ma.validates_schema(skip_on_field_errors=False)
    def check_number(self, data: dict[str, Any], **kwargs: Any) -> None:
        number = data.get("number")
        if number is None:
            return
        if house_number(number) is None:
            raise ma.ValidationError(_l("Enter a house number, e.g. 12 or 12 B."), "number")
        if not data.get("street"):
            raise ma.ValidationError(_l("Give the street this house number is on."), "street")


class PreferencesSchema(BaseSchema):
    addresses = fields.List(fields.Nested(AddressSchema), required=True)
    language = TrimmedString(
        required=True, error_messages={"required": _l("Choose a language from the list.")}
    )
    wants_planned = fields.Boolean(required=True)
    wants_unplanned = fields.Boolean(required=True)

    @ma.validates("language")
    def check_language(self, value: str, **kwargs: Any) -> None:
        if value not in current_settings().languages:
            raise ma.ValidationError(_("Choose a language from the list."))

    @ma.validates("addresses")
    def check_addresses(self, value: list[Any], **kwargs: Any) -> None:
        limit = current_settings().sms.max_addresses
        if not value:
            raise ma.ValidationError(_("Add at least one address or postcode."))
        if len(unique_addresses(value)) > limit:
            raise ma.ValidationError(
                ngettext(
                    "You can follow at most %(num)d address.",
                    "You can follow at most %(num)d addresses.",
                    limit,
                )
            )

    @ma.validates_schema(skip_on_field_errors=False)
    def check_kinds(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get("wants_planned") and not data.get("wants_unplanned"):
            raise ma.ValidationError(_("Choose at least one kind of notice."), "kinds")


class SubscriptionSchema(PreferencesSchema):
    phone = PhoneField(
        required=True, error_messages={"required": _l("Enter your mobile phone number.")}
    )
