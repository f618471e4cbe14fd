"""Input of a connection request (public form, staff form for paper, JSON) and of staff steps.

One schema validates every way an application comes in; its fields follow the jurisdiction
(PL: PESEL/NIP/REGON/KRS and the plot number; FI: the Y-tunnus). Blank fields mean "not
given" (service.validation.BaseSchema); every message is localized and names its field.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import marshmallow as ma
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import fields
from stdnum.exceptions import ValidationError as StdnumError

from feedback.connection_requests import identifiers
from feedback.connection_requests.models import (
    ApplicantKind,
    BuildingPurpose,
    LegalTitle,
    LetterKind,
    RefusalCategory,
)
from feedback.schemas import EmailField, LanguageField, PhoneNumberField
from service.db import utcnow
from service.i18n import to_local
from service.settings import current_settings
from service.validation import (
    BaseSchema,
    ChoiceField,
    PostcodeField,
    TrimmedString,
    max_length,
    not_blank,
)

TEXT_MAX = 5000
MAX_KW = 50_000  # one building: 50 MW is already a large industrial site
MAX_AREA = 1_000_000
MAX_MWH = 500_000
_MAX_RECEIVED_AGE = dt.timedelta(days=366)
_CLOCK_SKEW = dt.timedelta(minutes=5)


class DecimalNumber(fields.Float):
    """A number in JSON and forms ("number" in OpenAPI), loaded as a Decimal of `places`
    decimals for the NUMERIC columns (a float never reaches the database)."""

    def __init__(self, places: int = 1, **kwargs: Any) -> None:
        self.places = Decimal(1).scaleb(-places)
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        number = super()._deserialize(value, attr, data, **kwargs)
        if abs(number) >= 1e12:  # beyond any limit here, and beyond what quantize can hold
            raise self.make_error("too_large")
        return Decimal(repr(number)).quantize(self.places)


class IdentifierField(TrimmedString):
    """PESEL, NIP, REGON, KRS or Y-tunnus, checked with its checksum, stored compact."""

    def __init__(self, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(load_default=None, allow_none=True, validate=max_length(20), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return identifiers.checked(self.kind, text)
        except StdnumError:
            raise ma.ValidationError(str(identifiers.MESSAGES[self.kind])) from None


def kilowatts(**kwargs: Any) -> DecimalNumber:
    return DecimalNumber(
        places=1,
        validate=ma.validate.Range(
            min=0, max=MAX_KW, error=_l("Enter a capacity from 0 to 50,000 kW.")
        ),
        **kwargs,
    )


def required(message: str) -> dict[str, Any]:
    return {"required": True, "error_messages": {"required": message}}


class ApplicationSchema(BaseSchema):
    """What an applicant sends (the public form and the JSON API)."""

    applicant_kind = ChoiceField(ApplicantKind, **required(_l("Choose who is applying.")))
    applicant_name = TrimmedString(
        validate=not_blank(200), **required(_l("Enter the applicant's name."))
    )
    pesel = IdentifierField("pesel")
    nip = IdentifierField("nip")
    regon = IdentifierField("regon")
    krs = IdentifierField("krs")
    business_id = IdentifierField("business_id")
    email = EmailField(load_default=None, allow_none=True, validate=max_length(254))
    phone = PhoneNumberField(load_default=None, allow_none=True)
    postal_address = TrimmedString(load_default=None, allow_none=True, validate=max_length(300))
    signatory = TrimmedString(load_default=None, allow_none=True, validate=max_length(200))
    proxy_name = TrimmedString(load_default=None, allow_none=True, validate=max_length(200))
    language = LanguageField(load_default=None, allow_none=True)

    postcode = PostcodeField(**required(_l("Enter the postcode of the building.")))
    street = TrimmedString(validate=not_blank(200), **required(_l("Enter the street.")))
    house_number = TrimmedString(
        validate=not_blank(20), **required(_l("Enter the building number."))
    )
    city = TrimmedString(validate=not_blank(120), **required(_l("Enter the town or city.")))
    plot_number = TrimmedString(load_default=None, allow_none=True, validate=max_length(60))
    legal_title = ChoiceField(
        LegalTitle, **required(_l("Choose your legal title to the building."))
    )

    purpose = ChoiceField(BuildingPurpose, **required(_l("Choose what the building is for.")))
    new_building = fields.Boolean(
        truthy={"1", "true", "yes", "new", True},
        falsy={"0", "false", "no", "existing", False},
        **required(_l("Choose whether the building is new or existing.")),
    )
    heated_area_m2 = DecimalNumber(
        places=1,
        validate=ma.validate.Range(
            min=1, max=MAX_AREA, error=_l("Enter an area from 1 to 1,000,000 m².")
        ),
        **required(_l("Enter the heated area in m².")),
    )
    cubature_m3 = DecimalNumber(
        places=1,
        load_default=None,
        allow_none=True,
        validate=ma.validate.Range(
            min=1,
            max=MAX_AREA * 10,
            error=_l("Enter a cubature from 1 to 10,000,000 m³."),
        ),
    )
    heating_kw = kilowatts(load_default=Decimal(0))
    hot_water_kw = kilowatts(load_default=Decimal(0))
    ventilation_kw = kilowatts(load_default=Decimal(0))
    process_kw = kilowatts(load_default=Decimal(0))
    off_season_kw = kilowatts(load_default=None, allow_none=True)
    annual_mwh = DecimalNumber(
        places=1,
        load_default=None,
        allow_none=True,
        validate=ma.validate.Range(
            min=0, max=MAX_MWH, error=_l("Enter an annual demand from 0 to 500,000 MWh.")
        ),
    )
    desired_start = fields.Date(
        error_messages={
            "required": _l("Enter the date you would like heat supply to start."),
            "invalid": _l("Enter a date, e.g. 2027-10-01."),
        },
        required=True,
    )
    supply_temperature_c = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=ma.validate.Range(
            min=30, max=150, error=_l("Enter a temperature from 30 to 150 °C.")
        ),
    )
    return_temperature_c = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=ma.validate.Range(
            min=15, max=100, error=_l("Enter a temperature from 15 to 100 °C.")
        ),
    )

    @ma.validates("desired_start")
    def check_start(self, value: dt.date, **kwargs: Any) -> None:
        if value < to_local(utcnow()).date():
            raise ma.ValidationError(_("The desired start of supply cannot be in the past."))

    @ma.post_load
    def check_application(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if self.partial:
            return data  # the rules across fields need every field
        errors = application_errors(data)
        if errors:
            raise ma.ValidationError(errors)  # type: ignore[arg-type]
        return data


def application_errors(data: dict[str, Any]) -> dict[str, list[str]]:
    """Rules across fields: contact, identifiers, plot number, signatory, a capacity ordered."""
    errors: dict[str, list[str]] = {}
    code = current_settings().jurisdiction.code
    if not (data.get("email") or data.get("phone")):
        message = _("Give an e-mail address or a phone number so that we can reach you.")
        errors["email"] = [message]
        errors["phone"] = [message]
    kind = data["applicant_kind"]
    for name in identifiers.required_identifiers(code, kind):
        if not data.get(name):
            errors[name] = [_("This identifier is required for this kind of applicant.")]
    for name in ("pesel", "nip", "regon", "krs", "business_id"):
        if data.get(name) and name not in identifiers.fields_for(code):
            errors[name] = [_("This identifier is not used here.")]
    if code == "PL" and not data.get("plot_number"):
        errors["plot_number"] = [_("Enter the plot number (numer działki ewidencyjnej).")]
    if kind is not ApplicantKind.PERSON and not data.get("signatory"):
        errors["signatory"] = [_("Name the person who signs for the applicant.")]
    total = sum(
        data.get(name) or Decimal(0)
        for name in ("heating_kw", "hot_water_kw", "ventilation_kw", "process_kw")
    )
    if total <= 0:
        errors["heating_kw"] = [_("Order some capacity: the total cannot be zero.")]
    elif total > MAX_KW:
        errors["heating_kw"] = [_("The total capacity is more than 50,000 kW.")]
    supply, back = data.get("supply_temperature_c"), data.get("return_temperature_c")
    if supply is not None and back is not None and back >= supply:
        errors["return_temperature_c"] = [
            _("The return temperature must be lower than the supply temperature.")
        ]
    return errors


class PaperApplicationSchema(ApplicationSchema):
    """A request received on paper, registered by staff with its real date received."""

    received_at = fields.AwareDateTime(required=True, default_timezone=dt.UTC)
    desired_start = fields.Date(required=True)  # a paper form may name a date now past

    @ma.validates("received_at")
    def check_received(self, value: dt.datetime, **kwargs: Any) -> None:
        now = utcnow()
        if value > now + _CLOCK_SKEW:
            raise ma.ValidationError(_("The time received cannot be in the future."))
        if value < now - _MAX_RECEIVED_AGE:
            raise ma.ValidationError(_("The time received is more than a year ago."))

    @ma.validates("desired_start")
    def check_start(self, value: dt.date, **kwargs: Any) -> None:
        """Not checked: the date was chosen when the letter was written."""


class MissingItemSchema(BaseSchema):
    description = TrimmedString(
        validate=not_blank(TEXT_MAX), **required(_l("Say what is missing."))
    )
    document_kind = TrimmedString(load_default=None, allow_none=True, validate=max_length(30))
    due_days = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=ma.validate.Range(min=1, max=90, error=_l("Enter a number from 1 to 90.")),
    )


class ReasonSchema(BaseSchema):
    """A step that needs a reason: an extension, a withdrawal, a cancellation, a note."""

    text = TrimmedString(validate=not_blank(TEXT_MAX), **required(_l("Give the reason.")))


class ExtensionSchema(BaseSchema):
    days = fields.Integer(
        validate=ma.validate.Range(min=1, max=90, error=_l("Enter a number from 1 to 90.")),
        **required(_l("Enter by how many days the deadline is extended.")),
    )
    reason = TrimmedString(
        validate=not_blank(TEXT_MAX),
        **required(_l("Give the special reason that justifies the extension.")),
    )


class ConditionsSchema(BaseSchema):
    """What the conditions (or the Finnish offer) say; the draft PDF is made from these."""

    connection_point = TrimmedString(
        validate=not_blank(TEXT_MAX), **required(_l("Describe the connection point."))
    )
    capacity_kw = kilowatts(**required(_l("Enter the capacity in kW.")))
    heat_carrier = TrimmedString(
        validate=not_blank(TEXT_MAX),
        **required(_l("Give the heat-carrier parameters and temperature table.")),
    )
    boundary = TrimmedString(
        validate=not_blank(TEXT_MAX),
        **required(_l("Describe the ownership and operation boundary.")),
    )
    metering = TrimmedString(validate=not_blank(TEXT_MAX), **required(_l("Describe the metering.")))
    set_on = fields.Date(load_default=None, allow_none=True)
    delivered_on = fields.Date(load_default=None, allow_none=True)
    connection_fee = DecimalNumber(
        places=2,
        load_default=None,
        allow_none=True,
        validate=ma.validate.Range(min=0, error=_l("Enter an amount of 0 or more.")),
    )


class DeliveredSchema(BaseSchema):
    delivered_on = fields.Date(**required(_l("Enter the date the conditions were delivered.")))


class RefusalSchema(BaseSchema):
    category = ChoiceField(RefusalCategory, **required(_l("Choose the reason for the refusal.")))
    text = TrimmedString(
        validate=not_blank(TEXT_MAX), **required(_l("Explain the reasons for the refusal."))
    )


class LetterSentSchema(BaseSchema):
    kind = ChoiceField(LetterKind, **required(_l("Choose the letter.")))
    sent_on = fields.Date(**required(_l("Enter the date the letter was sent.")))


class AgreementSchema(BaseSchema):
    """Finland: the heat contract's connection fee, agreed date and instalments."""

    connection_fee = DecimalNumber(
        places=2,
        load_default=None,
        allow_none=True,
        validate=ma.validate.Range(min=0, error=_l("Enter an amount of 0 or more.")),
    )
    agreed_connection_on = fields.Date(load_default=None, allow_none=True)
    instalments = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=ma.validate.Range(min=1, max=12, error=_l("Enter a number from 1 to 12.")),
    )


class StepQuerySchema(BaseSchema):
    """Filters of the API's list."""

    status = TrimmedString(load_default=None, allow_none=True, validate=max_length(30))
    from_ = fields.Date(data_key="from", load_default=None, allow_none=True)
    to = fields.Date(load_default=None, allow_none=True)
