"""Periods for the compliance export: the forms the CLI accepts, in the utility's local time."""

from __future__ import annotations

import datetime as dt

import pytest

from service.evidence import Period, PeriodError


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        ("2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        ("2026-q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        ("2026-Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        ("2028-02", dt.date(2028, 2, 1), dt.date(2028, 2, 29)),
        ("2026-12", dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
        (" 2026-01-01..2026-06-30 ", dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
    ],
)
def test_period_forms(text: str, first: dt.date, last: dt.date) -> None:
    assert Period.parse(text) == Period(first, last)


@pytest.mark.parametrize(
    "text", ["", "26", "2026-Q5", "2026-13", "2026-02-30..2026-03-01", "2026-06-30..2026-01-01",
             "2026-1", "last year"],
)  # fmt: skip
def test_what_is_not_a_period_is_refused_with_the_forms_named(text: str) -> None:
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_a_year_runs_from_local_midnight_to_local_midnight() -> None:
    start, end = Period.parse("2026").utc_bounds("Europe/Helsinki")
    assert start == dt.datetime(2025, 12, 31, 22, 0, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 12, 31, 22, 0, tzinfo=dt.UTC)


def test_a_month_follows_the_clock_change() -> None:
    start, end = Period.parse("2026-03").utc_bounds("Europe/Warsaw")
    assert start == dt.datetime(2026, 2, 28, 23, 0, tzinfo=dt.UTC)  # winter time, UTC+1
    assert end == dt.datetime(2026, 3, 31, 22, 0, tzinfo=dt.UTC)  # summer time, UTC+2
