"""Deadline rule sets per jurisdiction, their sources, and the utility's overrides."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from config.errors import SettingsError
from config.feedback_rules import DEFAULT_RULES, Track, load_feedback_rules
from feedback.deadlines import track_for
from feedback.intake import submit_case
from feedback.models import CaseType, Channel
from feedback.queries import get_case
from feedback.schemas import CaseInputSchema
from tests.support.factories import case_payload


def test_every_jurisdiction_has_a_sourced_rule_for_every_starting_track():
    for code, rules in DEFAULT_RULES.items():
        for track in (Track.STANDARD, Track.COMPLAINT, Track.PHONE_COMPLAINT, Track.DISCONNECTION):
            rule = rules.rule(track)
            assert rule.value > 0 and rule.source, (code, track)
    assert DEFAULT_RULES["PL"].rule(Track.COMPLAINT).value == 14
    assert DEFAULT_RULES["PL"].rule(Track.PHONE_COMPLAINT).unit == "hours"
    assert DEFAULT_RULES["PL"].rule(Track.EXPLANATORY).value == 30
    assert DEFAULT_RULES["FI"].rule(Track.COMPLAINT).unit == "working_days"
    assert not DEFAULT_RULES["FI"].offers(Track.EXPLANATORY)
    assert DEFAULT_RULES["SE"].acknowledgement.value == 10
    assert DEFAULT_RULES["PL"].deemed_accepted_tracks == {Track.DISCONNECTION}


@pytest.mark.parametrize(
    ("case_type", "channel", "track"),
    [
        (CaseType.FEEDBACK, Channel.WEB, Track.STANDARD),
        (CaseType.QUESTION, Channel.PHONE, Track.STANDARD),
        (CaseType.COMPLAINT, Channel.WEB, Track.COMPLAINT),
        (CaseType.BILLING_COMPLAINT, Channel.LETTER, Track.COMPLAINT),
        (CaseType.COMPLAINT, Channel.PHONE, Track.PHONE_COMPLAINT),
        (CaseType.DISCONNECTION_COMPLAINT, Channel.PHONE, Track.DISCONNECTION),
    ],
)
def test_track_by_type_and_channel(case_type, channel, track):
    assert track_for(case_type, channel) is track


def test_override_names_the_setting_and_the_default():
    rules = load_feedback_rules({"FAIRHEAT_DEADLINE_COMPLAINT": "10 working days"}, "PL")
    rule = rules.rule(Track.COMPLAINT)
    assert (rule.value, rule.unit) == (10, "working_days")
    assert "FAIRHEAT_DEADLINE_COMPLAINT" in rule.source and "§ 26" in rule.source
    assert rules.rule(Track.PHONE_COMPLAINT).value == 12  # others untouched


@pytest.mark.parametrize("raw", ["two weeks", "0 days", "14 fortnights", "-3 days"])
def test_bad_override_stops_start_up_naming_the_variable(raw):
    with pytest.raises(SettingsError, match="FAIRHEAT_DEADLINE_STANDARD"):
        load_feedback_rules({"FAIRHEAT_DEADLINE_STANDARD": raw}, "FI")


class TestSweden:
    @pytest.fixture
    def settings_env(self):
        return {"FAIRHEAT_JURISDICTION": "SE", "FAIRHEAT_DEADLINE_STANDARD": "21 days"}

    def test_acknowledgement_due_in_ten_days_and_sent_at_once(self, app):
        received = dt.datetime(2026, 11, 20, 9, tzinfo=ZoneInfo("Europe/Stockholm"))
        data = CaseInputSchema().load(case_payload(type="feedback", language="sv"))
        case = get_case(submit_case(data, received_at=received).case_id)
        due = case.acknowledgement_due_at.astimezone(received.tzinfo)
        assert due.date() == dt.date(2026, 11, 30)
        assert case.acknowledged_at is not None
        assert case.rule_value == 21 and "FAIRHEAT_DEADLINE_STANDARD" in case.rule_source


def test_finnish_case_over_christmas_skips_christmas_eve_and_weekends(app):
    helsinki = ZoneInfo("Europe/Helsinki")
    received = dt.datetime(2026, 12, 18, 15, tzinfo=helsinki)  # Friday
    receipt = submit_case(CaseInputSchema().load(case_payload()), received_at=received)
    case = get_case(receipt.case_id)
    # 21, 22, 23, (24-27 Christmas Eve, Christmas, Boxing Day, Sunday), 28, 29, 30, 31 December
    local = case.deadline_at.astimezone(helsinki)
    assert local.date() == dt.date(2026, 12, 31)
    assert local.time() == dt.time(23, 59, 59)
    assert "Reilu" in case.rule_source


def test_every_default_source_reads_in_the_readers_language(app):
    from flask_babel import force_locale

    from feedback.labels import SOURCES, rule_source

    defaults = {rule.source for rules in DEFAULT_RULES.values() for rule in rules.tracks.values()}
    defaults |= {r.acknowledgement.source for r in DEFAULT_RULES.values() if r.acknowledgement}
    assert defaults == set(SOURCES)
    with force_locale("pl"):
        polish = rule_source(DEFAULT_RULES["PL"].rule(Track.COMPLAINT).source)
    assert "§ 26" in polish and "rozporządzeni" in polish
    assert rule_source("FAIRHEAT_DEADLINE_COMPLAINT (utility setting)") == (
        "FAIRHEAT_DEADLINE_COMPLAINT (utility setting)"
    )
