"""Open311 GeoReport v2 over the feedback cases (http://wiki.open311.org/GeoReport_v2).

/open311/discovery.{json,xml}                    Service Discovery: where v2 is, in which formats
/open311/v2/services.{json,xml}                  the case types, named in the client's language
/open311/v2/services/<code>.{json,xml}           a type's attributes (area, customer number, …)
POST /open311/v2/requests.{json,xml}             submit a case (api_key required)
GET  /open311/v2/requests.{json,xml}             cases by reference list, type, status, time
GET  /open311/v2/requests/<reference>.{json,xml} one case

Standard clients must work unchanged, so the spec decides where it differs from the JSON API:
the format is the extension; errors are the spec's list, 403 for a missing or wrong api_key,
404 for an unknown service_code, 400 for any other bad input; a created request answers 200;
the language is the spec's `locale` parameter, then Accept-Language, then the utility's default.
What the GET methods show anyone is decided in docs/decisions/0005-open311.md: never a name,
e-mail, phone, postal address, customer number or the description.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, g, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from feedback import queries, services
from feedback.deadlines import current_deadline, rule_label
from feedback.labels import case_label
from feedback.models import Case, CaseType, Channel, Open311Key, ReplyChannel, SubjectArea
from feedback.open311_format import errors, render
from feedback.open311_keys import active_key
from feedback.references import reference
from feedback.schemas import CaseInputSchema
from service.db import utcnow
from service.errors import DomainError, ValidationFailed, flatten_errors
from service.i18n import (
    LANGUAGE_NAMES,
    NonexistentLocalTime,
    current_language,
    format_datetime,
    from_local,
    settings,
    to_local,
)
from service.validation import load_or_fail

bp = Blueprint("open311", __name__, url_prefix="/open311")

FMT = "<any(json, xml):fmt>"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-22T00:00:00Z"  # when this API last changed (Service Discovery)
MAX_REQUESTS = 1000  # GeoReport v2: "first 1000 requests returned"
MAX_SPAN = dt.timedelta(days=90)  # GeoReport v2: a date range "may not span more than 90 days"
MAX_FORM_BYTES = 64 * 1024
DEFINITION_MAX_AGE = 300
REPLY_CHANNELS = (ReplyChannel.EMAIL, ReplyChannel.SMS)

SERVICE_TEXTS = {
    CaseType.FEEDBACK: (
        _l("Praise, ideas or other feedback about our service."),
        _l("feedback, praise, idea, suggestion"),
    ),
    CaseType.QUESTION: (
        _l("A question about heat supply, hot water, billing or connections."),
        _l("question, information, advice"),
    ),
    CaseType.COMPLAINT: (
        _l("You are not satisfied with our service or the heat supply, and want it put right."),
        _l("complaint, dissatisfied, heating, hot water, quality"),
    ),
    CaseType.BILLING_COMPLAINT: (
        _l("You think a bill is wrong."),
        _l("bill, invoice, billing, payment, complaint"),
    ),
    CaseType.DISCONNECTION_COMPLAINT: (
        _l("A complaint about disconnecting or limiting your heat supply."),
        _l("disconnection, cut off, limitation, complaint"),
    ),
}
# The case input's fields under the names a GeoReport client sent them (for error messages).
PARAMETERS = {
    "type": "service_code",
    "area": "attribute[area]",
    "address": "address_string",
    "customer_number": "attribute[customer_number]",
    "name": "first_name",
    "reply_channel": "attribute[reply_channel]",
    "language": "attribute[language]",
}


class Open311Error(Exception):
    """An answer in the spec's error format: the HTTP status and what went wrong."""

    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__(*descriptions)
        self.status = status
        self.descriptions = list(descriptions)


def register(app: Flask) -> None:
    """The endpoints; clients authenticate with api_key, not a session, so there is no CSRF."""
    from service.extensions import csrf

    app.register_blueprint(bp)
    csrf.exempt(bp)


# --- Every request --------------------------------------------------------------------------


def _language() -> str:
    conf = settings()
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
    conf = settings()
    document = {
        "changeset": CHANGESET,
        "contact": f"{conf.utility_name}, {conf.mail.from_address}",
        "key_service": _(
            "Ask %(utility)s customer service for an api_key.", utility=conf.utility_name
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": f"{conf.public_base_url}/open311/v2",
                "changeset": CHANGESET,
                "type": "production" if conf.env == "production" else "test",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return _cacheable(render(fmt, "discovery", document))


def _service(case_type: CaseType) -> dict[str, Any]:
    description, keywords = SERVICE_TEXTS[case_type]
    return {
        "service_code": case_type.value,
        "service_name": case_label(case_type),
        "description": str(description),
        "metadata": True,
        "type": "realtime",
        "keywords": str(keywords),
        "group": _("Feedback and complaints"),
    }


def _attribute(
    order: int, code: str, datatype: str, description: str, values: Any = None
) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "variable": True,
        "code": code,
        "datatype": datatype,
        "required": False,
        "datatype_description": None,
        "order": order,
        "description": description,
    }
    if values is not None:
        attribute["values"] = [{"key": key, "name": name} for key, name in values]
    return attribute


def _case_type(code: str | None) -> CaseType:
    if not code:
        raise Open311Error(400, "service_code: " + _("Choose what kind of message this is."))
    try:
        return CaseType(code)
    except ValueError:
        raise Open311Error(
            404, _("There is no service with the code %(code)s.", code=code)
        ) from None


@bp.get(f"/v2/services.{FMT}")
def service_list(fmt: str) -> Response:
    return _cacheable(render(fmt, "services", [_service(t) for t in CaseType]))


@bp.get(f"/v2/services/<service_code>.{FMT}")
def service_definition(service_code: str, fmt: str) -> Response:
    case_type = _case_type(service_code)
    languages = [(lang, LANGUAGE_NAMES.get(lang, lang)) for lang in settings().languages]
    document = {
        "service_code": case_type.value,
        "attributes": [
            _attribute(
                1,
                "area",
                "singlevaluelist",
                _("What is it about?"),
                [(area.value, case_label(area)) for area in SubjectArea],
            ),
            _attribute(2, "customer_number", "string", _("Customer number (optional)")),
            _attribute(
                3,
                "reply_channel",
                "singlevaluelist",
                _("How should we answer?"),
                [(channel.value, case_label(channel)) for channel in REPLY_CHANNELS],
            ),
            _attribute(4, "language", "singlevaluelist", _("Language of the answer"), languages),
        ],
    }
    return _cacheable(render(fmt, "service_definition", document))


# --- Requests ----------------------------------------------------------------------------------


def _case_input(values: Mapping[str, str], case_type: CaseType) -> dict[str, Any]:
    """A GeoReport POST as the input of CaseInputSchema (blank parameters count as not sent)."""

    def attribute(code: str) -> str | None:
        return values.get(f"attribute[{code}]")

    channel = (attribute("reply_channel") or "").strip()
    if channel and channel not in {c.value for c in REPLY_CHANNELS}:
        choices = ", ".join(c.value for c in REPLY_CHANNELS)
        raise Open311Error(
            400, "attribute[reply_channel]: " + _("Choose one of: %(choices)s.", choices=choices)
        )
    names = (values.get("first_name"), values.get("last_name"))
    data = {
        "type": case_type.value,
        "area": (attribute("area") or "").strip() or SubjectArea.OTHER.value,
        "description": values.get("description"),
        "address": values.get("address_string"),
        "customer_number": attribute("customer_number"),
        "name": " ".join(n.strip() for n in names if n and n.strip()),
        "email": values.get("email"),
        "phone": values.get("phone"),
        "reply_channel": channel,
        "language": attribute("language"),
    }
    return {name: value for name, value in data.items() if value and value.strip()}


def _location(values: Mapping[str, str]) -> dict[str, float]:
    """lat and long (WGS84) when sent: both, in range; an address_string alone is fine too."""
    lat, long = (values.get(name, "").strip() for name in ("lat", "long"))
    if not lat and not long:
        return {}
    try:
        latitude, longitude = float(lat), float(long)
    except ValueError:
        latitude = longitude = float("nan")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise Open311Error(
            400, "lat, long: " + _("Send both lat and long, in decimal degrees (WGS84).")
        )
    return {"latitude": latitude, "longitude": longitude}


def _w3c(moment: dt.datetime | None) -> str | None:
    """W3C date-time in the utility's zone with its offset: 2026-11-23T08:00:00+02:00."""
    return None if moment is None else to_local(moment).isoformat(timespec="seconds")


def _notice(case: Case, now: dt.datetime) -> str | None:
    """The deadline we answer by, and its rule; nothing once the case is closed."""
    if not case.is_open:
        return None
    return _(
        "We will answer by %(deadline)s at the latest (%(rule)s).",
        deadline=format_datetime(current_deadline(case, now), current_language()),
        rule=rule_label(case.rule_value, case.rule_unit),
    )


def _request_view(case: Case, now: dt.datetime) -> dict[str, Any]:
    """What anyone may see of a case: no contact details, no customer number, no description."""
    updated = case.closed_at if not case.is_open and case.closed_at else case.updated_at
    public_place = case.channel is Channel.OPEN311
    return {
        "service_request_id": reference(case),
        "status": "open" if case.is_open else "closed",
        "status_notes": case_label(case.status),
        "service_name": case_label(case.type),
        "service_code": case.type.value,
        "description": None,
        "agency_responsible": settings().utility_name,
        "service_notice": _notice(case, now),
        "requested_datetime": _w3c(case.received_at),
        "updated_datetime": _w3c(updated),
        "expected_datetime": _w3c(current_deadline(case, now)),
        # The property address and position only of a request made through Open311: the
        # resident chose a public channel. A complaint by phone or on our own form does not
        # publish where the resident lives (decision 0005).
        "address": case.address if public_place else None,
        "address_id": None,
        "zipcode": None,
        "lat": case.latitude if public_place else None,
        "long": case.longitude if public_place else None,
        "media_url": None,
    }


@bp.post(f"/v2/requests.{FMT}")
def create_request(fmt: str) -> Response:
    key = _client_key()
    case_type = _case_type(request.values.get("service_code"))
    data = load_or_fail(CaseInputSchema(), _case_input(request.values, case_type))
    data.update(_location(request.values))
    g.actor = f"open311:{key.id}:{key.name}"
    receipt = services.submit_case(data, channel=Channel.OPEN311, open311_key_id=key.id)
    case = queries.get_case(receipt.case_id)
    created = {
        "service_request_id": receipt.reference,
        "service_notice": _notice(case, utcnow()),
        "account_id": None,
    }
    return render(fmt, "service_requests", [created])


def _csv(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
# An offset sent unencoded ("+02:00") arrives as " 02:00".
_SPACED_OFFSET = re.compile(r"(T[\d:.]+) (\d{2}:?\d{2})$")


def _moment(args: Mapping[str, str], name: str) -> dt.datetime | None:
    """A W3C date-time with its offset (2026-01-01T00:00:00Z); a bare date is local midnight."""
    text = _SPACED_OFFSET.sub(r"\1+\2", (args.get(name) or "").strip())
    if not text:
        return None
    try:
        if _DATE_ONLY.fullmatch(text):
            return from_local(dt.datetime.fromisoformat(text))
        moment = dt.datetime.fromisoformat(text)
    except (ValueError, NonexistentLocalTime):
        message = _("Enter a date and time in ISO 8601 format, e.g. 2026-11-23T08:00:00+02:00.")
        raise Open311Error(400, f"{name}: {message}") from None
    if moment.tzinfo is None:
        message = _("Give the time with its UTC offset, e.g. 2026-11-23T08:00:00+02:00.")
        raise Open311Error(400, f"{name}: {message}")
    return moment.astimezone(dt.UTC)


def _filters(args: Mapping[str, str]) -> dict[str, Any]:
    """GET requests' parameters as the query's: service_request_id overrides all the others."""
    references = _csv(args.get("service_request_id"))
    if references:
        return {"references": references, "limit": MAX_REQUESTS}
    statuses = {status.lower() for status in _csv(args.get("status"))}
    if statuses - {"open", "closed"}:
        raise Open311Error(
            400, "status: " + _("Choose one of: %(choices)s.", choices="open, closed")
        )
    codes = _csv(args.get("service_code"))
    types = tuple(t for t in CaseType if t.value in codes) if codes else None
    start, end = _moment(args, "start_date"), _moment(args, "end_date")
    if start is None:
        end = end or utcnow()
        start = end - MAX_SPAN
    elif end is None:
        end = start + MAX_SPAN
    if end < start:
        raise Open311Error(400, "end_date: " + _("The end date is before the start date."))
    if end - start > MAX_SPAN:
        raise Open311Error(
            400,
            "start_date, end_date: "
            + _("The period may be at most %(days)d days long.", days=MAX_SPAN.days),
        )
    return {
        "types": types,
        "statuses": statuses or None,
        "received_from": start,
        "received_to": end,
        "limit": MAX_REQUESTS,
    }


@bp.get(f"/v2/requests.{FMT}")
def list_requests(fmt: str) -> Response:
    _check_key()
    cases = queries.open311_requests(**_filters(request.args))
    now = utcnow()
    return render(fmt, "service_requests", [_request_view(case, now) for case in cases])


@bp.get(f"/v2/requests/<service_request_id>.{FMT}")
def get_request(service_request_id: str, fmt: str) -> Response:
    _check_key()
    cases = queries.open311_requests(references=[service_request_id], limit=1)
    if not cases:
        raise Open311Error(404, _("There is no service request %(id)s.", id=service_request_id))
    return render(fmt, "service_requests", [_request_view(cases[0], utcnow())])


@bp.route("/<path:unknown>", methods=["GET", "POST"])
def unknown_path(unknown: str) -> Response:
    """Anything else under /open311/ is a 404 in the spec's format, not the JSON API's."""
    raise Open311Error(404, _("The page or item you asked for does not exist."))
