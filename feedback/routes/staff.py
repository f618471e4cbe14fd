"""Back office for cases: inbox by deadline, recording a case, and every action on one case.

Each form carries the case version the staff member saw; a change made meanwhile is a 409
with a clear message, never a silent overwrite. Handlers parse with the schema and call one
service function.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.numbers import format_decimal
from flask import (
    Blueprint,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from config.feedback_rules import Track
from feedback import answering, escalations, handling, intake, queries, reply_templates
from feedback.deadlines import (
    current_deadline,
    explanatory_refusal,
    paused_for,
    pauses_clock,
    rule_label,
)
from feedback.evidence import case_figures
from feedback.models import (
    STAFF_CHANNELS,
    CaseStatus,
    CaseType,
    Channel,
    Outcome,
    ReplyChannel,
    SubjectArea,
)
from feedback.references import reference, tracking_url
from feedback.routes.public import FIELDS
from feedback.schemas import (
    AnswerSchema,
    NoteSchema,
    StaffCaseInputSchema,
    TemplateSchema,
    TrackSchema,
    form_data,
)
from feedback.transactions import may_handle
from service.auth import Permission, requires
from service.auth.permissions import role_allows
from service.db import utcnow
from service.errors import Conflict, ValidationFailed, flatten_errors
from service.i18n import (
    current_language,
    format_iso_local,
    format_locale,
    local_time_iso,
    to_local,
)
from service.settings import current_settings
from service.validation import load_or_fail, small_id

bp = Blueprint("staff_cases", __name__, url_prefix="/staff/cases", template_folder="../templates")

Page = Response | str | tuple[str, int]
STAFF_FIELDS = (*FIELDS, "channel", "received_at", "postal_address")


def _user_id() -> int:
    return int(g.staff_user.id)


def _version() -> int:
    """The case version the form was made from; a form without one is out of date."""
    version = small_id(request.form.get("version"))
    if version is None:
        raise Conflict(_("This form is out of date. Reload the case and try again."))
    return version


# --- Inbox --------------------------------------------------------------------------------------


@bp.get("/")
@requires(Permission.VIEW_CASES)
def inbox() -> str:
    filters = queries.InboxFilters.from_args(request.args)
    page = request.args.get("page", "1")
    page_number = min(small_id(page) or 1, 100_000)
    cases, total = queries.inbox(filters, _user_id(), page_number)
    now = utcnow()
    return render_template(
        "feedback/staff/inbox.html",
        total=total,
        page=page_number,
        page_size=queries.INBOX_PAGE,
        page_args={k: v for k, v in request.args.items() if k in queries.FILTER_NAMES},
        filters=filters,
        now=now,
        rows=[(case, current_deadline(case, now)) for case in cases],
        due_state=lambda case, deadline: queries.due_state(case, now, deadline),
        rule_label=rule_label,
        reference=reference,
        escalations=queries.unread_escalations(_user_id()),
        figures=case_figures(to_local(now).year, now),
        staff=queries.staff_members(),
        types=list(CaseType),
        areas=list(SubjectArea),
        channels=list(Channel),
    )


@bp.post("/escalations/read")
@requires(Permission.VIEW_CASES)
def escalations_read() -> Response:
    escalations.mark_escalations_read(_user_id())
    return redirect(url_for(".inbox"))


# --- Recording a case ---------------------------------------------------------------------------


def _received_at(raw: str) -> str:
    """The local wall-clock time typed by staff, as ISO 8601 with offset for the schema."""
    try:
        return local_time_iso(raw)
    except ValueError as error:
        raise ValidationFailed({"received_at": [str(error)]}) from None


def _new_page(values: dict[str, Any], errors: dict[str, list[str]], status: int = 200) -> Page:
    return (
        render_template(
            "feedback/staff/new.html",
            values=values,
            errors=errors,
            types=list(CaseType),
            areas=list(SubjectArea),
            channels=STAFF_CHANNELS,
            reply_channels=list(ReplyChannel),
        ),
        status,
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.RECORD_CASES)
def new() -> Page:
    if request.method == "GET":
        return _new_page(
            {
                "channel": "phone",
                "received_at": format_iso_local(utcnow()),
                "language": current_language(),
            },
            {},
        )
    values = {name: request.form.get(name, "") for name in STAFF_FIELDS}
    try:
        payload = form_data(request.form, STAFF_FIELDS)
        if "received_at" in payload:
            payload["received_at"] = _received_at(payload["received_at"])
        data = load_or_fail(StaffCaseInputSchema(), payload)
        receipt = intake.submit_case(data, recorded_by=_user_id())
    except ValidationFailed as error:
        return _new_page(values, flatten_errors(error.errors), 422)
    flash(_("Case %(reference)s was recorded.", reference=receipt.reference), "success")
    return redirect(url_for(".detail", case_id=receipt.case_id))


def _text_field(field: str) -> str:
    """One free-text field of a small form, its errors under its own name (forms share a page)."""
    try:
        return str(load_or_fail(NoteSchema(), {"text": request.form.get(field, "")})["text"])
    except ValidationFailed as error:
        raise ValidationFailed({field: error.errors.get("text", [])}) from None


# --- One case -----------------------------------------------------------------------------------


def _detail_page(
    case_id: int, errors: dict[str, list[str]] | None = None, status: int = 200, **values: Any
) -> Page:
    case = queries.get_case(case_id)
    now = utcnow()
    rules = current_settings().feedback.rules
    template_id = request.args.get("template", "")
    chosen_id = small_id(template_id)
    chosen = queries.get_template(chosen_id) if chosen_id is not None else None
    if chosen is not None and "text" not in values:
        values["text"] = chosen.body
    return (
        render_template(
            "feedback/staff/detail.html",
            case=case,
            reference=reference(case),
            deadline=current_deadline(case, now),
            pauses=pauses_clock(case),
            paused_hours=_hours(paused_for(case, now)),
            due=queries.due_state(case, now),
            rule=rule_label(case.rule_value, case.rule_unit),
            acknowledgement_rule=rules.acknowledgement,
            can_explain=explanatory_refusal(case, now) is None,
            explanatory_rule=rules.tracks.get(Track.EXPLANATORY),
            rule_label=rule_label,
            # The customer's only credential: shown to whoever handles the case (D16).
            tracking_link=tracking_url(case) if _shows_tracking_link(case) else None,
            staff=queries.staff_members(),
            templates=queries.templates(case.language),
            outcomes=list(Outcome),
            errors=errors or {},
            values=values,
            waiting=case.status is CaseStatus.WAITING_FOR_CUSTOMER,
        ),
        status,
    )


def _shows_tracking_link(case: Any) -> bool:
    user = g.staff_user
    if case.assignee_id is None:
        return role_allows(user.role, Permission.SUPERVISE_CASES)
    return role_allows(user.role, Permission.HANDLE_CASES) and may_handle(case, user.id)


def _hours(span: dt.timedelta) -> str | None:
    """Hours with one decimal in the reader's number format ("2,5" in fi, sv and pl)."""
    if span.total_seconds() <= 0:
        return None
    return format_decimal(round(span.total_seconds() / 3600, 1), "0.0", locale=format_locale())


@bp.get("/<int:case_id>")
@requires(Permission.VIEW_CASES)
def detail(case_id: int) -> Page:
    return _detail_page(case_id)


def _act(case_id: int, done: str, action: Any, form_values: tuple[str, ...] = ()) -> Page:
    """Run one staff action; re-show the case with the errors next to their fields."""
    try:
        action()
    except ValidationFailed as error:
        values = {name: request.form.get(name, "") for name in form_values}
        return _detail_page(case_id, flatten_errors(error.errors), 422, **values)
    flash(done, "success")
    return redirect(url_for(".detail", case_id=case_id))


@bp.post("/<int:case_id>/assign")
@requires(Permission.HANDLE_CASES)
def assign(case_id: int) -> Page:
    hands_out = role_allows(g.staff_user.role, Permission.SUPERVISE_CASES)

    def run() -> None:
        raw = request.form.get("assignee_id", "")
        assignee = small_id(raw)
        if raw.strip() and assignee is None:
            raise ValidationFailed(
                {"assignee_id": [_("Choose an active staff member who handles cases.")]}
            )
        handling.assign_case(case_id, assignee, _user_id(), _version(), hands_out=hands_out)

    return _act(case_id, _("The assignment was saved."), run)


@bp.post("/<int:case_id>/note")
@requires(Permission.HANDLE_CASES)
def note(case_id: int) -> Page:
    def run() -> None:
        handling.add_note(case_id, _text_field("note"), _user_id(), _version())

    return _act(case_id, _("The note was saved."), run, ("note",))


@bp.post("/<int:case_id>/request-information")
@requires(Permission.HANDLE_CASES)
def request_information(case_id: int) -> Page:
    def run() -> None:
        handling.request_information(case_id, _text_field("question"), _user_id(), _version())

    return _act(case_id, _("The question was sent."), run, ("question",))


@bp.post("/<int:case_id>/explanatory")
@requires(Permission.HANDLE_CASES)
def explanatory(case_id: int) -> Page:
    def run() -> None:
        data = load_or_fail(TrackSchema(), {"reason": request.form.get("reason", "")})
        handling.switch_to_explanatory(case_id, data["reason"], _user_id(), _version())

    return _act(
        case_id, _("The complaint now follows the explanatory procedure."), run, ("reason",)
    )


@bp.post("/<int:case_id>/answer")
@requires(Permission.HANDLE_CASES)
def answer(case_id: int) -> Page:
    def run() -> None:
        data = load_or_fail(AnswerSchema(), form_data(request.form, ("text", "action", "outcome")))
        answering.answer_case(case_id, data, _user_id(), _version())

    return _act(
        case_id, _("The answer was sent and the case closed."), run, ("text", "action", "outcome")
    )


@bp.post("/<int:case_id>/reopen")
@requires(Permission.HANDLE_CASES)
def reopen(case_id: int) -> Page:
    def run() -> None:
        data = load_or_fail(TrackSchema(), {"reason": request.form.get("reopen_reason", "")})
        answering.reopen_case(case_id, data["reason"], _user_id(), _version())

    return _act(case_id, _("The case was reopened."), run)


@bp.post("/<int:case_id>/spam")
@requires(Permission.HANDLE_CASES)
def spam(case_id: int) -> Page:
    is_spam = request.form.get("spam") == "1"
    return _act(
        case_id,
        _("Marked as spam.") if is_spam else _("Marked as not spam."),
        lambda: handling.mark_spam(case_id, is_spam, _user_id(), _version()),
    )


# --- Reply templates ------------------------------------------------------------------------------


def _templates_page(values: dict[str, str], errors: dict[str, list[str]], status: int) -> Page:
    return (
        render_template(
            "feedback/staff/reply_templates.html",
            templates=queries.templates(),
            errors=errors,
            values=values,
        ),
        status,
    )


@bp.get("/templates")
@requires(Permission.VIEW_CASES)
def templates() -> Page:
    return _templates_page({"language": current_language()}, {}, 200)


@bp.post("/templates")
@requires(Permission.SUPERVISE_CASES)
def create_template() -> Page:
    values = {name: request.form.get(name, "") for name in ("language", "title", "body")}
    try:
        reply_templates.create_template(load_or_fail(TemplateSchema(), values))
    except ValidationFailed as error:
        return _templates_page(values, flatten_errors(error.errors), 422)
    flash(_("The template was saved."), "success")
    return redirect(url_for(".templates"))


@bp.post("/templates/<int:template_id>/delete")
@requires(Permission.SUPERVISE_CASES)
def delete_template(template_id: int) -> Response:
    reply_templates.delete_template(template_id)
    flash(_("The template was deleted."), "success")
    return redirect(url_for(".templates"))
