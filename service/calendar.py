"""Statutory deadline arithmetic: working days, calendar days, wall-clock hours and pauses.

Pure functions: no Flask, no database. Every datetime going in must be timezone-aware; every
datetime coming out is an aware datetime in UTC.

Rules encoded (see ``/work/shared/REGULATION.md``):

* Poland -- art. 111 § 2 Kodeks cywilny: a period counted in days ends with the expiry of its
  last day, and the day of the event that starts it is not counted; art. 115 KC: when the end of
  a period falls on a public holiday or a Saturday, it ends on the next day that is neither.
* Finland -- Act 150/1930 on the computation of statutory time limits (laki säädettyjen
  määräaikain laskemisesta) § 2: the day from which a period is counted is not included; § 5:
  when the last day falls on a Saturday, a Sunday, a public holiday, Independence Day, May Day,
  Christmas Eve or Midsummer Eve, the act may still be performed on the next working day.

Public holidays come from the pinned ``holidays`` package (``holidays==0.109``), which already
lists Christmas Eve and Midsummer Eve for Finland and 24 December for Poland from 2025 on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "END_OF_DAY",
    "Pause",
    "add_calendar_days",
    "add_hours",
    "add_working_days",
    "extend_by_pauses",
    "is_working_day",
]

END_OF_DAY = time(23, 59, 59)
"""A deadline counted in days ends at this local time on its last day (art. 111 § 1 KC)."""

_SATURDAY = 5
_SUNDAY = 6


def _require_aware(value: datetime, name: str) -> None:
    """Raise ValueError unless ``value`` is a timezone-aware datetime."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")


def _require_non_negative(days: int, name: str) -> None:
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError(f"{name} must be an int")
    if days < 0:
        raise ValueError(f"{name} must not be negative, got {days}")


@lru_cache(maxsize=256)
def _holiday_dates(country: str, year: int) -> frozenset[date]:
    """Public holidays of ``country`` (ISO 3166-1 alpha-2, upper case) in ``year``, cached."""
    try:
        calendar = holidays.country_holidays(country, years=year)
    except NotImplementedError as error:
        raise ValueError(f"no holiday calendar for country {country!r}") from error
    return frozenset(calendar.keys())


def is_working_day(day: date, country: str) -> bool:
    """Whether ``day`` is a working day in ``country``.

    Saturdays and Sundays are never working days, nor are the public holidays that
    ``holidays.country_holidays(country)`` lists (art. 115 Kodeks cywilny in Poland; Act 150/1930
    § 5 in Finland, whose list includes Christmas Eve and Midsummer Eve).
    """
    if isinstance(day, datetime):
        raise TypeError("is_working_day takes a date; convert a datetime to its local date first")
    if day.weekday() in (_SATURDAY, _SUNDAY):
        return False
    return day not in _holiday_dates(country.upper(), day.year)


def _next_working_day(day: date, country: str) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day, country):
        day += timedelta(days=1)
    return day


def _end_of_local_day(day: date, zone: ZoneInfo) -> datetime:
    """23:59:59 local time on ``day``, as an aware UTC datetime."""
    return datetime.combine(day, END_OF_DAY, tzinfo=zone).astimezone(UTC)


def add_calendar_days(received: datetime, days: int, country: str, tz: str) -> datetime:
    """Deadline of ``days`` calendar days from ``received``.

    The day of receipt is not counted (art. 111 § 2 KC; Act 150/1930 § 2): the deadline is the
    ``days``-th calendar day after the local date of receipt in ``tz``. When that day is a
    Saturday, Sunday or public holiday, the deadline moves to the next working day (art. 115 KC;
    Act 150/1930 § 5). It ends at 23:59:59 local time of that day and is returned in UTC.
    """
    _require_aware(received, "received")
    _require_non_negative(days, "days")
    zone = ZoneInfo(tz)
    last_day = received.astimezone(zone).date() + timedelta(days=days)
    return _end_of_local_day(_next_working_day(last_day, country), zone)


def add_working_days(received: datetime, days: int, country: str, tz: str) -> datetime:
    """Deadline of ``days`` working days from ``received``.

    The day of receipt is not counted (art. 111 § 2 KC; Act 150/1930 § 2); Saturdays, Sundays and
    public holidays (in Finland including Christmas Eve and Midsummer Eve, Act 150/1930 § 5) are
    skipped. The deadline is the ``days``-th working day after the local date of receipt in
    ``tz``, ending 23:59:59 local time, returned in UTC. ``days == 0`` gives the day of receipt
    when it is a working day, else the next working day.
    """
    _require_aware(received, "received")
    _require_non_negative(days, "days")
    zone = ZoneInfo(tz)
    day = received.astimezone(zone).date()
    for _ in range(days):
        day = _next_working_day(day + timedelta(days=1), country)
    return _end_of_local_day(_next_working_day(day, country), zone)


def add_hours(received: datetime, hours: int | float) -> datetime:
    """Deadline of ``hours`` hours on the wall clock, 24/7, returned in UTC.

    Hour deadlines (e.g. 12 hours for a complaint by phone, § 26 of the Polish "systemowe"
    regulation of 15.01.2007) run round the clock, weekends and holidays included. The hours are
    elapsed time: across a DST change the local clock reading moves by one hour more or less.
    """
    _require_aware(received, "received")
    if hours < 0:
        raise ValueError(f"hours must not be negative, got {hours}")
    return received.astimezone(UTC) + timedelta(hours=hours)


@dataclass(frozen=True)
class Pause:
    """A stretch during which the case waits for the customer and the clock is stopped.

    ``end`` is None while the pause is still open (the customer has not replied yet).
    """

    start: datetime
    end: datetime | None = None

    def __post_init__(self) -> None:
        _require_aware(self.start, "Pause.start")
        if self.end is not None:
            _require_aware(self.end, "Pause.end")
            if self.end < self.start:
                raise ValueError("Pause.end must not be before Pause.start")


def extend_by_pauses(deadline: datetime, pauses: Sequence[Pause], now: datetime) -> datetime:
    """Move ``deadline`` forward by the total time the clock was paused, returned in UTC.

    While a case waits for the customer the clock stops and the deadline moves by the paused
    time. An open pause counts until ``now`` (a pause that has not started by ``now`` counts
    nothing yet). Overlapping pauses are merged, so no stretch of time is counted twice.
    """
    _require_aware(deadline, "deadline")
    _require_aware(now, "now")
    intervals: list[tuple[datetime, datetime]] = []
    for pause in pauses:
        end = pause.end if pause.end is not None else max(now, pause.start)
        intervals.append((pause.start.astimezone(UTC), end.astimezone(UTC)))
    intervals.sort()

    paused = timedelta(0)
    current_start: datetime | None = None
    current_end: datetime | None = None
    for start, end in intervals:
        if current_start is None or current_end is None or start > current_end:
            if current_start is not None and current_end is not None:
                paused += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_start is not None and current_end is not None:
        paused += current_end - current_start
    return deadline.astimezone(UTC) + paused
