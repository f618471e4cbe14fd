"""What a GeoReport client sends, read into our terms: a case's input, a location, GET filters.

Each problem is an Open311Error naming the GeoReport parameter it is about (`lat, long: …`),
400 for bad input and 404 for an unknown service_code (decision 0005). The case's own fields
are then checked by CaseInputSchema, whose errors routes.py renames with PARAMETERS.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from feedback.models import CaseType, SubjectArea
from feedback.open311.documents import REPLY_CHANNELS
from feedback.open311.formats import Open311Error
from service.db import utcnow
from service.i18n import NonexistentLocalTime, from_local

MAX_REQUESTS = 1000  # GeoReport v2: "first 1000 requests returned"
MAX_SPAN = dt.timedelta(days=90)  # GeoReport v2: a date range "may not span more than 90 days"

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


def case_type_of(code: str | None) -> CaseType:
    """The case type a service_code names: 400 when none is sent, 404 when it is unknown."""
    if not code:
        raise Open311Error(400, "service_code: " + _("Choose what kind of message this is."))
    try:
        return CaseType(code)
    except ValueError:
        raise Open311Error(
            404, _("There is no service with the code %(code)s.", code=code)
        ) from None


def case_input(values: Mapping[str, str], case_type: CaseType) -> dict[str, Any]:
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


def location(values: Mapping[str, str]) -> dict[str, float]:
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


def filters(args: Mapping[str, str]) -> dict[str, Any]:
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
