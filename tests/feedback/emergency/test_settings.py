"""The emergency line's settings (FAIRHEAT_VOICE_NUMBERS, …): a bad value names the variable."""

from __future__ import annotations

import datetime as dt

import pytest

from config.errors import SettingsError
from feedback.emergency.roster import OneOff, Roster, Shift, WeeklySlot
from tests.conftest import make_settings


def test_voice_numbers_map_each_number_to_its_language(tmp_path):
    settings = make_settings(
        tmp_path,
        FAIRHEAT_VOICE_NUMBERS="+358 9 8123 4567=fi, +48221234567=PL",
        FAIRHEAT_EMERGENCY_DUTY_NUMBER="+358401119999",
        FAIRHEAT_EMERGENCY_HEATING_REQUEST_HOURS="24",
    ).emergency
    assert settings.voice_numbers == {"+358981234567": "fi", "+48221234567": "pl"}
    assert settings.duty_number == "+358401119999"
    assert settings.recording is False and settings.anonymous_calls is True
    assert settings.heating_request.value == 24
    assert "FAIRHEAT_EMERGENCY_HEATING_REQUEST_HOURS" in settings.heating_request.source


@pytest.mark.parametrize(
    "name,value",
    [
        ("FAIRHEAT_VOICE_NUMBERS", "+358981234567=de"),
        ("FAIRHEAT_VOICE_NUMBERS", "0981234567=fi"),
        ("FAIRHEAT_VOICE_NUMBERS", "+358981234567"),
        ("FAIRHEAT_EMERGENCY_DUTY_NUMBER", "040 111"),
        ("FAIRHEAT_EMERGENCY_RECORDING", "maybe"),
        ("FAIRHEAT_EMERGENCY_BACK_ENTRY_MINUTES", "0"),
        ("FAIRHEAT_EMERGENCY_DIAL_TIMEOUT_SECONDS", "2"),
    ],
)
def test_a_bad_value_names_the_variable(tmp_path, name, value):
    with pytest.raises(SettingsError, match=name):
        make_settings(tmp_path, **{name: value})


def test_one_off_change_wins_over_the_weekly_pattern_and_the_fallback_covers_nothing():
    zone = "Europe/Helsinki"
    monday_noon = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)  # 12.00 in Helsinki
    weekly = WeeklySlot(0, 8 * 60, 16 * 60, Shift("Matti", "+358401110001", None, None))
    swap = OneOff(
        monday_noon - dt.timedelta(hours=1),
        monday_noon + dt.timedelta(hours=1),
        Shift("Liisa", "+358401110002", None, None),
    )
    assert Roster((weekly,), ()).duty_at(monday_noon, zone, "").shift.name == "Matti"
    assert Roster((weekly,), (swap,)).duty_at(monday_noon, zone, "").shift.name == "Liisa"
    evening = monday_noon + dt.timedelta(hours=5)  # 17.00: after the slot
    duty = Roster((weekly,), ()).duty_at(evening, zone, "+358401119999")
    assert not duty.covered and duty.numbers == ["+358401119999"]
    assert Roster((), ()).duty_at(evening, zone, "").numbers == []
