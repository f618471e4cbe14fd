"""The conditions clock: 30 calendar days from the complete application (the day it became
complete not counted, art. 111 § 2 KC), moved past Saturdays, Sundays and holidays (art. 115
KC), ending 23:59:59 Warsaw time; a missing item's arrival starts it, not the receipt."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from feedback.connection_requests import deadlines, intake, steps
from feedback.connection_requests.deadlines import add_years, days_late
from tests.feedback.connection_requests.conftest import make_request

WARSAW = ZoneInfo("Europe/Warsaw")


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=WARSAW)


@pytest.mark.parametrize(
    ("complete", "due"),
    [
        # +30 days is Friday 25 December (Christmas): 26th holiday, 27th Sunday -> Monday 28th
        (local(2026, 11, 25, 10), dt.date(2026, 12, 28)),
        # +30 days is 24 December 2026 (a holiday in Poland from 2025) -> Monday 28th
        (local(2026, 11, 24, 10), dt.date(2026, 12, 28)),
        # +30 days is Easter Monday 29 March 2027 -> Tuesday 30 March
        (local(2027, 2, 27, 9), dt.date(2027, 3, 30)),
        # +30 days is Easter Sunday 28 March 2027 -> Tuesday 30 March
        (local(2027, 2, 26, 9), dt.date(2027, 3, 30)),
        # an ordinary Wednesday stays
        (local(2026, 9, 1, 9), dt.date(2026, 10, 1)),
        # late in the evening counts as that local day, not the UTC one
        (local(2026, 9, 1, 23, 30), dt.date(2026, 10, 1)),
    ],
)
def test_polish_conditions_deadline_rolls_past_christmas_and_easter(app, complete, due):
    deadline = deadlines.conditions_deadline(complete)
    assert deadline.tzinfo is not None
    assert deadline.astimezone(WARSAW).date() == due
    assert deadline.astimezone(WARSAW).time() == dt.time(23, 59, 59)


def test_the_clock_starts_when_the_last_missing_item_arrives(app):
    received = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
    request = make_request(received_at=received)
    item = steps.request_item(request.id, None, {"description": "Rzut"})
    second = steps.request_item(request.id, None, {"description": "Pełnomocnictwo"})
    intake.add_items(request, {item.id: "dosłano"}, [])
    intake.add_items(request, {second.id: "dosłano"}, [])
    request = steps.mark_complete(request.id, None)
    assert request.complete_at == max(i.received_at for i in request.missing_items)
    assert request.complete_at > received
    assert request.conditions_due_at == deadlines.conditions_deadline(request.complete_at)
    assert "FAIRHEAT" not in (request.rule_source or "")  # the source, as the UI shows it


def test_nothing_missing_runs_from_receipt(app):
    received = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
    request = steps.mark_complete(make_request(received_at=received).id, None)
    assert request.complete_at == received
    assert request.conditions_due_at.astimezone(WARSAW).date() == dt.date(2026, 12, 28)


def test_the_number_of_days_is_a_setting(app, monkeypatch):
    import dataclasses

    settings = app.config["FAIRHEAT"]
    conf = dataclasses.replace(settings.connection_requests, conditions_days=21)
    monkeypatch.setitem(
        app.config, "FAIRHEAT", dataclasses.replace(settings, connection_requests=conf)
    )
    assert deadlines.conditions_deadline(local(2026, 9, 1, 9)).astimezone(WARSAW).date() == dt.date(
        2026, 9, 22
    )


def test_validity_years_and_leap_days():
    assert add_years(dt.date(2026, 3, 1), 2) == dt.date(2028, 3, 1)
    assert add_years(dt.date(2028, 2, 29), 1) == dt.date(2029, 2, 28)


def test_days_late_count_each_started_day():
    due = dt.datetime(2026, 12, 28, 22, 59, 59, tzinfo=dt.UTC)
    assert days_late(due, due) == 0
    assert days_late(due, due + dt.timedelta(minutes=1)) == 1
    assert days_late(due, due + dt.timedelta(days=3, minutes=1)) == 4


def test_settings_refuse_a_bad_expiry_base():
    from config.connection_settings import load_connection_settings
    from config.errors import SettingsError

    with pytest.raises(SettingsError, match="FAIRHEAT_CONNECTION_EXPIRY_FROM"):
        load_connection_settings({"FAIRHEAT_CONNECTION_EXPIRY_FROM": "signed"}, "PL")
    assert load_connection_settings({}, "PL").conditions_days == 30
