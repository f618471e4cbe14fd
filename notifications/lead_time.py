"""The notice lead-time rule for planned interruptions, as pure functions.

PL: a planned interruption is announced at least 7 days ahead (§ 25 "systemowe", as utilities'
standards apply it); FI and SE have no fixed number and use a policy default (2 days). "Days
ahead" counts calendar days in the utility's zone: published on the 16th for a start on the 23rd
is 7 days ahead whatever the hour, which is how residents and the regulator read a notice date.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo


def days_ahead(published_at: dt.datetime, starts_at: dt.datetime, timezone: str) -> int:
    """Whole calendar days from the day of publication to the day the interruption starts."""
    zone = zoneinfo.ZoneInfo(timezone)
    return (starts_at.astimezone(zone).date() - published_at.astimezone(zone).date()).days


def is_late(
    published_at: dt.datetime, starts_at: dt.datetime, required_days: int, timezone: str
) -> bool:
    return days_ahead(published_at, starts_at, timezone) < required_days


def latest_timely_publication(starts_at: dt.datetime, required_days: int, timezone: str) -> dt.date:
    """The last local day on which the notice could still be published on time."""
    zone = zoneinfo.ZoneInfo(timezone)
    return starts_at.astimezone(zone).date() - dt.timedelta(days=required_days)
