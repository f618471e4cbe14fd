"""Back office of the emergency line: the board, the intake form, one call, its printable record,
the intake hints (small JSON endpoints for intake.js) and the duty roster.

Thin handlers: the form is loaded with the API's schema and one service function is called.
The intake form works without JavaScript; intake.js (a static file, no inline script) only adds
the hints while typing.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from feedback.emergency import queries, roster, services
from feedback.emergency.clocks import call_clocks
from feedback.emergency.models import (
    STAFF_CHANNELS,
    CallerKind,
    Outcome,
    Priority,
    Problem,
    Scope,
)
from feedback.emergency.schemas import (
    CallbackDoneSchema,
    CallInputSchema,
    DutyChangeSchema,
    DutySlotSchema,
    PostcodeField,
)
from service.auth import Permission, requires
from service.db import utcnow
from service.errors import Conflict, ValidationFailed, flatten_errors
from service.i18n import current_language, format_locale, local_time_iso, to_local
from service.phones import any_number_e164, display_phone
from service.validation import load_or_fail

bp = Blueprint(
    "staff_emergency", __name__, url_prefix="/staff/emergency", template_folder="../templates"
)
# intake.js, public like every script (outside /staff/, where each endpoint needs a permission)
assets = Blueprint(
    "emergency_assets", __name__, static_folder="../static", static_url_path="/assets/emergency"
)

Page = BaseResponse | str | tuple[str, int]
INTAKE_FIELDS = (
    "caller_phone",
    "problem",
    "postcode",
    "street",
    "house_number",
    "priority",
    "scope",
    "caller_kind",
    "caller_name",
    "description",
    "language",
    "received_at",
    "back_entry_reason",
    "node_id",
    "channel",
    "outage_id",
)
HANDLING_FIELDS = (
    "answered_at",
    "verified_at",
    "dispatched_at",
    "crew",
    "on_site_at",
    "resolved_at",
    "informed_at",
    "outcome",
    "priority",
    "description",
)
TIME_FIELDS = frozenset(
    {
        "received_at",
        "answered_at",
        "verified_at",
        "dispatched_at",
        "on_site_at",
        "resolved_at",
        "informed_at",
        "callback_due_at",
    }
)


def local_input(moment: dt.datetime | None) -> str:
    """A UTC time as <input type=datetime-local> shows it (local wall clock, no offset)."""
    return to_local(moment).strftime("%Y-%m-%dT%H:%M") if moment else ""


def _form(names: tuple[str, ...]) -> dict[str, Any]:
    """The named fields as submitted; local times as ISO 8601 with offset for the schema."""
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name in names:
        if name not in request.form:
            continue
        value = request.form.get(name, "")
        if name in TIME_FIELDS and value.strip():
            try:
                value = local_time_iso(value.strip())
            except ValueError as error:
                errors[name] = [str(error)]
        data[name] = value
    if errors:
        raise ValidationFailed(errors)
    return data


def _choices() -> dict[str, Any]:
    return {
        "problems": list(Problem),
        "priorities": list(Priority),
        "scopes": list(Scope),
        "caller_kinds": list(CallerKind),
        "channels": STAFF_CHANNELS,
        "outcomes": list(Outcome),
    }


# --- Board -----------------------------------------------------------------------------------


@bp.get("/")
@requires(Permission.VIEW_EMERGENCY_CALLS)
def board() -> str:
    found = queries.board()
    return render_template(
        "emergency/board.html",
        board=found,
        clocks={c.id: call_clocks(c, found.now) for c in found.open_calls},
        duty=roster.duty_now(found.now),
        display_phone=display_phone,
    )


# --- Intake ----------------------------------------------------------------------------------


def _intake_page(values: dict[str, Any], errors: dict[str, list[str]], status: int = 200) -> Page:
    return (
        render_template(
            "emergency/new.html",
            values=values,
            errors=errors,
            back_entry_minutes=_settings().back_entry_minutes,
            **_choices(),
        ),
        status,
    )


def _settings() -> Any:
    from service.settings import current_settings

    return current_settings().emergency


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.RECORD_EMERGENCY_CALLS)
def new() -> Page:
    if request.method == "GET":
        return _intake_page(
            {
                "received_at": local_input(utcnow()),
                "language": current_language(),
                "channel": "phone",
                "priority": "normal",
                "scope": "building",
                "caller_kind": "resident",
            },
            {},
        )
    values = {name: request.form.get(name, "") for name in INTAKE_FIELDS}
    try:
        data = load_or_fail(CallInputSchema(), _form(INTAKE_FIELDS))
        call = services.record_call(data)
    except ValidationFailed as error:
        return _intake_page(values, flatten_errors(error.errors), 422)
    flash(_("Call %(id)s was logged.", id=call.id), "success")
    return redirect(url_for(".detail", call_id=call.id))


@bp.get("/lookup/phone")
@requires(Permission.VIEW_EMERGENCY_CALLS)
def lookup_phone() -> Response:
    """Earlier calls and open cases from a number, for the intake form's hints."""
    number = any_number_e164(request.args.get("phone", "").strip()[:40])
    calls = queries.calls_from_phone(number) if number and len(number) > 7 else []
    return jsonify(calls=[_call_hint(c) for c in calls])


@bp.get("/lookup/address")
@requires(Permission.VIEW_EMERGENCY_CALLS)
def lookup_address() -> Response:
    """Published interruptions covering the address, and calls from its street lately."""
    try:
        postcode = PostcodeField().deserialize(request.args.get("postcode", ""))
    except Exception:  # noqa: BLE001 (not a postcode yet: no hints)
        return jsonify(outages=[], calls=[])
    street = request.args.get("street", "").strip()[:200] or None
    number = request.args.get("number", "").strip()[:20] or None
    if any(_has_control(t) for t in (street, number)):
        return jsonify(outages=[], calls=[])
    outages = queries.outages_at(postcode, street, number)
    return jsonify(
        outages=[_outage_hint(o) for o in outages],
        calls=[_call_hint(c) for c in queries.calls_on_street(postcode, street)],
    )


def _has_control(text: str | None) -> bool:
    return bool(text) and any(ord(c) < 32 or c == "\x7f" for c in text or "")


def _call_hint(call: Any) -> dict[str, Any]:
    from service.i18n import format_datetime

    return {
        "id": call.id,
        "url": url_for(".detail", call_id=call.id),
        "received": format_datetime(call.received_at),
        "problem": _label("problem", call.problem),
        "address": " ".join(p for p in (call.street, call.house_number) if p),
        "open": call.resolved_at is None,
        "text": _(
            "Call %(id)s, %(when)s: %(problem)s",
            id=call.id,
            when=format_datetime(call.received_at),
            problem=_label("problem", call.problem),
        ),
    }


def _outage_hint(outage: Any) -> dict[str, Any]:
    from service.i18n import format_time

    street = next((a.street for a in outage.areas if a.street), None) or outage.areas[0].postcode
    return {
        "id": outage.id,
        "url": url_for("staff_outages.detail", outage_id=outage.id),
        "text": _(
            "This address is in the interruption on %(street)s since %(time)s.",
            street=street,
            time=format_time(outage.starts_at),
        ),
        "link": _("Link this call"),
        "linked": _("Linked to interruption %(id)s", id=outage.id),
    }


def _label(kind: str, value: Any) -> str:
    from feedback.emergency.labels import LABELS

    return LABELS.label(kind, value)


# --- One call --------------------------------------------------------------------------------


def _detail_page(
    call_id: int, errors: dict[str, list[str]] | None = None, status: int = 200
) -> Page:
    call = services.get_call(call_id)
    outages = (
        queries.outages_at(call.postcode, call.street, call.house_number) if call.postcode else []
    )
    values = {name: getattr(call, name) for name in HANDLING_FIELDS}
    for name in TIME_FIELDS & set(values):
        values[name] = local_input(values[name])
    values["outcome"] = call.outcome.value if call.outcome else ""
    values["priority"] = call.priority.value
    if errors:
        values.update({k: request.form.get(k, "") for k in HANDLING_FIELDS if k in request.form})
    return (
        render_template(
            "emergency/detail.html",
            call=call,
            clocks=call_clocks(call),
            outages=outages,
            earlier=[c for c in queries.calls_from_phone(call.caller_phone) if c.id != call.id]
            if call.caller_phone
            else [],
            values=values,
            errors=errors or {},
            display_phone=display_phone,
            **_choices(),
        ),
        status,
    )


@bp.get("/<int:call_id>")
@requires(Permission.VIEW_EMERGENCY_CALLS)
def detail(call_id: int) -> Page:
    return _detail_page(call_id)


def _act(call_id: int, done: str, action: Any) -> Page:
    try:
        action()
    except ValidationFailed as error:
        return _detail_page(call_id, flatten_errors(error.errors), 422)
    flash(done, "success")
    return redirect(url_for(".detail", call_id=call_id))


def _version() -> int | None:
    raw = request.form.get("version", "")
    if not raw.isdigit():
        raise Conflict(_("This form is out of date. Reload the call and try again."))
    return int(raw)


@bp.post("/<int:call_id>")
@requires(Permission.RECORD_EMERGENCY_CALLS)
def handle(call_id: int) -> Page:
    def run() -> None:
        data = _form(HANDLING_FIELDS)
        data["informed_in_writing"] = "true" if request.form.get("informed_in_writing") else "false"
        loaded = load_or_fail(CallInputSchema(partial=True), data)
        services.update_call(call_id, loaded, expected_version=_version())

    return _act(call_id, _("The call was saved."), run)


@bp.post("/<int:call_id>/link")
@requires(Permission.RECORD_EMERGENCY_CALLS)
def link(call_id: int) -> Page:
    def run() -> None:
        loaded = load_or_fail(
            CallInputSchema(partial=True), {"outage_id": request.form.get("outage_id", "")}
        )
        if loaded.get("outage_id") is None:
            raise ValidationFailed({"outage_id": [_("Choose the interruption.")]})
        services.link_outage(call_id, loaded["outage_id"])

    return _act(call_id, _("The call was linked to the interruption."), run)


@bp.post("/<int:call_id>/outage")
@requires(Permission.EDIT_OUTAGES)
def open_outage(call_id: int) -> Page:
    """A new unplanned interruption prefilled from the call, opened for editing."""
    try:
        outage_id = services.open_outage_from_call(call_id)
    except ValidationFailed as error:
        return _detail_page(call_id, flatten_errors(error.errors), 422)
    flash(_("A draft interruption was made from the call. Complete and publish it."), "success")
    return redirect(url_for("staff_outages.edit", outage_id=outage_id))


@bp.post("/<int:call_id>/callback")
@requires(Permission.RECORD_EMERGENCY_CALLS)
def promise(call_id: int) -> Page:
    def run() -> None:
        loaded = load_or_fail(CallInputSchema(partial=True), _form(("callback_due_at",)))
        if loaded.get("callback_due_at") is None:
            raise ValidationFailed({"callback_due_at": [_("Give the time of the callback.")]})
        services.promise_callback(call_id, loaded["callback_due_at"])

    return _act(call_id, _("The callback was promised."), run)


@bp.post("/<int:call_id>/callback/done")
@requires(Permission.RECORD_EMERGENCY_CALLS)
def callback_done(call_id: int) -> Page:
    def run() -> None:
        loaded = load_or_fail(CallbackDoneSchema(), {"note": request.form.get("note", "")})
        services.complete_callback(call_id, loaded.get("note"))

    return _act(call_id, _("The callback was marked done."), run)


# --- The printable intake record -------------------------------------------------------------


def _record_html(call_id: int, lang: str, pdf: bool) -> str:
    call = services.get_call(call_id)
    with force_locale(lang):
        return render_template(
            "emergency/print.html",
            call=call,
            clocks=call_clocks(call),
            lang=lang,
            pdf=pdf,
            print_css=_print_css() if pdf else "",
            display_phone=display_phone,
        )


@functools.lru_cache(maxsize=1)
def _print_css() -> str:
    """The PDF carries its style inline (WeasyPrint fetches nothing); the page links the file."""
    return (Path(__file__).parent.parent / "static" / "emergency" / "print.css").read_text()


def _print_language() -> str:
    from service.i18n import languages

    lang = request.args.get("lang", "")
    return lang if lang in languages() else current_language()


@bp.get("/<int:call_id>/print")
@requires(Permission.VIEW_EMERGENCY_CALLS)
def print_record(call_id: int) -> str:
    """The intake record (formularz przyjęcia zgłoszenia), in ?lang= (the call's or the staff's)."""
    return _record_html(call_id, _print_language(), pdf=False)


@bp.get("/<int:call_id>/record.pdf")
@requires(Permission.VIEW_EMERGENCY_CALLS)
def print_pdf(call_id: int) -> Response:
    import weasyprint

    lang = _print_language()
    html = _record_html(call_id, lang, pdf=True)
    data = weasyprint.HTML(string=html, base_url=request.url_root).write_pdf()
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="emergency-call-{call_id}-{lang}.pdf"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# --- Duty roster -----------------------------------------------------------------------------


def _roster_page(
    errors: dict[str, list[str]] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Page:
    slots, changes = roster.slots_and_changes()
    return (
        render_template(
            "emergency/roster.html",
            slots=slots,
            changes=changes,
            duty=roster.duty_now(),
            errors=errors or {},
            values=values or {},
            display_phone=display_phone,
            local_input=local_input,
            weekday_names=[format_locale().days["format"]["wide"][n] for n in range(7)],
        ),
        status,
    )


@bp.get("/roster")
@requires(Permission.MANAGE_DUTY_ROSTER)
def roster_page() -> Page:
    return _roster_page()


@bp.post("/roster")
@requires(Permission.MANAGE_DUTY_ROSTER)
def roster_change() -> Page:
    action = request.form.get("action", "")
    values = request.form.to_dict()
    try:
        if action == "slot":
            names = ("weekday", "start", "end", "name", "phone", "backup_phone", "lead_phone")
            roster.add_slot(
                load_or_fail(DutySlotSchema(), {n: request.form.get(n, "") for n in names})
            )
        elif action == "change":
            names = ("starts_at", "ends_at", "name", "phone", "backup_phone", "lead_phone", "note")
            prefixed = {"name", "phone", "backup_phone", "lead_phone"}
            data = {n: request.form.get(f"change_{n}" if n in prefixed else n, "") for n in names}
            for name in ("starts_at", "ends_at"):
                if data[name].strip():
                    try:
                        data[name] = local_time_iso(data[name].strip())
                    except ValueError as error:
                        raise ValidationFailed({name: [str(error)]}) from None
            try:
                roster.add_change(load_or_fail(DutyChangeSchema(), data))
            except ValidationFailed as error:
                raise ValidationFailed(
                    {f"change_{k}" if k in prefixed else k: v for k, v in error.errors.items()}
                ) from None
        elif action in ("remove_slot", "remove_change"):
            raw = request.form.get("id", "")
            if not raw.isdigit():
                raise ValidationFailed({"id": [_("Choose what to remove.")]})
            roster.remove(action.removeprefix("remove_"), int(raw))
        else:
            raise ValidationFailed({"action": [_("Choose what to change.")]})
    except ValidationFailed as error:
        return _roster_page(flatten_errors(error.errors), values, 422)
    flash(_("The duty roster was saved."), "success")
    return redirect(url_for(".roster_page"))
