"""One row of the customer register as the customer system sends it (CSV line or API object),
checked and put into canonical form; a bad row raises RowRejected with a localized reason.

The CSV import and the JSON API read the same columns through `check_row`, so a row the API
refuses is refused by the import for the same reason, in the same words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import marshmallow as ma
from flask_babel import gettext as _

from config.mail_settings import is_email_address
from notifications.areas import house_number, street_key
from notifications.customers.models import Priority, Role
from service.phones import mobile_number
from service.settings import current_settings

COLUMNS = (
    "customer_number",
    "name",
    "postcode",
    "street",
    "house_number",
    "email",
    "phone",
    "language",
    "role",
    "priority",
    "dwellings",
)
REQUIRED_COLUMNS = ("customer_number", "name", "postcode", "street", "house_number")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(text: str) -> bool:
    """NUL and other control characters (tab and line breaks aside): never in a register."""
    return _CONTROL.search(text) is not None


class RowRejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PointRow:
    customer_number: str
    name: str
    postcode: str
    street: str
    street_key: str
    number: int | None
    number_text: str
    priority: Priority
    dwellings: int


@dataclass(frozen=True)
class ContactRow:
    contact_key: str
    email: str | None
    phone: str | None
    language: str
    role: Role


def _text(record: Mapping[str, object], column: str, limit: int) -> str | None:
    value = record.get(column)
    if value is None:
        return None
    text = str(value).strip()
    if has_control_characters(text):
        raise RowRejected(_("%(column)s contains a control character.", column=column))
    if len(text) > limit:
        raise RowRejected(
            _("%(column)s is longer than %(limit)d characters.", column=column, limit=limit)
        )
    return text or None


def _required(record: Mapping[str, object], column: str, limit: int) -> str:
    text = _text(record, column, limit)
    if text is None:
        raise RowRejected(_("%(column)s is empty.", column=column))
    return text


def check_email(record: Mapping[str, object]) -> str | None:
    raw = record.get("email")
    if raw is not None and ("\r" in str(raw) or "\n" in str(raw)):
        # A line break in an address would let a file add mail headers: refused, not cleaned.
        raise RowRejected(_("email contains a line break."))
    email = _text(record, "email", 254)
    if email is None:
        return None
    if not is_email_address(email):
        raise RowRejected(_("email %(value)s is not an e-mail address.", value=email))
    return email


def check_phone(record: Mapping[str, object]) -> str | None:
    phone = _text(record, "phone", 40)
    if phone is None:
        return None
    try:
        return mobile_number(phone)
    except ma.ValidationError as error:
        message = error.messages[0] if isinstance(error.messages, list) else str(error.messages)
        raise RowRejected(_("phone %(value)s: %(reason)s", value=phone, reason=message)) from None


def _choice(record: Mapping[str, object], column: str, choices: list[str], default: str) -> str:
    text = _text(record, column, 40)
    if text is None:
        return default
    value = text.lower().replace(" ", "_").replace("-", "_")
    if value not in choices:
        raise RowRejected(
            _(
                "%(column)s must be one of %(choices)s, not %(value)s.",
                column=column,
                choices=", ".join(choices),
                value=text,
            )
        )
    return value


def check_row(record: Mapping[str, object]) -> tuple[PointRow, ContactRow | None]:
    """The delivery point and its contact (None when the row gives neither e-mail nor phone)."""
    conf = current_settings()
    customer_number = _required(record, "customer_number", 40)
    name = _required(record, "name", 200)
    raw_postcode = _required(record, "postcode", 12)
    postcode = conf.jurisdiction.normalize_postcode(raw_postcode)
    if postcode is None:
        raise RowRejected(_("postcode %(value)s is not a postcode.", value=raw_postcode))
    street = _required(record, "street", 200)
    number_text = _required(record, "house_number", 20)
    dwellings_text = _text(record, "dwellings", 9)
    if dwellings_text is None:
        dwellings = 1
    elif dwellings_text.isdigit():
        dwellings = int(dwellings_text)
    else:
        raise RowRejected(_("dwellings %(value)s is not a whole number.", value=dwellings_text))
    priority = _choice(record, "priority", [p.value for p in Priority], Priority.NONE.value)
    point = PointRow(
        customer_number=customer_number,
        name=name,
        postcode=postcode,
        street=street,
        street_key=street_key(street) or street.casefold(),
        number=house_number(number_text),
        number_text=number_text,
        priority=Priority(priority),
        dwellings=dwellings,
    )
    email, phone = check_email(record), check_phone(record)
    language = _choice(record, "language", list(conf.languages), conf.default_language)
    role = _choice(record, "role", [r.value for r in Role], Role.MANAGER.value)
    if email is None and phone is None:
        return point, None
    key = email.lower() if email is not None else str(phone)
    return point, ContactRow(key, email, phone, language, Role(role))
