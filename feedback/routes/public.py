"""Public feedback pages under /<lang>/: the form, and the private tracking page of each case.

/<lang>/feedback                              the form (a "no heat right now?" banner on top)
/<lang>/feedback/<reference>/<token>          status, deadline and its rule, the answer
/<lang>/feedback/<reference>/<token>/reply    the customer's answer to our question
/<lang>/feedback/<reference>/<token>/survey   the one-question satisfaction survey

The tracking link is the only key to a case (no account): its pages are never cached, never
indexed, and send no Referer to other sites. A wrong reference or token is the same 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from feedback import handling, intake, queries
from feedback.deadlines import current_deadline, pauses_clock, rule_label
from feedback.models import (
    CUSTOMER_VISIBLE_EVENTS,
    Case,
    CaseStatus,
    CaseType,
    ReplyChannel,
    SubjectArea,
)
from feedback.outage_context import outages_at, parse_address
from feedback.references import reference, tracking_token
from feedback.schemas import CaseInputSchema, NoteSchema, SurveySchema, form_data
from feedback.survey import record_survey
from service.db import utcnow
from service.errors import ValidationFailed, flatten_errors
from service.form_limits import count_request
from service.i18n import current_language, language_prefixed
from service.settings import current_settings
from service.tracking import private_pages
from service.validation import load_or_fail

# Every page here is private: it carries a tracking link or a resident's own message.
bp = private_pages(
    language_prefixed(
        Blueprint("feedback", __name__, url_prefix="/<lang>", template_folder="../templates")
    )
)

HONEYPOT = "fh_leave_empty"
MAX_FORM_BYTES = 64 * 1024
FIELDS = (
    "type",
    "area",
    "description",
    "address",
    "customer_number",
    "name",
    "email",
    "phone",
    "reply_channel",
    "language",
)
Page = Response | str | tuple[str, int]
# One schema for every submission: building one deep-copies its fields (a schema keeps no state
# between loads; its messages are translated when raised).
_CASE_INPUT = CaseInputSchema()


def _intake_limit() -> str:
    return current_settings().feedback.intake_rate_limit


def _known_outages(values: dict[str, Any]) -> list[Any]:
    """The known interruptions at the address typed so far ("Is it this one?")."""
    address = parse_address(values.get("address"))
    return outages_at(address) if address else []


def _form_page(values: dict[str, Any], errors: dict[str, list[str]], status: int = 200) -> Page:
    conf = current_settings()
    return (
        render_template(
            "feedback/form.html",
            values=values,
            errors=errors,
            known_outages=_known_outages(values),
            checked=bool(values.get("address")),
            types=list(CaseType),
            areas=list(SubjectArea),
            reply_channels=[ReplyChannel.EMAIL, ReplyChannel.SMS],
            emergency_phone=conf.feedback.emergency_phone,
            max_chars=conf.feedback.max_description_chars,
            honeypot=HONEYPOT,
        ),
        status,
    )


@bp.get("/feedback")
def form() -> Page:
    values = {"type": request.args.get("type", ""), "language": current_language()}
    # Prefilled from the address answer's "report" link: postcode, street and house number.
    postcode = (request.args.get("postcode") or "").strip()[:12]
    if postcode:
        street = " ".join(
            p
            for p in ((request.args.get(k) or "").strip()[:100] for k in ("street", "number"))
            if p
        )
        values["address"] = f"{street}, {postcode}" if street else postcode
        values["area"] = SubjectArea.HEAT_SUPPLY.value
    return _form_page(values, {})


@bp.post("/feedback")
def submit() -> Page:
    count_request(_intake_limit())
    if (request.content_length or 0) > MAX_FORM_BYTES:
        return _form_page(
            dict(request.form), {"description": [_("What you sent is too large.")]}, 413
        )
    values = {name: request.form.get(name, "") for name in FIELDS}
    if "check_address" in request.form:
        # "Is it this one?": show the known interruptions at the address before sending.
        return _form_page(values, {})
    if request.form.get(HONEYPOT):
        # A bot fills every field; a person sees this message next to the hidden field.
        return _form_page(values, {HONEYPOT: [_("Leave this field empty.")]}, 422)
    try:
        data = load_or_fail(_CASE_INPUT, form_data(request.form, FIELDS))
        receipt = intake.submit_case(data)
    except ValidationFailed as error:
        return _form_page(values, flatten_errors(error.errors), 422)
    # No flash message: the tracking page thanks the resident while the case waits to be taken
    # up (its status says so), and the intake leaves the session cookie as it was.
    return redirect(url_for(".track", reference=receipt.reference, token=receipt.token))


def _tracking_url(case: Case, endpoint: str = ".track") -> str:
    return url_for(endpoint, reference=reference(case), token=tracking_token(case))


def _track_page(
    case: Case, errors: dict[str, list[str]] | None = None, status: int = 200, **values: Any
) -> Page:
    now = utcnow()
    events = [e for e in case.events if e.kind in CUSTOMER_VISIBLE_EVENTS]
    return (
        render_template(
            "feedback/track.html",
            case=case,
            reference=reference(case),
            deadline=current_deadline(case, now),
            pauses=pauses_clock(case),
            rule=rule_label(case.rule_value, case.rule_unit),
            events=events,
            errors=errors or {},
            values=values,
            reply_url=_tracking_url(case, ".reply"),
            survey_url=_tracking_url(case, ".survey"),
            emergency_phone=current_settings().feedback.emergency_phone,
            just_received=case.status is CaseStatus.RECEIVED,
        ),
        status,
    )


@bp.get("/feedback/<reference>/<token>")
def track(reference: str, token: str) -> Page:
    return _track_page(queries.case_for_tracking(reference, token))


@bp.post("/feedback/<reference>/<token>/reply")
def reply(reference: str, token: str) -> Page:
    count_request(_intake_limit())
    case = queries.case_for_tracking(reference, token)
    try:
        data = load_or_fail(NoteSchema(), {"text": request.form.get("text", "")})
        handling.customer_reply(case, data["text"])
    except ValidationFailed as error:
        return _track_page(case, flatten_errors(error.errors), 422, text=request.form.get("text"))
    flash(_("Thank you. Your reply was added to the case."), "success")
    return redirect(_tracking_url(case))


@bp.post("/feedback/<reference>/<token>/survey")
def survey(reference: str, token: str) -> Page:
    case = queries.case_for_tracking(reference, token)
    try:
        data = load_or_fail(SurveySchema(), form_data(request.form, ("score", "comment")))
        record_survey(case, data["score"], data["comment"])
    except ValidationFailed as error:
        return _track_page(
            case, flatten_errors(error.errors), 422, comment=request.form.get("comment")
        )
    flash(_("Thank you for your rating!"), "success")
    return redirect(_tracking_url(case))
