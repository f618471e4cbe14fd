"""Public pages under /<lang>/: the application form and the private tracking pages.

/<lang>/connection-request                                   the form
/<lang>/connection-request/<reference>/<token>               status, dates, conditions, expiry
/<lang>/connection-request/<reference>/<token>/items         the applicant adds missing items
/<lang>/connection-request/<reference>/<token>/documents/<id>  one of the request's documents

The tracking link is the only key (no account): its pages are never cached, never indexed, and
send no Referer (service.tracking.private_pages). A wrong reference or token is the same 404.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from feedback.connection_requests import intake, queries
from feedback.connection_requests.messages import deadline_sentence, next_steps_text
from feedback.connection_requests.models import (
    APPLICANT_DOCUMENTS,
    DocumentKind,
)
from feedback.connection_requests.procedure import CLOSED
from feedback.connection_requests.references import reference, tracking_token
from feedback.connection_requests.routes.files import document_response
from feedback.connection_requests.routes.forms import form_fields, render_application_form
from feedback.connection_requests.schemas import ApplicationSchema
from feedback.connection_requests.uploads import Upload
from service.errors import ValidationFailed, flatten_errors
from service.form_limits import count_request
from service.i18n import current_language, language_prefixed
from service.settings import current_settings
from service.tracking import private_pages
from service.validation import load_or_fail, small_id

bp = private_pages(
    language_prefixed(
        Blueprint(
            "connection_requests",
            __name__,
            url_prefix="/<lang>",
            template_folder="../templates",
        )
    )
)
Page = Response | str | tuple[str, int]
TOKEN_FIELD = "form_token"


def _intake_limit() -> str:
    return current_settings().feedback.intake_rate_limit


def _form_page(values: dict[str, Any], errors: dict[str, list[str]], status: int = 200) -> Page:
    page = render_application_form(
        "connection_requests/form.html",
        values=values,
        errors=errors,
        form_token=values.get(TOKEN_FIELD) or secrets.token_urlsafe(24),
    )
    return page, status


@bp.get("/connection-request")
def form() -> Page:
    return _form_page({"language": current_language()}, {})


@bp.post("/connection-request")
def submit() -> Page:
    count_request(_intake_limit())
    values = form_fields((TOKEN_FIELD,))
    token = (request.form.get(TOKEN_FIELD) or "").strip()[:64] or None
    files = [
        Upload(kind.value, kind, file.filename, file.stream)
        for kind in APPLICANT_DOCUMENTS
        for file in request.files.getlist(kind.value)
        if file.filename
    ]
    try:
        data = load_or_fail(ApplicationSchema(), form_fields())
        receipt = intake.submit_request(data, files, idempotency_key=token)
    except ValidationFailed as error:
        return _form_page(values, flatten_errors(error.errors), 422)
    flash(
        _(
            "Thank you. Your connection request was received; its reference number is "
            "%(reference)s. Keep this page's address to follow it.",
            reference=receipt.reference,
        ),
        "success",
    )
    return redirect(url_for(".track", reference=receipt.reference, token=receipt.token))


def _track_page(
    request_: Any, errors: dict[str, list[str]] | None = None, status: int = 200
) -> Page:
    ref, token = reference(request_), tracking_token(request_)
    return (
        render_template(
            "connection_requests/track.html",
            request=request_,
            reference=ref,
            token=token,
            steps=[s for s in request_.steps if s.visible],
            errors=errors or {},
            closed=request_.status in CLOSED,
            next_steps=next_steps_text(request_),
            deadline=deadline_sentence(request_) if request_.conditions_due_at else None,
            conditions=[d for d in request_.documents if d.kind is DocumentKind.CONDITIONS],
        ),
        status,
    )


@bp.get("/connection-request/<reference>/<token>")
def track(reference: str, token: str) -> Page:
    return _track_page(queries.for_tracking(reference, token))


@bp.post("/connection-request/<reference>/<token>/items")
def add_items(reference: str, token: str) -> Page:
    count_request(_intake_limit())
    found = queries.for_tracking(reference, token)
    answers: dict[int, str] = {}
    files: list[Upload] = []
    links: dict[str, int] = {}
    for item in found.open_items:
        text = (request.form.get(f"answer_{item.id}") or "").strip()[:5000]
        if text:
            answers[item.id] = text
        field = f"item_{item.id}"
        for file in request.files.getlist(field):
            if file.filename:
                kind = item.document_kind or DocumentKind.OTHER
                files.append(Upload(field, kind, file.filename, file.stream))
                links[field] = item.id
    try:
        intake.add_items(found, answers, files, item_ids_for_files=links)
    except ValidationFailed as error:
        return _track_page(found, flatten_errors(error.errors), 422)
    flash(_("Thank you. What you sent was added to your request."), "success")
    return redirect(url_for(".track", reference=reference, token=token))


@bp.get("/connection-request/<reference>/<token>/documents/<document_id>")
def document(reference: str, token: str, document_id: str) -> Response:
    found = queries.for_tracking(reference, token)
    return document_response(queries.document_of(found, small_id(document_id) or 0))
