"""Times as residents read them: the clock pattern is decided by us, not by the CLDR release.

Finland-Swedish is the case that moved (Babel 2.18 wrote 08:00, 2.19 writes 8.00): residents in
Vaasa or Porvoo read 8.00, as in Finnish (decision 0007).
"""

from __future__ import annotations

import datetime as dt

import pytest

from service.i18n import clock_pattern, format_datetime, format_time

MORNING = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)  # 8.00 in Helsinki, 7:00 in Warsaw
EVENING = dt.datetime(2026, 12, 2, 19, 9, tzinfo=dt.UTC)  # 21.09 in Helsinki


@pytest.mark.parametrize(
    ("lang", "country", "pattern"),
    [
        ("fi", "FI", "H.mm"),
        ("sv", "FI", "H.mm"),
        ("en", "FI", "H.mm"),
        ("pl", "FI", "HH:mm"),
        ("pl", "PL", "HH:mm"),
        ("en", "PL", "HH:mm"),
        ("sv", "SE", "HH:mm"),
        ("fi", "SE", "H.mm"),
    ],
)
def test_clock_pattern_per_language_and_country(lang: str, country: str, pattern: str) -> None:
    assert clock_pattern(lang, country) == pattern


@pytest.mark.parametrize(
    ("lang", "morning", "evening"),
    [("fi", "8.00", "21.09"), ("sv", "8.00", "21.09"), ("en", "8.00", "21.09"),
     ("pl", "08:00", "21:09")],
)  # fmt: skip
def test_finnish_utility_shows_times_in_each_language(app, lang, morning, evening) -> None:
    assert format_time(MORNING, lang) == morning
    assert format_time(EVENING, lang) == evening


def test_finland_swedish_notice_time_reads_as_in_vaasa(app) -> None:
    assert format_datetime(MORNING, "sv") == "mån 23 nov. 2026 8.00"


class TestPolishUtility:
    @pytest.fixture
    def settings_env(self) -> dict[str, str]:
        return {"FAIRHEAT_JURISDICTION": "PL"}

    @pytest.mark.parametrize(("lang", "time"), [("pl", "07:00"), ("en", "07:00"), ("fi", "7.00")])
    def test_times_in_warsaw(self, app, lang: str, time: str) -> None:
        assert format_time(MORNING, lang) == time
