"""Input and output of the customer register: the API's rows (the CSV's columns), the staff
and manager forms for a contact, and the dumped delivery point."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from notifications.customers.models import Priority, Role
from notifications.customers.rows import has_control_characters
from service.validation import BaseSchema, TrimmedString


class CustomerRowSchema(BaseSchema):
    """One row as in the CSV; check_row (rows.py) validates it, for the API and the import."""

    customer_number = TrimmedString(required=True, metadata={"example": "1001"})
    name = TrimmedString(required=True, metadata={"example": "As Oy Kalevankatu 5"})
    postcode = TrimmedString(required=True, metadata={"example": "00100"})
    street = TrimmedString(required=True, metadata={"example": "Kalevankatu"})
    house_number = TrimmedString(required=True, metadata={"example": "5 B"})
    email = TrimmedString(load_default=None, metadata={"example": "isannoitsija@example.fi"})
    phone = TrimmedString(load_default=None, metadata={"example": "040 123 4567"})
    language = TrimmedString(load_default=None, metadata={"example": "fi"})
    role = TrimmedString(load_default=None, metadata={"example": "manager"})
    priority = TrimmedString(load_default=None, metadata={"example": "care_home"})
    dwellings = fields.Raw(load_default=None, metadata={"example": 24})


class BulkUpsertSchema(BaseSchema):
    rows = fields.List(
        fields.Nested(CustomerRowSchema), required=True, validate=validate.Length(max=10_000)
    )
    prune = fields.Boolean(load_default=False)


def _printable(value: str) -> None:
    if has_control_characters(value):
        raise ma.ValidationError(_l("This value is not valid."))


class CustomerQuerySchema(BaseSchema):
    q = TrimmedString(
        load_default=None,
        validate=[validate.Length(max=254), _printable],
        metadata={"description": "customer number, name, street or e-mail"},
    )
    postcode = TrimmedString(load_default=None, validate=[validate.Length(max=12), _printable])
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000))


class ContactSchema(ma.Schema):
    id = fields.Integer()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    language = fields.String()
    role = fields.Enum(Role, by_value=True)
    by_email = fields.Boolean()
    by_sms = fields.Boolean()


class DeliveryPointSchema(ma.Schema):
    id = fields.Integer()
    customer_number = fields.String()
    name = fields.String()
    postcode = fields.String()
    street = fields.String()
    house_number = fields.String(attribute="number_text")
    priority = fields.Enum(Priority, by_value=True)
    dwellings = fields.Integer()
    contacts = fields.List(fields.Nested(ContactSchema))


class UpsertResultSchema(ma.Schema):
    added = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    removed = fields.Integer()


class ContactFormSchema(BaseSchema):
    """A contact as staff edit it (and, channel and language only, as a manager does)."""

    email = TrimmedString(load_default=None)
    phone = TrimmedString(load_default=None)
    language = TrimmedString(load_default=None)
    role = TrimmedString(load_default=None)
    by_email = fields.Boolean(load_default=False)
    by_sms = fields.Boolean(load_default=False)


class PointFormSchema(BaseSchema):
    name = TrimmedString(required=True, validate=[validate.Length(max=200), _printable])
    priority = fields.Enum(Priority, by_value=True, required=True)
    dwellings = fields.Integer(required=True, validate=validate.Range(min=0, max=100_000))
