"""Notice texts composed from the structured fields, in four languages, with Babel's formats."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from flask_babel import force_locale, ngettext

from notifications.models import Cause, Impact, OutageKind, OutageStatus, Parity
from notifications.texts import compose_notice, describe_area

START = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)  # 8.00 in Helsinki


def outage(**overrides):
    values = dict(
        kind=OutageKind.PLANNED,
        status=OutageStatus.SCHEDULED,
        impact=Impact.HOT_WATER,
        cause=Cause.MAINTENANCE,
        starts_at=START,
        expected_end_at=START + dt.timedelta(hours=8),
        ended_at=None,
        affected_buildings=None,
        texts={},
        areas=[
            SimpleNamespace(
                postcode="00100",
                street="Mannerheimintie",
                from_number=1,
                to_number=15,
                parity=Parity.ODD,
            )
        ],
    )
    values.update(overrides)
    return SimpleNamespace(**values)


@pytest.mark.parametrize(
    ("lang", "time"),
    [("fi", "8.00"), ("sv", "8.00"), ("en", "8.00"), ("pl", "08:00")],
)
def test_each_language_gets_its_own_words_and_local_time(app, lang, time):
    text = compose_notice(outage(), lang)
    english = compose_notice(outage(), "en")
    assert time in text.body  # 06:00 UTC shown as Helsinki time, Babel's format per locale
    if lang != "en":
        assert text.title != english.title
        assert text.lines[0] != english.lines[0]


def test_english_reads_as_a_whole_notice(app):
    text = compose_notice(outage(), "en")
    assert text.title == "Planned interruption: hot water"
    assert text.lines[0].startswith("Work is planned")
    assert "Area: Mannerheimintie 1–15, odd numbers, 00100" in text.lines
    assert "Cause: maintenance" in text.lines


def test_unknown_restoration_time_is_said_plainly(app):
    text = compose_notice(
        outage(kind=OutageKind.UNPLANNED, status=OutageStatus.INVESTIGATING, expected_end_at=None),
        "en",
    )
    assert "Estimated restoration time: not known yet" in text.lines


def test_restored_notice_says_when_it_ended(app):
    ended = START + dt.timedelta(hours=3)
    text = compose_notice(
        outage(kind=OutageKind.UNPLANNED, status=OutageStatus.RESTORED, ended_at=ended), "en"
    )
    assert any(line.startswith("Ended:") for line in text.lines)
    assert not any("Estimated" in line for line in text.lines)


def test_free_text_only_in_its_own_language(app):
    o = outage(texts={"pl": "Punkt poboru wody przy ul. Puławskiej 12."})
    assert compose_notice(o, "pl").free_text == "Punkt poboru wody przy ul. Puławskiej 12."
    assert compose_notice(o, "fi").free_text is None
    assert "Puławskiej" not in compose_notice(o, "fi").body


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        (("00100", None, None, None, Parity.ALL), "whole postcode area 00100"),
        (("00100", "Hämeentie", None, None, Parity.ALL), "Hämeentie, 00100"),
        (("00100", "Hämeentie", 2, 40, Parity.EVEN), "Hämeentie 2–40, even numbers, 00100"),
        (("00100", "Hämeentie", 20, None, Parity.ALL), "Hämeentie, from number 20, 00100"),
        (
            ("00100", "Hämeentie", None, 9, Parity.ODD),
            "Hämeentie, up to number 9, odd numbers, 00100",
        ),
    ],
)
def test_area_descriptions(app, area, expected):
    with force_locale("en"):
        assert describe_area(*area) == expected


def _shape(text: str) -> str:
    return re.sub(r"\d+", "N", text)


@pytest.mark.parametrize(
    ("singular", "plural"),
    [
        ("%(num)d building is affected.", "%(num)d buildings are affected."),
        ("%(num)d current interruption", "%(num)d current interruptions"),
    ],
)
def test_polish_has_three_plural_forms_in_the_right_places(app, singular, plural):
    with force_locale("pl"):
        forms = {n: _shape(ngettext(singular, plural, n)) for n in (1, 2, 4, 5, 12, 22, 25, 101)}
    assert len({forms[1], forms[2], forms[5]}) == 3
    assert forms[2] == forms[4] == forms[22]
    assert forms[5] == forms[12] == forms[25] == forms[101]


def test_polish_day_counts(app):
    with force_locale("pl"):
        days = [ngettext("%(num)d day", "%(num)d days", n) for n in (1, 2, 5, 22)]
    assert days[0] != days[1].replace("2", "1")  # "1 dzień", not "1 dni"


def test_buildings_line_uses_plural_forms(app):
    one = compose_notice(outage(affected_buildings=1), "en").lines[-1]
    many = compose_notice(outage(affected_buildings=12), "en").lines[-1]
    assert one == "1 building is affected."
    assert many == "12 buildings are affected."
