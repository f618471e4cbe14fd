"""The planned-notice lead-time rule counts calendar days in the utility's zone."""

from __future__ import annotations

import datetime as dt

import pytest

from notifications.lead_time import days_ahead, is_late, latest_timely_publication

UTC = dt.UTC


@pytest.mark.parametrize(
    ("published", "starts", "required", "zone", "late"),
    [
        # PL 7 days: published on the 16th for the 23rd is exactly in time, whatever the hour.
        (
            dt.datetime(2026, 11, 16, 22, 0, tzinfo=UTC),
            dt.datetime(2026, 11, 23, 6, tzinfo=UTC),
            7,
            "Europe/Warsaw",
            False,
        ),
        (
            dt.datetime(2026, 11, 17, 8, 0, tzinfo=UTC),
            dt.datetime(2026, 11, 23, 6, tzinfo=UTC),
            7,
            "Europe/Warsaw",
            True,
        ),
        # 22:30 UTC on the 16th is already the 17th in Helsinki (UTC+2): one day less.
        (
            dt.datetime(2026, 11, 16, 22, 30, tzinfo=UTC),
            dt.datetime(2026, 11, 18, 6, tzinfo=UTC),
            2,
            "Europe/Helsinki",
            True,
        ),
        (
            dt.datetime(2026, 11, 16, 21, 30, tzinfo=UTC),
            dt.datetime(2026, 11, 18, 6, tzinfo=UTC),
            2,
            "Europe/Helsinki",
            False,
        ),
        # Across the end of summer time.
        (
            dt.datetime(2026, 10, 23, 12, tzinfo=UTC),
            dt.datetime(2026, 10, 30, 12, tzinfo=UTC),
            7,
            "Europe/Warsaw",
            False,
        ),
        # Published after the start: late by any rule.
        (
            dt.datetime(2026, 11, 20, tzinfo=UTC),
            dt.datetime(2026, 11, 19, tzinfo=UTC),
            0,
            "Europe/Helsinki",
            True,
        ),
    ],
)
def test_lateness(published, starts, required, zone, late):
    assert is_late(published, starts, required, zone) is late


def test_days_ahead_and_latest_day_agree():
    starts = dt.datetime(2026, 12, 1, 7, tzinfo=UTC)
    last_day = latest_timely_publication(starts, 7, "Europe/Warsaw")
    assert last_day == dt.date(2026, 11, 24)
    on_last_day = dt.datetime(2026, 11, 24, 20, tzinfo=UTC)  # 21:00 in Warsaw
    assert days_ahead(on_last_day, starts, "Europe/Warsaw") == 7
    assert not is_late(on_last_day, starts, 7, "Europe/Warsaw")
