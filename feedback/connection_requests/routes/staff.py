"""Back office: the inbox by deadline, registering a paper request, and one request's page
with its checklist, documents, missing items, history, notes, letters and every step.

Each step form carries the version the staff member saw; a change made meanwhile is a 409.
Handlers parse with the schema and call one service function (steps.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from feedback.connection_requests import intake, queries, steps
from feedback.connection_requests.conditions_pdf import conditions_html, conditions_pdf
from feedback.connection_requests.deadlines import days_late
from feedback.connection_requests.messages import deadline_sentence
from feedback.connection_requests.models import (
    APPLICANT_DOCUMENTS,
    ConnectionRequest,
    DocumentKind,
    IntakeChannel,
    LetterKind,
    RefusalCategory,
    Status,
)
from feedback.connection_requests.procedure import next_steps
from feedback.connection_requests.references import reference, tracking_url
from feedback.connection_requests.routes.files import document_response
from feedback.connection_requests.routes.forms import form_fields, render_application_form
from feedback.connection_requests.schemas import (
    AgreementSchema,
    ConditionsSchema,
    DeliveredSchema,
    ExtensionSchema,
    LetterSentSchema,
    MissingItemSchema,
    PaperApplicationSchema,
    ReasonSchema,
    RefusalSchema,
)
from feedback.connection_requests.uploads import Upload
from service.auth import Permission, requires
from service.db import utcnow
from service.edge import printable_document
from service.errors import Conflict, NotFound, ValidationFailed, flatten_errors
from service.i18n import local_time_iso
from service.settings import current_settings
from service.validation import load_or_fail, small_id

bp = Blueprint(
    "staff_connection_requests",
    __name__,
    url_prefix="/staff/connection-requests",
    template_folder="../templates",
)
Page = BaseResponse | str | tuple[str, int]
HANDLE = Permission.HANDLE_CONNECTIONS


def _user_id() -> int:
    return int(g.staff_user.id)


def _version() -> int:
    version = small_id(request.form.get("version"))
    if version is None:
        raise Conflict(_("This form is out of date. Reload the request and try again."))
    return version


def _request(request_id: int) -> ConnectionRequest:
    from service.extensions import db

    found = db.session.get(ConnectionRequest, request_id)
    if found is None:
        raise NotFound(_("There is no such connection request."))
    return found


def _fields(names: tuple[str, ...]) -> dict[str, Any]:
    return {name: request.form[name] for name in names if name in request.form}


def _file(name: str, kind: DocumentKind) -> Upload | None:
    file = request.files.get(name)
    if file is None or not file.filename:
        return None
    return Upload(name, kind, file.filename, file.stream)


@bp.get("/")
@requires(HANDLE)
def inbox() -> str:
    now = utcnow()
    show_closed = request.args.get("closed") == "1"
    rows = queries.inbox(show_closed)
    return render_template(
        "connection_requests/staff/inbox.html",
        rows=rows,
        now=now,
        reference=reference,
        days_late=lambda r: days_late(r.conditions_due_at, now),
        show_closed=show_closed,
        conf=current_settings().connection_requests,
    )


def _detail(
    found: ConnectionRequest, errors: dict[str, list[str]] | None = None, status: int = 200
) -> Page:
    now = utcnow()
    return (
        render_template(
            "connection_requests/staff/detail.html",
            request=found,
            reference=reference(found),
            tracking_url=tracking_url(found),
            checklist=queries.checklist(found),
            allowed={s.value for s in next_steps(found)},
            deadline=deadline_sentence(found) if found.conditions_due_at else None,
            late=days_late(found.conditions_due_at, now) if found.status is Status.COMPLETE else 0,
            conf=current_settings().connection_requests,
            errors=errors or {},
            document_kinds=list(DocumentKind),
            refusal_categories=list(RefusalCategory),
            letter_kinds=list(LetterKind),
            staff=queries.staff_members(),
        ),
        status,
    )


@bp.get("/<int:request_id>")
@requires(HANDLE)
def detail(request_id: int) -> Page:
    return _detail(_request(request_id))


@bp.get("/<int:request_id>/documents/<int:document_id>")
@requires(HANDLE)
def document(request_id: int, document_id: int) -> Response:
    return document_response(queries.document_of(_request(request_id), document_id))


@bp.get("/<int:request_id>/conditions-draft")
@requires(HANDLE)
def conditions_print(request_id: int) -> Response:
    """The print page of the draft conditions (the same template the PDF is made from)."""
    return printable_document(conditions_html(_request(request_id)))


@bp.get("/<int:request_id>/conditions-draft.pdf")
@requires(HANDLE)
def conditions_draft(request_id: int) -> Response:
    found = _request(request_id)
    response = Response(conditions_pdf(found), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{reference(found)}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _step(request_id: int, action: Callable[[], Any], message: str) -> Page:
    try:
        action()
    except ValidationFailed as error:
        from service.extensions import db

        db.session.rollback()
        return _detail(_request(request_id), flatten_errors(error.errors), 422)
    flash(message, "success")
    return redirect(url_for(".detail", request_id=request_id))


@bp.post("/<int:request_id>/items")
@requires(HANDLE)
def request_item(request_id: int) -> Page:
    def act() -> None:
        data = load_or_fail(
            MissingItemSchema(), _fields(("description", "document_kind", "due_days"))
        )
        steps.request_item(request_id, _version(), data, _user_id())

    return _step(request_id, act, _("The applicant was asked for the missing item."))


@bp.post("/<int:request_id>/complete")
@requires(HANDLE)
def complete(request_id: int) -> Page:
    return _step(
        request_id,
        lambda: steps.mark_complete(request_id, _version(), _user_id()),
        _("The application is complete; the decision deadline runs."),
    )


@bp.post("/<int:request_id>/extend")
@requires(HANDLE)
def extend(request_id: int) -> Page:
    def act() -> None:
        data = load_or_fail(ExtensionSchema(), _fields(("days", "reason")))
        steps.extend_deadline(request_id, _version(), data["days"], data["reason"], _user_id())

    return _step(request_id, act, _("The deadline was extended and the applicant told."))


@bp.post("/<int:request_id>/conditions")
@requires(HANDLE)
def conditions(request_id: int) -> Page:
    def act() -> None:
        names = (
            "connection_point",
            "capacity_kw",
            "heat_carrier",
            "boundary",
            "metering",
            "set_on",
            "delivered_on",
            "connection_fee",
        )
        data = load_or_fail(ConditionsSchema(), _fields(names))
        preliminary = request.form.get("preliminary") == "1"
        signed = _file("conditions_file", DocumentKind.CONDITIONS)
        steps.issue_conditions(
            request_id, _version(), data, signed, preliminary=preliminary, actor_id=_user_id()
        )

    return _step(request_id, act, _("The conditions were issued and the applicant told."))


@bp.post("/<int:request_id>/delivered")
@requires(HANDLE)
def delivered(request_id: int) -> Page:
    def act() -> None:
        data = load_or_fail(DeliveredSchema(), _fields(("delivered_on",)))
        steps.mark_delivered(request_id, _version(), data["delivered_on"], _user_id())

    return _step(request_id, act, _("The delivery date was recorded."))


@bp.post("/<int:request_id>/refuse")
@requires(HANDLE)
def refuse(request_id: int) -> Page:
    def act() -> None:
        data = load_or_fail(RefusalSchema(), _fields(("category", "text")))
        steps.refuse(request_id, _version(), data, _user_id())

    return _step(request_id, act, _("The refusal was recorded."))


@bp.get("/<int:request_id>/letters/<kind>")
@requires(HANDLE)
def letter(request_id: int, kind: str) -> str:
    """A letter to print: the refusal to the applicant in their language, the notice to the
    President of URE in Polish."""
    from flask_babel import force_locale

    from service.i18n import to_local

    found = _request(request_id)
    letter = next((item for item in found.letters if item.kind.value == kind), None)
    if letter is None:
        raise NotFound()
    lang = "pl" if letter.kind is LetterKind.REFUSAL_TO_URE else found.language
    with force_locale(lang):
        return render_template(
            "connection_requests/staff/letter.html",
            request=found,
            letter=letter,
            reference=reference(found),
            utility=current_settings().utility_name,
            today=to_local(utcnow()).date(),
            lang=lang,
        )


@bp.post("/<int:request_id>/letters")
@requires(HANDLE)
def letter_sent(request_id: int) -> Page:
    def act() -> None:
        data = load_or_fail(LetterSentSchema(), _fields(("kind", "sent_on")))
        steps.record_letter_sent(request_id, data["kind"], data["sent_on"], _user_id())

    return _step(request_id, act, _("The date sent was recorded."))


_PLAIN = {
    "agreement_offered": Status.AGREEMENT_OFFERED,
    "agreement_signed": Status.AGREEMENT_SIGNED,
    "works": Status.WORKS,
    "supply_started": Status.SUPPLY_STARTED,
    "connected": Status.CONNECTED,
    "withdrawn": Status.WITHDRAWN,
    "cancelled": Status.CANCELLED,
}
_DOCUMENT_OF = {
    Status.AGREEMENT_OFFERED: DocumentKind.AGREEMENT,
    Status.AGREEMENT_SIGNED: DocumentKind.AGREEMENT,
    Status.SUPPLY_STARTED: DocumentKind.SUPPLY_PROTOCOL,
}


@bp.post("/<int:request_id>/step/<name>")
@requires(HANDLE)
def step(request_id: int, name: str) -> Page:
    target = _PLAIN.get(name)
    if target is None:
        raise NotFound()

    def act() -> None:
        text = None
        if target in {Status.WITHDRAWN, Status.CANCELLED}:
            text = load_or_fail(ReasonSchema(), _fields(("text",)))["text"]
        agreement = None
        if target is Status.AGREEMENT_SIGNED:
            agreement = load_or_fail(
                AgreementSchema(),
                _fields(("connection_fee", "agreed_connection_on", "instalments")),
            )
        kind = _DOCUMENT_OF.get(target)
        steps.advance(
            request_id,
            _version(),
            target,
            actor_id=_user_id(),
            text=text,
            document=_file("document", kind) if kind else None,
            agreement=agreement,
        )

    return _step(request_id, act, _("The step was recorded and the applicant told."))


@bp.post("/<int:request_id>/notes")
@requires(HANDLE)
def note(request_id: int) -> Page:
    def act() -> None:
        steps.add_note(
            request_id, load_or_fail(ReasonSchema(), _fields(("text",)))["text"], _user_id()
        )

    return _step(request_id, act, _("The note was added."))


@bp.post("/<int:request_id>/assign")
@requires(HANDLE)
def assign(request_id: int) -> Page:
    steps.assign(request_id, small_id(request.form.get("user_id")), _user_id())
    return redirect(url_for(".detail", request_id=request_id))


def _new_page(values: dict[str, Any], errors: dict[str, list[str]], status: int = 200) -> Page:
    page = render_application_form(
        "connection_requests/staff/new.html", values=values, errors=errors
    )
    return page, status


@bp.get("/new")
@requires(HANDLE)
def new() -> Page:
    return _new_page({}, {})


@bp.post("/new")
@requires(HANDLE)
def create() -> Page:
    values = form_fields(("received_at",))
    data = form_fields()
    try:
        raw = (request.form.get("received_at") or "").strip()
        if raw:
            try:
                data["received_at"] = local_time_iso(raw)
            except ValueError as error:
                raise ValidationFailed({"received_at": [str(error)]}) from None
        loaded = load_or_fail(PaperApplicationSchema(), data)
        files = [
            Upload(kind.value, kind, file.filename, file.stream)
            for kind in APPLICANT_DOCUMENTS
            for file in request.files.getlist(kind.value)
            if file.filename
        ]
        receipt = intake.submit_request(
            loaded, files, channel=IntakeChannel.PAPER, recorded_by=_user_id()
        )
    except ValidationFailed as error:
        return _new_page(values, flatten_errors(error.errors), 422)
    flash(_("The request %(reference)s was registered.", reference=receipt.reference), "success")
    return redirect(url_for(".detail", request_id=receipt.request_id))
