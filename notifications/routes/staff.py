"""Back office for outage notices: list, create, edit, publish, status, estimate, restore, cancel.

Handlers turn the form into the API's input shape, load it with the same schema, and call one
service function. A ValidationFailed re-renders the form with every message next to its field.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from notifications import queries, services
from notifications.forms import form_to_payload, outage_to_form, submitted_form
from notifications.models import STATUSES_BY_KIND, Cause, Impact, OutageKind, Parity
from notifications.schemas import ActionSchema, OutageInputSchema
from notifications.sms.delivery import outage_delivery
from service.auth import Permission, requires
from service.db import utcnow
from service.errors import DomainError, ValidationFailed, flatten_errors
from service.i18n import format_iso_local
from service.settings import current_settings
from service.validation import load_or_fail

bp = Blueprint(
    "staff_outages", __name__, url_prefix="/staff/outages", template_folder="../templates"
)


def _languages() -> tuple[str, ...]:
    return current_settings().languages


def _form_page(
    outage: Any, values: dict[str, Any], errors: dict[str, list[str]], status: int = 200
) -> tuple[str, int]:
    return (
        render_template(
            "notifications/staff/outage_form.html",
            outage=outage,
            values=values,
            errors=errors,
            kinds=list(OutageKind),
            impacts=list(Impact),
            causes=list(Cause),
            parities=list(Parity),
            lead_rule=current_settings().planned_notice_lead,
        ),
        status,
    )


def _load_form(partial: bool = False) -> dict[str, Any]:
    payload = form_to_payload(request.form, _languages())
    return load_or_fail(OutageInputSchema(partial=partial), payload)


@bp.get("/")
@requires(Permission.VIEW_BACK_OFFICE)
def index() -> str:
    return render_template(
        "notifications/staff/outages.html",
        drafts=queries.list_outages(status="draft", public=False),
        active=queries.list_outages(status="active", public=False),
        upcoming=queries.list_outages(status="upcoming", public=False),
        past=queries.list_outages(status="past", public=False, limit=30),
        figures=services.notice_figures(),
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.EDIT_OUTAGES)
def new() -> Response | tuple[str, int]:
    if request.method == "GET" or request.form.get("add_row"):
        values = (
            outage_to_form(None)
            if request.method == "GET"
            else submitted_form(request.form, _languages())
        )
        if request.method == "GET":
            values["kind"] = "planned" if request.args.get("kind") == "planned" else "unplanned"
            if values["kind"] == "unplanned":
                # An unplanned interruption is reported when it starts: now, to the minute.
                values["starts_at"] = format_iso_local(utcnow())[:16]
        return _form_page(None, values, {})
    try:
        outage = services.create_outage(_load_form())
    except ValidationFailed as error:
        return _form_page(
            None, submitted_form(request.form, _languages()), flatten_errors(error.errors), 422
        )
    flash(_("The notice was saved.") if not outage.published else _("The notice was published."))
    return redirect(url_for("staff_outages.detail", outage_id=outage.id))


@bp.get("/<int:outage_id>")
@requires(Permission.VIEW_BACK_OFFICE)
def detail(outage_id: int) -> str:
    outage = queries.get_outage(outage_id, public=False)
    return render_template(
        "notifications/staff/outage_detail.html",
        outage=outage,
        statuses=[s for s in STATUSES_BY_KIND[outage.kind]],
        delivery=outage_delivery(outage_id),
        lead_rule=current_settings().planned_notice_lead,
    )


@bp.route("/<int:outage_id>/edit", methods=["GET", "POST"])
@requires(Permission.EDIT_OUTAGES)
def edit(outage_id: int) -> Response | tuple[str, int]:
    outage = queries.get_outage(outage_id, public=False)
    if request.method == "GET" or request.form.get("add_row"):
        values = (
            outage_to_form(outage)
            if request.method == "GET"
            else submitted_form(request.form, _languages())
        )
        return _form_page(outage, values, {})
    try:
        services.update_outage(
            outage_id,
            _load_form(partial=True),
            expected_version=request.form.get("version", type=int),
        )
    except ValidationFailed as error:
        return _form_page(
            outage, submitted_form(request.form, _languages()), flatten_errors(error.errors), 422
        )
    flash(_("The changes were saved."))
    return redirect(url_for("staff_outages.detail", outage_id=outage_id))


def _action(outage_id: int, call: Any, done: str) -> Response:
    """Run a one-button action; a refusal comes back as a message on the detail page."""
    try:
        call()
    except DomainError as error:
        messages = flatten_errors(error.errors) if isinstance(error, ValidationFailed) else {}
        for field_messages in messages.values():
            for message in field_messages:
                flash(message, "error")
        if not messages:
            flash(str(error.message), "error")
    else:
        flash(done)
    return redirect(url_for("staff_outages.detail", outage_id=outage_id))


@bp.post("/<int:outage_id>/publish")
@requires(Permission.EDIT_OUTAGES)
def publish(outage_id: int) -> Response:
    reason = (request.form.get("late_notice_reason") or "").strip() or None
    return _action(
        outage_id,
        lambda: services.publish_outage(outage_id, reason),
        _("The notice was published."),
    )


@bp.post("/<int:outage_id>/status")
@requires(Permission.EDIT_OUTAGES)
def change_status(outage_id: int) -> Response:
    data = {"status": request.form.get("status", "")}
    return _action(
        outage_id,
        lambda: services.update_outage(
            outage_id, load_or_fail(OutageInputSchema(partial=True), data)
        ),
        _("The status was changed."),
    )


@bp.post("/<int:outage_id>/estimate")
@requires(Permission.EDIT_OUTAGES)
def estimate(outage_id: int) -> Response:
    def call() -> None:
        payload = form_to_payload(request.form, _languages())
        data = {"expected_end_at": payload.get("expected_end_at")}
        services.update_outage(outage_id, load_or_fail(OutageInputSchema(partial=True), data))

    return _action(outage_id, call, _("The estimated restoration time was changed."))


def _confirm_page(
    outage_id: int, action: str, errors: dict[str, list[str]] | None = None, status: int = 200
) -> tuple[str, int]:
    """Ask before ending or cancelling a notice (the page a mis-tap lands on, not the deed)."""
    return (
        render_template(
            "notifications/staff/outage_confirm.html",
            outage=queries.get_outage(outage_id, public=False),
            action=action,
            errors=errors or {},
            values=request.form,
        ),
        status,
    )


@bp.get("/<int:outage_id>/restore")
@requires(Permission.EDIT_OUTAGES)
def confirm_restore(outage_id: int) -> tuple[str, int]:
    return _confirm_page(outage_id, "restore")


@bp.post("/<int:outage_id>/restore")
@requires(Permission.EDIT_OUTAGES)
def restore(outage_id: int) -> Response | tuple[str, int]:
    try:
        payload = form_to_payload(request.form, _languages())
        data = load_or_fail(ActionSchema(), {"ended_at": payload.get("ended_at")})
    except ValidationFailed as error:
        return _confirm_page(outage_id, "restore", flatten_errors(error.errors), 422)
    return _action(
        outage_id,
        lambda: services.restore_outage(outage_id, data.get("ended_at")),
        _("The interruption was marked as ended."),
    )


@bp.get("/<int:outage_id>/cancel")
@requires(Permission.EDIT_OUTAGES)
def confirm_cancel(outage_id: int) -> tuple[str, int]:
    return _confirm_page(outage_id, "cancel")


@bp.post("/<int:outage_id>/cancel")
@requires(Permission.EDIT_OUTAGES)
def cancel(outage_id: int) -> Response | tuple[str, int]:
    """Cancelling a notice needs a reason, kept in its update history and the audit log."""
    try:
        data = load_or_fail(ActionSchema(), {"reason": request.form.get("reason", "")})
        if not data.get("reason"):
            raise ValidationFailed({"reason": [_("Say why the notice is cancelled.")]})
    except ValidationFailed as error:
        return _confirm_page(outage_id, "cancel", flatten_errors(error.errors), 422)
    return _action(
        outage_id,
        lambda: services.cancel_outage(outage_id, data["reason"]),
        _("The interruption was cancelled."),
    )


@bp.post("/preview")
@requires(Permission.EDIT_OUTAGES)
def preview() -> Response:
    """The public text in every language for the form as it stands (live preview)."""
    try:
        data = _load_form()
    except ValidationFailed as error:
        return jsonify(errors=flatten_errors(error.errors))
    return jsonify(services.preview_publication(data))
