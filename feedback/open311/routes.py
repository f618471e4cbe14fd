"""The Open311 endpoints: each reads its parameters, calls one function, writes one document.

Clients authenticate with an api_key, not a session, so the blueprint is exempt from CSRF.
Every answer, errors included, is in the format the path's extension names (decision 0005):
403 for a missing or wrong api_key, 404 for an unknown service_code or request, 400 for any
other bad input, in the spec's `errors` list.
"""

from __future__ import annotations

import re

from flask import Blueprint, Flask, g, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from feedback import intake, queries
from feedback.models import CaseType, Channel
from feedback.open311 import documents
from feedback.open311.formats import Open311Error, errors, render
from feedback.open311.keys import active_key
from feedback.open311.models import Open311Key
from feedback.open311.parameters import PARAMETERS, case_input, case_type_of, filters, location
from feedback.open311.queries import service_requests
from feedback.schemas import CaseInputSchema
from service.db import utcnow
from service.errors import DomainError, ValidationFailed, flatten_errors
from service.i18n import current_language
from service.settings import current_settings
from service.validation import load_or_fail

bp = Blueprint("open311", __name__, url_prefix="/open311")

FMT = "<any(json, xml):fmt>"
MAX_FORM_BYTES = 64 * 1024
DEFINITION_MAX_AGE = 300


def register(app: Flask) -> None:
    """The endpoints; clients authenticate with api_key, not a session, so there is no CSRF."""
    from service.extensions import csrf

    app.register_blueprint(bp)
    csrf.exempt(bp)


# --- Every request --------------------------------------------------------------------------


def _language() -> str:
    conf = current_settings()
    locale = (request.values.get("locale") or "").strip()  # fi_FI, pl, en-US
    lang = re.split(r"[-_]", locale, maxsplit=1)[0].lower()
    if lang in conf.languages:
        return lang
    return request.accept_languages.best_match(conf.languages) or conf.default_language


@bp.before_request
def choose_language() -> None:
    if (request.content_length or 0) > MAX_FORM_BYTES:
        raise Open311Error(413, _("What you sent is too large."))
    g.lang = _language()


@bp.after_request
def headers(response: Response) -> Response:
    response.headers["Content-Language"] = current_language()
    response.vary.add("Accept-Language")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _fmt() -> str:
    return "xml" if request.path.endswith(".xml") else "json"


@bp.errorhandler(Open311Error)
def open311_error(error: Open311Error) -> Response:
    return errors(_fmt(), error.status, error.descriptions)


@bp.errorhandler(ValidationFailed)
def invalid_input(error: ValidationFailed) -> Response:
    descriptions = [
        message if field == "_schema" else f"{PARAMETERS.get(field, field)}: {message}"
        for field, messages in flatten_errors(error.errors).items()
        for message in messages
    ]
    return errors(_fmt(), 400, descriptions)


@bp.errorhandler(DomainError)
def domain_error(error: DomainError) -> Response:
    status = 404 if error.status_code == 404 else 400
    return errors(_fmt(), status, [str(error.message or _http_message(status))])


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    status = error.code or 500
    return errors(_fmt(), status, [_http_message(status)])


def _http_message(status: int) -> str:
    messages = {
        400: _("The request could not be understood."),
        403: _("You do not have permission to do this."),
        404: _("The page or item you asked for does not exist."),
        405: _("This page does not accept this kind of request."),
        413: _("What you sent is too large."),
        429: _("Too many attempts. Please wait a moment and try again."),
    }
    return messages.get(status, _("Something went wrong on our side. Please try again later."))


def _client_key() -> Open311Key:
    """The client's key, which POST requires: 403 when it is missing, unknown or revoked."""
    sent = request.values.get("api_key")
    if not sent:
        raise Open311Error(403, _("An api_key is required to submit a service request."))
    key = active_key(sent)
    if key is None:
        raise Open311Error(403, _("This api_key is not valid: it is unknown or was revoked."))
    return key


def _check_key() -> None:
    """GET methods need no key, but one that is sent must be valid (a client learns early)."""
    if request.values.get("api_key"):
        _client_key()


def _cacheable(response: Response) -> Response:
    response.headers["Cache-Control"] = f"public, max-age={DEFINITION_MAX_AGE}"
    return response


# --- Discovery and services --------------------------------------------------------------------


@bp.get(f"/discovery.{FMT}")
def discovery(fmt: str) -> Response:
    return _cacheable(render(fmt, "discovery", documents.discovery()))


@bp.get(f"/v2/services.{FMT}")
def service_list(fmt: str) -> Response:
    return _cacheable(render(fmt, "services", [documents.service(t) for t in CaseType]))


@bp.get(f"/v2/services/<service_code>.{FMT}")
def service_definition(service_code: str, fmt: str) -> Response:
    document = documents.service_definition(case_type_of(service_code))
    return _cacheable(render(fmt, "service_definition", document))


# --- Requests ----------------------------------------------------------------------------------


@bp.post(f"/v2/requests.{FMT}")
def create_request(fmt: str) -> Response:
    key = _client_key()
    case_type = case_type_of(request.values.get("service_code"))
    data = load_or_fail(CaseInputSchema(), case_input(request.values, case_type))
    data.update(location(request.values))
    g.actor = f"open311:{key.id}:{key.name}"
    receipt = intake.submit_case(data, channel=Channel.OPEN311, open311_key_id=key.id)
    case = queries.get_case(receipt.case_id)
    created = documents.created_request(receipt.reference, case, utcnow())
    return render(fmt, "service_requests", [created])


@bp.get(f"/v2/requests.{FMT}")
def list_requests(fmt: str) -> Response:
    _check_key()
    cases = service_requests(**filters(request.args))
    now = utcnow()
    return render(fmt, "service_requests", [documents.service_request(case, now) for case in cases])


@bp.get(f"/v2/requests/<service_request_id>.{FMT}")
def get_request(service_request_id: str, fmt: str) -> Response:
    _check_key()
    cases = service_requests(references=[service_request_id], limit=1)
    if not cases:
        raise Open311Error(404, _("There is no service request %(id)s.", id=service_request_id))
    return render(fmt, "service_requests", [documents.service_request(cases[0], utcnow())])


@bp.route("/<path:unknown>", methods=["GET", "POST"])
def unknown_path(unknown: str) -> Response:
    """Anything else under /open311/ is a 404 in the spec's format, not the JSON API's."""
    raise Open311Error(404, _("The page or item you asked for does not exist."))
