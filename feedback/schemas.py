"""Input of a feedback case (public form, staff form, JSON, Open311) and of the staff actions.

One schema validates every way a case comes in; the staff schema adds the channel and the real
time received. Empty form fields mean "not given" (service.validation.BaseSchema). Every message
is localized.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from marshmallow import fields

from feedback.models import STAFF_CHANNELS, CaseType, Channel, Outcome, ReplyChannel, SubjectArea
from service.db import utcnow
from service.phones import phone_number
from service.settings import current_settings
from service.validation import BaseSchema, ChoiceField, TrimmedString, max_length, not_blank

EMAIL_MAX = 254
TEXT_MAX = 5000
_MAX_RECEIVED_AGE = dt.timedelta(days=366)
_CLOCK_SKEW = dt.timedelta(minutes=5)
_EMAIL = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[A-Za-z]{2,}")


class PhoneNumberField(TrimmedString):
    """Any Finnish, Swedish or Polish number; stored in E.164."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        return phone_number(super()._deserialize(value, attr, data, **kwargs), mobile_only=False)


class EmailField(TrimmedString):
    """An e-mail address as people type it: one @, a dotted domain, no spaces."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not _EMAIL.fullmatch(text):
            raise ma.ValidationError(_("Enter an e-mail address, e.g. name@example.fi."))
        return text


class LanguageField(TrimmedString):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        languages = current_settings().languages
        if text not in languages:
            raise ma.ValidationError(_("Choose one of: %(choices)s.", choices=", ".join(languages)))
        return text


class CaseInputSchema(BaseSchema):
    """What a resident sends: the matter, and how to reach them."""

    type = ChoiceField(
        CaseType,
        required=True,
        error_messages={"required": _l("Choose what kind of message this is.")},
    )
    area = ChoiceField(
        SubjectArea,
        required=True,
        error_messages={"required": _l("Choose what the matter is about.")},
    )
    description = TrimmedString(
        required=True, error_messages={"required": _l("Describe the matter.")}
    )
    address = TrimmedString(load_default=None, allow_none=True, validate=max_length(200))
    customer_number = TrimmedString(load_default=None, allow_none=True, validate=max_length(40))
    name = TrimmedString(load_default=None, allow_none=True, validate=max_length(120))
    email = EmailField(load_default=None, allow_none=True, validate=max_length(EMAIL_MAX))
    phone = PhoneNumberField(load_default=None, allow_none=True)
    reply_channel = ChoiceField(ReplyChannel, load_default=None, allow_none=True)
    language = LanguageField(load_default=None, allow_none=True)

    @ma.validates("description")
    def check_description(self, value: str, **kwargs: Any) -> None:
        limit = current_settings().feedback.max_description_chars
        if not value:
            raise ma.ValidationError(_("Describe the matter."))
        if len(value) > limit:
            raise ma.ValidationError(
                ngettext(
                    "The description is too long: at most %(num)d character.",
                    "The description is too long: at most %(num)d characters.",
                    limit,
                )
                + " "
                + ngettext(
                    "Yours has %(num)d character.", "Yours has %(num)d characters.", len(value)
                )
            )

    @ma.post_load
    def check_contact(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        errors = contact_errors(data)
        if errors:
            raise ma.ValidationError(errors)  # type: ignore[arg-type]
        if data.get("reply_channel") is None:
            data["reply_channel"] = ReplyChannel.EMAIL if data.get("email") else ReplyChannel.SMS
        return data


def contact_errors(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """How we answer must be possible with the contact details given."""
    email, phone, postal = data.get("email"), data.get("phone"), data.get("postal_address")
    channel = data.get("reply_channel")
    if not (email or phone or postal):
        message = _("Give an e-mail address or a phone number so that we can answer you.")
        return {"email": [message], "phone": [message]}
    if channel is ReplyChannel.EMAIL and not email:
        return {"email": [_("Give an e-mail address for an answer by e-mail.")]}
    if channel is ReplyChannel.SMS:
        if not phone:
            return {"phone": [_("Give a mobile phone number for an answer by text message.")]}
        try:
            phone_number(phone, mobile_only=True)
        except ma.ValidationError:
            return {"phone": [_("Answers by text message need a mobile phone number.")]}
    if channel is ReplyChannel.LETTER and not postal:
        return {"postal_address": [_("Give a postal address for an answer by letter.")]}
    return {}


class StaffCaseInputSchema(CaseInputSchema):
    """A case staff record from a call, e-mail, letter or visit, with the real time received."""

    channel = ChoiceField(Channel, required=True)
    received_at = fields.AwareDateTime(required=True, default_timezone=dt.UTC)
    postal_address = TrimmedString(load_default=None, allow_none=True, validate=max_length(300))

    @ma.validates("channel")
    def check_channel(self, value: Channel, **kwargs: Any) -> None:
        if value not in STAFF_CHANNELS:
            raise ma.ValidationError(
                _(
                    "Choose one of: %(choices)s.",
                    choices=", ".join(c.value for c in STAFF_CHANNELS),
                )
            )

    @ma.validates("received_at")
    def check_received(self, value: dt.datetime, **kwargs: Any) -> None:
        now = utcnow()
        if value > now + _CLOCK_SKEW:
            raise ma.ValidationError(_("The time received cannot be in the future."))
        if value < now - _MAX_RECEIVED_AGE:
            raise ma.ValidationError(_("The time received is more than a year ago."))


class NoteSchema(BaseSchema):
    text = TrimmedString(required=True, validate=not_blank(TEXT_MAX))


class AnswerSchema(BaseSchema):
    text = TrimmedString(
        required=True,
        validate=not_blank(TEXT_MAX),
        error_messages={"required": _l("Write the answer to the customer.")},
    )
    action = TrimmedString(
        required=True,
        validate=not_blank(TEXT_MAX),
        error_messages={"required": _l("Describe what was done about the matter.")},
    )
    outcome = ChoiceField(
        Outcome, required=True, error_messages={"required": _l("Choose the outcome.")}
    )


class TrackSchema(BaseSchema):
    reason = TrimmedString(
        required=True,
        validate=not_blank(TEXT_MAX),
        error_messages={"required": _l("Give the reason for the explanatory procedure.")},
    )


class SurveySchema(BaseSchema):
    score = fields.Integer(
        required=True,
        strict=False,
        validate=ma.validate.Range(min=1, max=5, error=_l("Choose a rating from 1 to 5.")),
        error_messages={
            "required": _l("Choose a rating from 1 to 5."),
            "invalid": _l("Choose a rating from 1 to 5."),
        },
    )
    comment = TrimmedString(load_default=None, allow_none=True, validate=max_length(2000))


class TemplateSchema(BaseSchema):
    language = LanguageField(required=True)
    title = TrimmedString(required=True, validate=not_blank(120))
    body = TrimmedString(required=True, validate=not_blank(TEXT_MAX))


def form_data(form: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The named fields of a submitted form (empty ones dropped, so defaults apply)."""
    return {name: form.get(name) for name in names if (form.get(name) or "").strip()}
