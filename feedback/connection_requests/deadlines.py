"""The request's clocks: the conditions deadline, missing items' due dates, and validity.

The arithmetic is service/calendar.py's (pure): the deadline is FAIRHEAT_CONNECTION_CONDITIONS_DAYS
calendar days (PL default 30, utilities' connection rules) after the COMPLETE application, the
day it became complete not counted (art. 111 § 2 KC), moved past a Saturday, Sunday or holiday
(art. 115 KC), ending 23:59:59 local time. The rule and its source are kept with the request as
they stood, so a later change of the setting does not rewrite the evidence.

Validity: conditions 2 years, preliminary conditions 1 year (MPEC; art. 7 ust. 8i PE, the
electricity wording); sources differ on whether from the date set or the date delivered, so both
dates are kept and FAIRHEAT_CONNECTION_EXPIRY_FROM picks the one counted.
"""

from __future__ import annotations

import datetime as dt

from config.connection_settings import ConnectionSettings
from feedback.connection_requests.models import ConnectionRequest
from service.calendar import add_calendar_days
from service.settings import current_settings


def conf() -> ConnectionSettings:
    return current_settings().connection_requests


def conditions_deadline(complete_at: dt.datetime, days: int | None = None) -> dt.datetime:
    settings = current_settings()
    return add_calendar_days(
        complete_at,
        days if days is not None else settings.connection_requests.conditions_days,
        settings.jurisdiction.country,
        settings.timezone,
    )


def start_clock(request: ConnectionRequest, complete_at: dt.datetime) -> None:
    """The application is complete at `complete_at`: the conditions deadline runs from there."""
    c = conf()
    request.complete_at = complete_at
    request.rule_days = c.conditions_days
    request.rule_source = c.conditions_source[:300]
    request.base_due_at = conditions_deadline(complete_at, c.conditions_days)
    request.conditions_due_at = request.base_due_at


def item_due(requested_at: dt.datetime, days: int | None = None) -> dt.datetime:
    """When a missing item is due: calendar days, rolled past holidays like any deadline."""
    return conditions_deadline(requested_at, days or conf().missing_item_days)


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar date `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def set_expiry(request: ConnectionRequest) -> None:
    """Validity from the configured date (set or delivered); none yet while that date is not
    known (conditions not delivered yet)."""
    c = conf()
    counted_from = c.expiry_from
    start = request.conditions_set_on if counted_from == "set" else request.conditions_delivered_on
    years = c.preliminary_validity_years if request.preliminary else c.validity_years
    request.expiry_counted_from = counted_from
    request.expires_on = add_years(start, years) if start is not None else None


def days_late(due_at: dt.datetime | None, now: dt.datetime) -> int:
    """Whole days past the deadline (a day begun counts: the penalty is per day of delay)."""
    if due_at is None or now <= due_at:
        return 0
    return (now - due_at).days + 1
