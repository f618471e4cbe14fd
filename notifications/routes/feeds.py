"""Language-neutral feeds: iCalendar of planned interruptions and CAP 1.2 per outage."""

from __future__ import annotations

from flask import Blueprint
from werkzeug.wrappers import Response

from notifications import queries
from notifications.feeds import cap_alert, icalendar_feed
from notifications.routes.caching import cached_public

bp = Blueprint("feeds", __name__)


@bp.get("/outages.ics")
def ics() -> Response:
    return cached_public(lambda: icalendar_feed(queries.planned_for_calendar()), "text/calendar")


@bp.get("/outages/<int:outage_id>.cap.xml")
def cap(outage_id: int) -> Response:
    return cached_public(lambda: cap_alert(queries.get_outage(outage_id)), "application/cap+xml")
