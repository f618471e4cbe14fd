"""What each GeoReport document says: discovery, the services, and a case as a service request.

What a GET shows anyone is decided in docs/decisions/0005-open311.md: the reference, status,
type, times, the deadline sentence and, only for a request made through Open311, its address
and position. Never a name, e-mail, phone, postal address, customer number or the description.
formats.py writes these structures as JSON or XML.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from feedback.deadlines import current_deadline, rule_label
from feedback.labels import case_label
from feedback.models import Case, CaseType, Channel, ReplyChannel, SubjectArea
from feedback.references import reference
from service.i18n import LANGUAGE_NAMES, current_language, format_datetime, to_local
from service.settings import current_settings

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-22T00:00:00Z"  # when this API last changed (Service Discovery)
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


def discovery() -> dict[str, Any]:
    """Service Discovery: where v2 is, in which formats, and how to get a key."""
    conf = current_settings()
    return {
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


def service(case_type: CaseType) -> dict[str, Any]:
    """One entry of the service list: a case type, named in the client's language."""
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


def service_definition(case_type: CaseType) -> dict[str, Any]:
    """A type's attributes: area, customer number, how to answer and in which language."""
    languages = [(lang, LANGUAGE_NAMES.get(lang, lang)) for lang in current_settings().languages]
    return {
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


def _w3c(moment: dt.datetime | None) -> str | None:
    """W3C date-time in the utility's zone with its offset: 2026-11-23T08:00:00+02:00."""
    return None if moment is None else to_local(moment).isoformat(timespec="seconds")


def notice(case: Case, now: dt.datetime) -> str | None:
    """The deadline we answer by, and its rule; nothing once the case is closed."""
    if not case.is_open:
        return None
    return _(
        "We will answer by %(deadline)s at the latest (%(rule)s).",
        deadline=format_datetime(current_deadline(case, now), current_language()),
        rule=rule_label(case.rule_value, case.rule_unit),
    )


def service_request(case: Case, now: dt.datetime) -> dict[str, Any]:
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
        "agency_responsible": current_settings().utility_name,
        "service_notice": notice(case, now),
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


def created_request(reference_text: str, case: Case, now: dt.datetime) -> dict[str, Any]:
    """The answer to a POST: the new reference and when we will answer (no account ids)."""
    return {
        "service_request_id": reference_text,
        "service_notice": notice(case, now),
        "account_id": None,
    }
