"""Deadline arithmetic (service/calendar.py): pure tables, no app, cross-checked with holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.calendar import (
    Pause,
    add_calendar_days,
    add_hours,
    add_working_days,
    extend_by_pauses,
    is_working_day,
)

TZ = {"FI": "Europe/Helsinki", "PL": "Europe/Warsaw"}
HYPOTHESIS = settings(max_examples=300, deadline=None, database=None)


def local(
    country: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0
) -> datetime:
    """An aware datetime on the local wall clock of the country's timezone."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(TZ[country]))


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# --- is_working_day -------------------------------------------------------------------------

WORKING_DAY_ROWS = [
    # Christmas: 24 December is a holiday in Finland always, in Poland only from 2025.
    ("FI", date(2024, 12, 24), False),
    ("FI", date(2025, 12, 24), False),
    ("FI", date(2026, 12, 24), False),
    ("PL", date(2024, 12, 24), True),
    ("PL", date(2025, 12, 24), False),
    ("PL", date(2026, 12, 24), False),
    ("PL", date(2027, 12, 24), False),
    ("FI", date(2025, 12, 25), False),
    ("PL", date(2025, 12, 26), False),
    ("FI", date(2025, 12, 23), True),
    ("PL", date(2024, 12, 27), True),
    # New Year and Epiphany.
    ("FI", date(2026, 1, 1), False),
    ("PL", date(2027, 1, 1), False),
    ("FI", date(2025, 1, 6), False),
    ("PL", date(2025, 1, 6), False),
    ("PL", date(2025, 1, 2), True),
    # Easter: Good Friday is a holiday in Finland, not in Poland; Easter Monday in both.
    ("FI", date(2024, 3, 29), False),
    ("PL", date(2024, 3, 29), True),
    ("FI", date(2025, 4, 18), False),
    ("PL", date(2025, 4, 18), True),
    ("FI", date(2026, 4, 3), False),
    ("FI", date(2024, 4, 1), False),
    ("PL", date(2024, 4, 1), False),
    ("FI", date(2026, 4, 6), False),
    ("PL", date(2026, 4, 6), False),
    ("PL", date(2027, 3, 29), False),
    ("FI", date(2027, 3, 30), True),
    # Midsummer Eve (Friday between 19 and 25 June) in Finland; an ordinary day in Poland.
    ("FI", date(2024, 6, 21), False),
    ("FI", date(2025, 6, 20), False),
    ("FI", date(2026, 6, 19), False),
    ("FI", date(2027, 6, 25), False),
    ("PL", date(2025, 6, 20), True),
    ("FI", date(2025, 6, 19), True),
    # Poland: 1 and 3 May, Corpus Christi, 15 August, 11 November.
    ("PL", date(2024, 5, 3), False),
    ("PL", date(2027, 5, 3), False),
    ("PL", date(2025, 5, 2), True),
    ("PL", date(2025, 6, 19), False),
    ("PL", date(2025, 8, 15), False),
    ("PL", date(2024, 11, 11), False),
    ("PL", date(2026, 11, 11), False),
    ("FI", date(2026, 11, 11), True),
    # Finland: May Day, Ascension, Independence Day 6 December.
    ("FI", date(2025, 5, 1), False),
    ("FI", date(2026, 5, 14), False),
    ("FI", date(2024, 12, 6), False),
    ("FI", date(2027, 12, 6), False),
    ("PL", date(2027, 12, 6), True),
    # Weekends.
    ("FI", date(2025, 3, 15), False),
    ("PL", date(2025, 3, 16), False),
    ("PL", date(2025, 3, 17), True),
]


@pytest.mark.parametrize(("country", "day", "expected"), WORKING_DAY_ROWS)
def test_is_working_day(country: str, day: date, expected: bool) -> None:
    assert is_working_day(day, country) is expected


def test_is_working_day_accepts_lower_case_country() -> None:
    assert is_working_day(date(2025, 12, 24), "fi") is False


def test_is_working_day_rejects_unknown_country() -> None:
    with pytest.raises(ValueError, match="no holiday calendar"):
        is_working_day(date(2025, 1, 2), "XX")


# --- add_calendar_days ----------------------------------------------------------------------

CALENDAR_ROWS = [
    # PL 14 days: 25, 26 Dec holidays -> Friday 27 Dec 2024.
    ("PL", local("PL", 2024, 12, 11, 10, 0), 14, utc(2024, 12, 27, 22, 59, 59)),
    # PL 2024: 24 December is still a working day.
    ("PL", local("PL", 2024, 12, 10, 10, 0), 14, utc(2024, 12, 24, 22, 59, 59)),
    # PL 2025: 24-26 December holidays, then the weekend -> Monday 29 Dec.
    ("PL", local("PL", 2025, 12, 10, 10, 0), 14, utc(2025, 12, 29, 22, 59, 59)),
    # PL 2027: 24 Dec Friday, 25-26 the weekend -> Monday 27 Dec.
    ("PL", local("PL", 2027, 12, 10, 12, 0), 14, utc(2027, 12, 27, 22, 59, 59)),
    # PL New Year 2026 (Thursday) -> Friday 2 January.
    ("PL", local("PL", 2025, 12, 18, 8, 0), 14, utc(2026, 1, 2, 22, 59, 59)),
    # PL rolling past a weekend: received Saturday, 14 days is a Saturday -> Monday.
    ("PL", local("PL", 2025, 2, 1, 9, 0), 14, utc(2025, 2, 17, 22, 59, 59)),
    # PL Easter Monday 2026, received in CET, deadline in CEST (DST 29 March 2026).
    ("PL", local("PL", 2026, 3, 23, 9, 0), 14, utc(2026, 4, 7, 21, 59, 59)),
    # PL 1 May (Friday) 2026, then Saturday, then 3 May (Sunday and holiday) -> Monday 4 May.
    ("PL", local("PL", 2026, 4, 17, 9, 0), 14, utc(2026, 5, 4, 21, 59, 59)),
    # PL 3 May 2027 (Monday) -> Tuesday 4 May.
    ("PL", local("PL", 2027, 4, 19, 9, 0), 14, utc(2027, 5, 4, 21, 59, 59)),
    # PL 11 November 2026 (Wednesday), after the autumn DST change -> Thursday 12 Nov, CET.
    ("PL", local("PL", 2026, 10, 22, 9, 0), 20, utc(2026, 11, 12, 22, 59, 59)),
    # PL explanatory procedure, 30 days across the end of DST (26 Oct 2025): Friday 31 Oct.
    ("PL", local("PL", 2025, 10, 1, 9, 0), 30, utc(2025, 10, 31, 22, 59, 59)),
    # The LOCAL date of receipt counts: 23:30 UTC on 9 Jan is already 10 Jan in Warsaw.
    ("PL", utc(2025, 1, 9, 23, 30), 14, utc(2025, 1, 24, 22, 59, 59)),
    # FI: Christmas Eve 2024 (Tuesday) through Boxing Day -> Friday 27 Dec.
    ("FI", local("FI", 2024, 12, 10, 10, 0), 14, utc(2024, 12, 27, 21, 59, 59)),
    # FI Midsummer Eve 2025 (Friday), then the weekend -> Monday 23 June, EEST.
    ("FI", local("FI", 2025, 6, 10, 10, 0), 10, utc(2025, 6, 23, 20, 59, 59)),
    # FI Midsummer Eve 2026 -> Monday 22 June.
    ("FI", local("FI", 2026, 6, 5, 10, 0), 14, utc(2026, 6, 22, 20, 59, 59)),
    # FI Good Friday 2024 through Easter Monday, across DST (31 March 2024) -> Tuesday 2 April.
    ("FI", local("FI", 2024, 3, 15, 10, 0), 14, utc(2024, 4, 2, 20, 59, 59)),
    # FI Independence Day 2027 (Monday) -> Tuesday 7 December.
    ("FI", local("FI", 2027, 11, 22, 10, 0), 14, utc(2027, 12, 7, 21, 59, 59)),
    # A working day needs no rolling; zero days from a working day is that same day.
    ("FI", local("FI", 2025, 3, 3, 10, 0), 3, utc(2025, 3, 6, 21, 59, 59)),
    ("FI", local("FI", 2025, 3, 3, 10, 0), 0, utc(2025, 3, 3, 21, 59, 59)),
]


@pytest.mark.parametrize(("country", "received", "days", "expected"), CALENDAR_ROWS)
def test_add_calendar_days(country: str, received: datetime, days: int, expected: datetime) -> None:
    deadline = add_calendar_days(received, days, country, TZ[country])
    assert deadline == expected
    assert deadline.tzinfo is UTC
    assert deadline.astimezone(ZoneInfo(TZ[country])).time().isoformat() == "23:59:59"


# --- add_working_days -----------------------------------------------------------------------

WORKING_ROWS = [
    # FI 7 working days over Christmas 2025: 18, 19, 22, 23, (24-26), 29, 30, 31 December.
    ("FI", local("FI", 2025, 12, 17, 14, 0), 7, utc(2025, 12, 31, 21, 59, 59)),
    # FI 2026: 21, 22, 23, (24, 25 Thu/Fri), 28, 29, 30, 31 December.
    ("FI", local("FI", 2026, 12, 18, 14, 0), 7, utc(2026, 12, 31, 21, 59, 59)),
    # FI 2024 into 2025: 23, (24-26), 27, 30, 31, (1 Jan), 2, 3, (6 Jan Epiphany), 7 January.
    ("FI", local("FI", 2024, 12, 20, 14, 0), 7, utc(2025, 1, 7, 21, 59, 59)),
    # FI Easter 2027 (Good Friday 26 March, Easter Monday 29 March) across DST (28 March).
    ("FI", local("FI", 2027, 3, 22, 9, 0), 7, utc(2027, 4, 2, 20, 59, 59)),
    # FI Midsummer Eve 2027 (25 June).
    ("FI", local("FI", 2027, 6, 18, 9, 0), 7, utc(2027, 6, 30, 20, 59, 59)),
    # FI Ascension 2026 (14 May).
    ("FI", local("FI", 2026, 5, 8, 9, 0), 7, utc(2026, 5, 20, 20, 59, 59)),
    # FI received on Independence Day 2025 (a Saturday).
    ("FI", local("FI", 2025, 12, 6, 9, 0), 7, utc(2025, 12, 16, 21, 59, 59)),
    # PL 3 working days over 1 May and 3 May 2025 (Saturday): 2, 5, 6 May.
    ("PL", local("PL", 2025, 4, 30, 9, 0), 3, utc(2025, 5, 6, 21, 59, 59)),
    # PL 2024: 24 December still counts as a working day: 23, 24, 27 December.
    ("PL", local("PL", 2024, 12, 20, 9, 0), 3, utc(2024, 12, 27, 22, 59, 59)),
    # PL 2025: it no longer does: 22, 23, 29 December.
    ("PL", local("PL", 2025, 12, 19, 9, 0), 3, utc(2025, 12, 29, 22, 59, 59)),
    # Zero working days from a holiday is the next working day.
    ("FI", local("FI", 2025, 12, 24, 9, 0), 0, utc(2025, 12, 29, 21, 59, 59)),
]


@pytest.mark.parametrize(("country", "received", "days", "expected"), WORKING_ROWS)
def test_add_working_days(country: str, received: datetime, days: int, expected: datetime) -> None:
    deadline = add_working_days(received, days, country, TZ[country])
    assert deadline == expected
    assert deadline.tzinfo is UTC


# --- add_hours ------------------------------------------------------------------------------


def test_twelve_hours_across_spring_dst_change_is_twelve_elapsed_hours() -> None:
    received = local("PL", 2025, 3, 29, 20, 0)  # CET, 19:00 UTC
    deadline = add_hours(received, 12)
    assert deadline == utc(2025, 3, 30, 7, 0)
    assert deadline - received == timedelta(hours=12)
    assert deadline.astimezone(ZoneInfo("Europe/Warsaw")).hour == 9  # CEST after 02:00 -> 03:00


def test_twelve_hours_across_autumn_dst_change() -> None:
    received = local("PL", 2025, 10, 25, 20, 0)  # CEST, 18:00 UTC
    deadline = add_hours(received, 12)
    assert deadline == utc(2025, 10, 26, 6, 0)
    assert deadline.astimezone(ZoneInfo("Europe/Warsaw")).hour == 7


def test_hours_run_through_weekends_and_holidays() -> None:
    received = local("PL", 2025, 12, 24, 18, 0)
    assert add_hours(received, 12) == utc(2025, 12, 25, 5, 0)


# --- pauses ---------------------------------------------------------------------------------

DEADLINE = utc(2025, 3, 14, 22, 59, 59)
NOW = utc(2025, 3, 20, 12, 0)


@pytest.mark.parametrize(
    ("pauses", "expected_shift"),
    [
        ([], timedelta(0)),
        ([Pause(utc(2025, 3, 3, 9), utc(2025, 3, 6, 9))], timedelta(days=3)),
        (
            [
                Pause(utc(2025, 3, 3, 9), utc(2025, 3, 4, 9)),
                Pause(utc(2025, 3, 10, 8), utc(2025, 3, 10, 10)),
            ],
            timedelta(days=1, hours=2),
        ),
        (  # overlapping: 0-10 h and 5-15 h count 15 h, not 20 h
            [
                Pause(utc(2025, 3, 3, 5), utc(2025, 3, 3, 15)),
                Pause(utc(2025, 3, 3, 0), utc(2025, 3, 3, 10)),
            ],
            timedelta(hours=15),
        ),
        (  # nested and touching pauses
            [
                Pause(utc(2025, 3, 3, 0), utc(2025, 3, 4, 0)),
                Pause(utc(2025, 3, 3, 6), utc(2025, 3, 3, 7)),
                Pause(utc(2025, 3, 4, 0), utc(2025, 3, 4, 6)),
            ],
            timedelta(hours=30),
        ),
        ([Pause(utc(2025, 3, 18, 12))], timedelta(days=2)),  # open: counts until now
        (  # open pause overlapping a closed one
            [Pause(utc(2025, 3, 19, 12)), Pause(utc(2025, 3, 19, 0), utc(2025, 3, 20, 0))],
            timedelta(hours=36),
        ),
        ([Pause(utc(2025, 3, 21, 12))], timedelta(0)),  # open, not started by now
        (  # timezones of the pause ends do not matter
            [Pause(local("FI", 2025, 3, 3, 11), utc(2025, 3, 3, 12))],
            timedelta(hours=3),
        ),
    ],
)
def test_extend_by_pauses(pauses: list[Pause], expected_shift: timedelta) -> None:
    extended = extend_by_pauses(DEADLINE, pauses, NOW)
    assert extended == DEADLINE + expected_shift
    assert extended.tzinfo is UTC


pause_intervals = st.lists(
    st.tuples(st.integers(0, 10_000), st.integers(0, 5_000)), min_size=0, max_size=8
)


@HYPOTHESIS
@given(pause_intervals)
def test_pause_shift_is_the_measure_of_the_union(raw: list[tuple[int, int]]) -> None:
    origin = utc(2025, 1, 1)
    pauses = [
        Pause(origin + timedelta(minutes=s), origin + timedelta(minutes=s + d)) for s, d in raw
    ]
    covered = {m for s, d in raw for m in range(s, s + d)}
    shift = extend_by_pauses(DEADLINE, pauses, NOW) - DEADLINE
    assert shift == timedelta(minutes=len(covered))
    assert shift <= sum((timedelta(minutes=d) for _, d in raw), timedelta(0))


# --- bad input ------------------------------------------------------------------------------

NAIVE = datetime(2025, 3, 3, 9, 0)  # noqa: DTZ001 - deliberately naive


@pytest.mark.parametrize(
    "call",
    [
        lambda: add_calendar_days(NAIVE, 14, "PL", "Europe/Warsaw"),
        lambda: add_working_days(NAIVE, 7, "FI", "Europe/Helsinki"),
        lambda: add_hours(NAIVE, 12),
        lambda: extend_by_pauses(NAIVE, [], NOW),
        lambda: extend_by_pauses(DEADLINE, [], NAIVE),
        lambda: Pause(NAIVE),
        lambda: Pause(utc(2025, 3, 3), NAIVE),
        lambda: Pause(utc(2025, 3, 3), utc(2025, 3, 2)),
        lambda: add_calendar_days(utc(2025, 3, 3), -1, "PL", "Europe/Warsaw"),
        lambda: add_working_days(utc(2025, 3, 3), -1, "FI", "Europe/Helsinki"),
        lambda: add_hours(utc(2025, 3, 3), -1),
    ],
)
def test_bad_input_raises_value_error(call: object) -> None:
    with pytest.raises(ValueError):
        call()  # type: ignore[operator]


# --- cross-checks against the holidays package's own helpers --------------------------------

LIBRARY = {country: holidays.country_holidays(country) for country in TZ}


@pytest.mark.parametrize("country", sorted(TZ))
def test_is_working_day_agrees_with_holidays_for_2024_to_2027(country: str) -> None:
    day = date(2024, 1, 1)
    while day <= date(2027, 12, 31):
        assert is_working_day(day, country) is LIBRARY[country].is_working_day(day), day
        day += timedelta(days=1)


@HYPOTHESIS
@given(
    country=st.sampled_from(sorted(TZ)),
    day=st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31)),
)
def test_is_working_day_agrees_with_holidays(country: str, day: date) -> None:
    assert is_working_day(day, country) is LIBRARY[country].is_working_day(day)


@HYPOTHESIS
@given(
    country=st.sampled_from(sorted(TZ)),
    day=st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31)),
    n=st.integers(min_value=0, max_value=40),
    hour=st.integers(min_value=0, max_value=23),
)
def test_add_working_days_agrees_with_get_nth_working_day(
    country: str, day: date, n: int, hour: int
) -> None:
    zone = ZoneInfo(TZ[country])
    received = datetime(day.year, day.month, day.day, hour, tzinfo=zone)
    deadline = add_working_days(received, n, country, TZ[country])
    assert deadline.astimezone(zone).date() == LIBRARY[country].get_nth_working_day(day, n)


@HYPOTHESIS
@given(
    country=st.sampled_from(sorted(TZ)),
    day=st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31)),
    n=st.integers(min_value=0, max_value=60),
)
def test_add_calendar_days_agrees_with_holidays_next_working_day(
    country: str, day: date, n: int
) -> None:
    zone = ZoneInfo(TZ[country])
    received = datetime(day.year, day.month, day.day, 12, tzinfo=zone)
    deadline = add_calendar_days(received, n, country, TZ[country])
    expected = LIBRARY[country].get_nth_working_day(day + timedelta(days=n), 0)
    assert deadline.astimezone(zone).date() == expected
    assert deadline.astimezone(zone).date() >= day + timedelta(days=n)
