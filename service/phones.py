"""Phone numbers: what people type, stored in E.164, shown back for reading.

We send SMS to Finnish, Swedish and Polish mobile numbers only; a customer who wants a call back
about a complaint may give a landline of those countries. A number without a country prefix is
read as one of the utility's country (FAIRHEAT_JURISDICTION).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import marshmallow as ma
import phonenumbers
from flask_babel import gettext as _

from service.errors import ValidationFailed
from service.settings import current_settings
from service.validation import TrimmedString

# Country calling codes of the numbers we send to (Åland, +358 18, is part of Finland).
ACCEPTED_COUNTRY_CODES = frozenset({358, 46, 48})
_MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


def mobile_number(text: str) -> str:
    """E.164 from what people type ("040 123 4567", "0046701234567"); ma.ValidationError else."""
    return phone_number(text, mobile_only=True)


def phone_number(text: str, *, mobile_only: bool) -> str:
    """E.164 of a valid FI/SE/PL number (a mobile one when `mobile_only`); ma.ValidationError."""
    region = current_settings().jurisdiction.country
    number = _read(text, region)
    if number is None:
        raise ma.ValidationError(
            _("Enter a phone number, e.g. %(example)s.", example=_example(region))
        )
    if number.country_code not in ACCEPTED_COUNTRY_CODES:
        if not mobile_only:
            raise ma.ValidationError(_("Enter a Finnish, Swedish or Polish phone number."))
        raise ma.ValidationError(_("Enter a Finnish, Swedish or Polish mobile number."))
    if not number.valid:
        raise ma.ValidationError(
            _(
                "This phone number is incomplete or not valid. Enter it e.g. as %(example)s.",
                example=_example(region),
            )
        )
    if mobile_only and not number.mobile:
        raise ma.ValidationError(_("This is not a mobile phone number."))
    return number.e164


@dataclass(frozen=True)
class _Reading:
    """What phonenumbers makes of a text: the checks above, without their messages."""

    country_code: int
    valid: bool
    mobile: bool
    e164: str


@functools.lru_cache(maxsize=64)
def _read(text: str, region: str) -> _Reading | None:
    """Parsing and validating a number costs a good part of a millisecond, and one request reads
    the same number several times (its form, its SMS channel, the outbox). Only the last few
    are kept (a small cache: these are people's numbers)."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    valid = phonenumbers.is_valid_number(number)
    return _Reading(
        country_code=number.country_code or 0,
        valid=valid,
        mobile=valid and phonenumbers.number_type(number) in _MOBILE_TYPES,
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
    )


@functools.cache
def _example(region: str) -> str:
    """A mobile number of the region as written there, for messages ("040 1234567")."""
    sample = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    return (
        phonenumbers.format_number(sample, phonenumbers.PhoneNumberFormat.NATIONAL)
        if sample
        else ""
    )


def parse_mobile_number(text: str) -> str:
    """A Finnish, Swedish or Polish mobile number in E.164; ValidationFailed ("phone") if not."""
    try:
        return mobile_number(text)
    except ma.ValidationError as error:
        raise ValidationFailed({"phone": error.messages}) from None


def display_phone(e164: str) -> str:
    """National format for a number of the utility's country ("040 1234567"), else international."""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    home = phonenumbers.country_code_for_region(current_settings().jurisdiction.country)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == home
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def any_number_e164(phone: str) -> str | None:
    """E.164 for an SMS sender's number, of any country or type, unchecked; None if unparsable."""
    try:
        number = phonenumbers.parse(phone, current_settings().jurisdiction.country)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class PhoneField(TrimmedString):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not text:
            raise ma.ValidationError(_("Enter your mobile phone number."))
        return mobile_number(text)
