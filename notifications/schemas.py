"""Input and output schemas for outages: one per input, used by the staff form and the API."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import fields

from notifications.models import Cause, Impact, OutageKind, OutageStatus, Parity
from notifications.texts import compose_all
from service.settings import current_settings
from service.validation import (
    BaseSchema,
    ChoiceField,
    PostcodeField,
    TrimmedString,
    max_length,
    number_range,
)

MAX_AREAS = 200
MAX_FREE_TEXT = 2000
MAX_HOUSE_NUMBER = 99_999


class PolygonField(fields.Dict):
    """A GeoJSON Polygon: closed rings of [longitude, latitude] positions."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        polygon = super()._deserialize(value, attr, data, **kwargs)
        message = _l(
            'Enter a GeoJSON Polygon: {"type": "Polygon", "coordinates": [[[lon, lat], …]]} '
            "with a closed ring of at least four positions."
        )
        coordinates = polygon.get("coordinates")
        if polygon.get("type") != "Polygon" or not isinstance(coordinates, list) or not coordinates:
            raise ma.ValidationError(message)
        for ring in coordinates:
            if not isinstance(ring, list) or len(ring) < 4 or ring[0] != ring[-1]:
                raise ma.ValidationError(message)
            for position in ring:
                if (
                    not isinstance(position, list)
                    or len(position) < 2
                    or not all(isinstance(c, int | float) for c in position[:2])
                    or not (-180 <= position[0] <= 180 and -90 <= position[1] <= 90)
                ):
                    raise ma.ValidationError(message)
        return {"type": "Polygon", "coordinates": coordinates}


class AddressRangeSchema(BaseSchema):
    postcode = PostcodeField(required=True)
    street = TrimmedString(load_default=None, allow_none=True, validate=max_length(200))
    from_number = fields.Integer(
        load_default=None, allow_none=True, validate=number_range(0, MAX_HOUSE_NUMBER)
    )
    to_number = fields.Integer(
        load_default=None, allow_none=True, validate=number_range(0, MAX_HOUSE_NUMBER)
    )
    parity = ChoiceField(Parity, load_default=Parity.ALL)

    @ma.validates_schema
    def check_range(self, data: dict[str, Any], **kwargs: Any) -> None:
        low, high = data.get("from_number"), data.get("to_number")
        if low is not None and high is not None and low > high:
            raise ma.ValidationError(
                _l("The range is upside down: the last number is smaller than the first."),
                "to_number",
            )
        parity = data.get("parity", Parity.ALL)
        has_numbers = low is not None or high is not None or parity != Parity.ALL
        if has_numbers and not data.get("street"):
            raise ma.ValidationError(
                _l("Give the street that these house numbers are on."), "street"
            )


class OutageInputSchema(BaseSchema):
    """POST /api/v1/outages and the staff form; PATCH loads it with partial=True."""

    kind = ChoiceField(OutageKind, required=True)
    impact = ChoiceField(Impact, required=True)
    cause = ChoiceField(Cause, required=True)
    status = ChoiceField(OutageStatus)
    starts_at = fields.AwareDateTime(required=True)
    expected_end_at = fields.AwareDateTime(allow_none=True)
    ended_at = fields.AwareDateTime(allow_none=True)
    areas = fields.List(
        fields.Nested(AddressRangeSchema),
        required=True,
        validate=ma.validate.Length(
            min=1,
            max=MAX_AREAS,
            error=_l("Give between 1 and %(num)d address ranges.", num=MAX_AREAS),
        ),
    )
    polygon = PolygonField(allow_none=True)
    affected_buildings = fields.Integer(allow_none=True, validate=number_range(0, 1_000_000))
    texts = fields.Dict(
        keys=fields.String(), values=TrimmedString(validate=max_length(MAX_FREE_TEXT))
    )
    publish = fields.Boolean(load_default=False)
    late_notice_reason = TrimmedString(allow_none=True, validate=max_length(1000))

    @ma.validates("texts")
    def check_languages(self, value: dict[str, str], **kwargs: Any) -> None:
        languages = current_settings().languages
        unknown = sorted(set(value) - set(languages))
        if unknown:
            raise ma.ValidationError(
                _l(
                    "Free text can be given in these languages: %(languages)s.",
                    languages=", ".join(languages),
                )
            )


class ActionSchema(BaseSchema):
    """POST …/restore and …/cancel."""

    ended_at = fields.AwareDateTime(allow_none=True)
    reason = TrimmedString(allow_none=True, validate=max_length(1000))


class OutageQuerySchema(BaseSchema):
    status = ma.fields.String(
        validate=ma.validate.OneOf(
            ["active", "upcoming", "past"],
            error=_l("Choose one of: %(choices)s.", choices="active, upcoming, past"),
        )
    )
    postcode = PostcodeField()
    street = TrimmedString(allow_none=True, validate=max_length(200))
    number = TrimmedString(allow_none=True, validate=max_length(20))


class LookupQuerySchema(BaseSchema):
    postcode = PostcodeField(required=True)
    street = TrimmedString(allow_none=True, validate=max_length(200))
    number = TrimmedString(allow_none=True, validate=max_length(20))


# ---- output -------------------------------------------------------------------------------


class AreaOutSchema(ma.Schema):
    postcode = fields.String()
    street = fields.String(allow_none=True)
    from_number = fields.Integer(allow_none=True)
    to_number = fields.Integer(allow_none=True)
    parity = fields.Enum(Parity, by_value=True)


class NoticeTextSchema(ma.Schema):
    title = fields.String()
    body = fields.String()


class UpdateOutSchema(ma.Schema):
    number = fields.Integer()
    created_at = fields.AwareDateTime()
    change = fields.String()
    status = fields.Enum(OutageStatus, by_value=True)
    changes = fields.Dict()
    texts = fields.Dict(keys=fields.String(), values=fields.Nested(NoticeTextSchema))


class PublicOutageSchema(ma.Schema):
    id = fields.Integer()
    kind = fields.Enum(OutageKind, by_value=True)
    impact = fields.Enum(Impact, by_value=True)
    cause = fields.Enum(Cause, by_value=True)
    status = fields.Enum(OutageStatus, by_value=True)
    starts_at = fields.AwareDateTime()
    expected_end_at = fields.AwareDateTime(allow_none=True)
    ended_at = fields.AwareDateTime(allow_none=True)
    areas = fields.List(fields.Nested(AreaOutSchema))
    polygon = fields.Dict(allow_none=True)
    affected_buildings = fields.Integer(allow_none=True)
    texts = fields.Dict(keys=fields.String(), values=fields.String())
    first_published_at = fields.AwareDateTime(allow_none=True)
    updated_at = fields.AwareDateTime()
    public_text = fields.Method("get_public_text")

    def get_public_text(self, outage: Any) -> dict[str, dict[str, str]]:
        """The composed notice in every language, as the public pages show it now."""
        languages = current_settings().languages
        return {lang: text.as_dict() for lang, text in compose_all(outage, languages).items()}


class PublicOutageDetailSchema(PublicOutageSchema):
    updates = fields.List(fields.Nested(UpdateOutSchema))


class OutageSchema(PublicOutageDetailSchema):
    """What staff and API clients with a token see: the public view plus the evidence fields."""

    published = fields.Boolean()
    required_notice_days = fields.Integer(allow_none=True)
    notice_late = fields.Boolean()
    late_notice_reason = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    created_by = fields.String()
    version = fields.Integer()


class LookupResultSchema(ma.Schema):
    postcode = fields.String()
    street = fields.String(allow_none=True)
    number = fields.String(allow_none=True)
    affected = fields.Boolean()
    outages = fields.List(fields.Nested(PublicOutageSchema))
    possibly_affected = fields.List(fields.Nested(PublicOutageSchema))
