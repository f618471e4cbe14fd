"""Input and output of emergency calls: one schema for the intake form and the JSON API.

Empty form fields mean "not given" (service.validation.BaseSchema). The order of the lifecycle
times and the back-entry rule need the stored call too, so they are checked in lifecycle.py,
for a new call and a change alike.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import marshmallow as ma
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import fields

from feedback.emergency.models import (
    CallChannel,
    CallerKind,
    CallStatus,
    Outcome,
    Priority,
    Problem,
    Scope,
)
from service.phones import phone_number
from service.settings import current_settings
from service.validation import (
    BaseSchema,
    ChoiceField,
    PostcodeField,
    TrimmedString,
    max_length,
)

DESCRIPTION_MAX = 2000
MAX_ID = 2**31 - 1  # the database's integer: a larger id names nothing
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def _id_field(**kwargs: Any) -> fields.Integer:
    return fields.Integer(
        strict=False,
        validate=ma.validate.Range(
            1, MAX_ID, error=_l("Enter a number from %(low)d to %(high)d.", low=1, high=MAX_ID)
        ),
        **kwargs,
    )


class NoControlCharacters:
    """Text as people type it: control characters (NUL, escape sequences) and direction
    overrides are refused, naming the field, before they reach the database."""

    @ma.validates_schema(pass_original=True)
    def refuse_control_characters(self, data: Any, original: Any, **kwargs: Any) -> None:
        items = original.items() if isinstance(original, dict) else ()
        bad = [key for key, value in items if isinstance(value, str) and _CONTROL.search(value)]
        if bad:
            raise ma.ValidationError(
                {key: [_("Remove the control characters from this text.")] for key in bad}
            )


QUERY_STATUSES = ("open", "resolved", "missed", "callback_due")


class CallerPhoneField(TrimmedString):
    """Any Finnish, Swedish or Polish number, landlines too; stored in E.164."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        return phone_number(super()._deserialize(value, attr, data, **kwargs), mobile_only=False)


class LanguageField(TrimmedString):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        languages = current_settings().languages
        if text not in languages:
            raise ma.ValidationError(_("Choose one of: %(choices)s.", choices=", ".join(languages)))
        return text


def _time(**kwargs: Any) -> fields.AwareDateTime:
    return fields.AwareDateTime(default_timezone=dt.UTC, **kwargs)


class CallInputSchema(NoControlCharacters, BaseSchema):
    """A call logged by hand (intake form, POST /api/v1/emergency/calls); PATCH loads it with
    partial=True, where nothing is defaulted."""

    received_at = _time()
    answered_at = _time(allow_none=True)
    channel = ChoiceField(CallChannel)
    caller_name = TrimmedString(allow_none=True, validate=max_length(200))
    caller_phone = CallerPhoneField(allow_none=True)
    postcode = PostcodeField(allow_none=True)
    street = TrimmedString(allow_none=True, validate=max_length(200))
    house_number = TrimmedString(allow_none=True, validate=max_length(20))
    node_id = TrimmedString(allow_none=True, validate=max_length(60))
    problem = ChoiceField(
        Problem, required=True, error_messages={"required": _l("Choose what is wrong.")}
    )
    scope = ChoiceField(Scope)
    caller_kind = ChoiceField(CallerKind)
    language = LanguageField()
    priority = ChoiceField(Priority)
    description = TrimmedString(allow_none=True, validate=max_length(DESCRIPTION_MAX))
    back_entry_reason = TrimmedString(allow_none=True, validate=max_length(500))
    verified_at = _time(allow_none=True)
    dispatched_at = _time(allow_none=True)
    crew = TrimmedString(allow_none=True, validate=max_length(120))
    on_site_at = _time(allow_none=True)
    resolved_at = _time(allow_none=True)
    informed_at = _time(allow_none=True)
    informed_in_writing = fields.Boolean()
    outcome = ChoiceField(Outcome, allow_none=True)
    outage_id = _id_field(allow_none=True)
    callback_due_at = _time(allow_none=True)

    @ma.validates("channel")
    def check_channel(self, value: CallChannel, **kwargs: Any) -> None:
        if value in (CallChannel.TWILIO, CallChannel.SMS):
            raise ma.ValidationError(_("Calls by Twilio and SMS are logged by themselves."))


class CallQuerySchema(NoControlCharacters, BaseSchema):
    """GET /api/v1/emergency/calls: received from..to, state, postcode, outage."""

    from_ = _time(data_key="from", allow_none=True)
    to = _time(allow_none=True)
    status = TrimmedString(
        allow_none=True,
        validate=ma.validate.OneOf(
            QUERY_STATUSES,
            error=_l("Choose one of: %(choices)s.", choices=", ".join(QUERY_STATUSES)),
        ),
    )
    postcode = PostcodeField(allow_none=True)
    outage = _id_field(allow_none=True)
    limit = fields.Integer(
        load_default=100,
        validate=ma.validate.Range(1, 500, error=_l("Enter a number from 1 to 500.")),
    )
    offset = fields.Integer(
        load_default=0, validate=ma.validate.Range(0, error=_l("Enter a whole number."))
    )


class ClockSchema(ma.Schema):
    name = fields.String()
    label = fields.String()
    rule = fields.String()
    source = fields.String()
    due_at = fields.AwareDateTime()
    met_at = fields.AwareDateTime(allow_none=True)
    state = fields.String()


class CallbackSchema(ma.Schema):
    reason = fields.String()
    due_at = fields.AwareDateTime()
    done_at = fields.AwareDateTime(allow_none=True)


PERSONAL_FIELDS = (
    "caller_name",
    "caller_phone",
    "house_number",
    "description",
    "back_entry_reason",
    "answered_by",
    "crew",
)


def may_see_personal_data() -> bool:
    from flask import g, has_app_context

    from service.auth.permissions import Permission, role_allows

    user = g.get("staff_user") if has_app_context() else None
    return user is None or role_allows(user.role, Permission.VIEW_EMERGENCY_CALLS)


class CallSchema(ma.Schema):
    """One call as the API shows it; viewers get it without PERSONAL_FIELDS."""

    id = fields.Integer()
    received_at = fields.AwareDateTime()
    answered_at = fields.AwareDateTime(allow_none=True)
    channel = fields.Enum(CallChannel, by_value=True)
    caller_name = fields.String(allow_none=True)
    caller_phone = fields.String(allow_none=True)
    postcode = fields.String(allow_none=True)
    street = fields.String(allow_none=True)
    house_number = fields.String(allow_none=True)
    node_id = fields.String(allow_none=True)
    problem = fields.Enum(Problem, by_value=True)
    scope = fields.Enum(Scope, by_value=True)
    caller_kind = fields.Enum(CallerKind, by_value=True)
    language = fields.String()
    priority = fields.Enum(Priority, by_value=True)
    description = fields.String(allow_none=True)
    logged_by = fields.String()
    logged_at = fields.AwareDateTime()
    back_entry_reason = fields.String(allow_none=True)
    verified_at = fields.AwareDateTime(allow_none=True)
    dispatched_at = fields.AwareDateTime(allow_none=True)
    crew = fields.String(allow_none=True)
    on_site_at = fields.AwareDateTime(allow_none=True)
    resolved_at = fields.AwareDateTime(allow_none=True)
    informed_at = fields.AwareDateTime(allow_none=True)
    informed_in_writing = fields.Boolean()
    outcome = fields.Enum(Outcome, by_value=True, allow_none=True)
    outage_id = fields.Integer(allow_none=True)
    twilio_call_sid = fields.String(allow_none=True)
    called_number = fields.String(allow_none=True)
    call_status = fields.Enum(CallStatus, by_value=True, allow_none=True)
    answered_by = fields.String(allow_none=True)
    wait_seconds = fields.Integer(allow_none=True)
    talk_seconds = fields.Integer(allow_none=True)
    duty_covered = fields.Boolean()
    reconciled = fields.Boolean()
    recording_sid = fields.String(allow_none=True)
    recording_seconds = fields.Integer(allow_none=True)
    callback = fields.Nested(CallbackSchema, allow_none=True)
    clocks = fields.Method("dump_clocks")
    version = fields.Integer()

    @ma.post_dump
    def leave_out_personal(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """Staff without view_emergency_calls (viewers) get no personal data."""
        if not may_see_personal_data():
            for name in PERSONAL_FIELDS:
                data.pop(name, None)
        return data

    def dump_clocks(self, call: Any) -> list[dict[str, Any]]:
        from feedback.emergency.clocks import call_clocks

        return [ClockSchema().dump(clock) for clock in call_clocks(call)]


class DutySlotSchema(NoControlCharacters, BaseSchema):
    """One weekly slot of the duty roster (admin page)."""

    weekday = fields.Integer(
        required=True,
        strict=False,
        validate=ma.validate.Range(0, 6, error=_l("Choose a day of the week.")),
        error_messages={"required": _l("Choose a day of the week.")},
    )
    start = fields.Time(
        required=True, format="%H:%M", error_messages={"invalid": _l("Enter a time, e.g. 08:00.")}
    )
    end = fields.Time(
        required=True, format="%H:%M", error_messages={"invalid": _l("Enter a time, e.g. 08:00.")}
    )
    name = TrimmedString(required=True, validate=max_length(200))
    phone = CallerPhoneField(required=True)
    backup_phone = CallerPhoneField(allow_none=True)
    lead_phone = CallerPhoneField(allow_none=True)


class DutyChangeSchema(NoControlCharacters, BaseSchema):
    """A one-off change of the roster (local times in the form, aware in the API)."""

    starts_at = _time(required=True)
    ends_at = _time(required=True)
    name = TrimmedString(required=True, validate=max_length(200))
    phone = CallerPhoneField(required=True)
    backup_phone = CallerPhoneField(allow_none=True)
    lead_phone = CallerPhoneField(allow_none=True)
    note = TrimmedString(allow_none=True, validate=max_length(500))

    @ma.validates_schema
    def check_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            raise ma.ValidationError({"ends_at": [_("The end must be after the start.")]})


class CallbackDoneSchema(NoControlCharacters, BaseSchema):
    note = TrimmedString(allow_none=True, validate=max_length(500))
