"""Phone numbers: what people type, stored in E.164, shown back for reading.

We send SMS to Finnish, Swedish and Polish mobile numbers only; a customer who wants a call back
about a complaint may give a landline of those countries. A number without a country prefix is
read as one of the utility's country (FAIRHEAT_JURISDICTION).
"""

from __future__ import annotations

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
    sample = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    example = (
        phonenumbers.format_number(sample, phonenumbers.PhoneNumberFormat.NATIONAL)
        if sample
        else ""
    )
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ma.ValidationError(
            _("Enter a phone number, e.g. %(example)s.", example=example)
        ) from None
    if number.country_code not in ACCEPTED_COUNTRY_CODES:
        if not mobile_only:
            raise ma.ValidationError(_("Enter a Finnish, Swedish or Polish phone number."))
        raise ma.ValidationError(_("Enter a Finnish, Swedish or Polish mobile number."))
    if not phonenumbers.is_valid_number(number):
        raise ma.ValidationError(
            _(
                "This phone number is incomplete or not valid. Enter it e.g. as %(example)s.",
                example=example,
            )
        )
    if mobile_only and phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise ma.ValidationError(_("This is not a mobile phone number."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


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
