"""Response deadlines for feedback and complaints: one rule set per jurisdiction.

The defaults come from shared/REGULATION.md; every rule carries its source so the staff UI, the
tracking page and the compliance export can say where a deadline comes from. A utility may
override any rule with FAIRHEAT_DEADLINE_<TRACK>, e.g. ``FAIRHEAT_DEADLINE_COMPLAINT="21 days"``
(a Polish contract may promise better than the regulation).

A case runs on one *track*; the track picks the rule:

* ``standard``        feedback and questions
* ``complaint``       written complaints (incl. billing complaints)
* ``phone_complaint`` a complaint received by phone (PL: answered, or told when the written
                      answer comes, within 12 hours on the wall clock)
* ``explanatory``     a complaint needing an explanatory procedure (PL: 30 days; staff switch
                      to it with a recorded reason). Only where the rule set has one.
* ``disconnection``   a household complaint about disconnection (PL: deemed accepted if missed)
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from config.errors import SettingsError
from config.jurisdictions import Rule


class Track(enum.StrEnum):
    STANDARD = "standard"
    COMPLAINT = "complaint"
    PHONE_COMPLAINT = "phone_complaint"
    EXPLANATORY = "explanatory"
    DISCONNECTION = "disconnection"


UNITS = ("days", "working_days", "hours")

SYSTEMOWE = "§ 26 rozporządzenie MG 15.01.2007 (systemowe), via URE consumer FAQ"
REILU = "Reilu kaukolämpö: answer customer feedback within 7 working days (Finnish Energy)"
REKO = "Reko fjärrvärme: acknowledge the customer's view within 10 days"


@dataclass(frozen=True)
class FeedbackRules:
    """The deadline rule of every track in one jurisdiction, and what else the law adds."""

    tracks: Mapping[Track, Rule]
    # A missed deadline on this track means the complaint is deemed accepted (PL art. 6c).
    deemed_accepted_tracks: frozenset[Track]
    # Acknowledge receipt within this (SE Reko); None where no separate rule exists.
    acknowledgement: Rule | None

    def rule(self, track: Track) -> Rule:
        return self.tracks[track]

    def offers(self, track: Track) -> bool:
        return track in self.tracks


SE_ANSWER = "Reko fjärrvärme: answered per the utility's policy; policy default"
PL_STANDARD = (
    "utilities' quality standards (written answer); policy default as for a written complaint"
)
PL_DISCONNECTION = "Prawo energetyczne art. 6c: deemed accepted if not answered in 14 days"
SYSTEMOWE_EXPLANATORY = f"{SYSTEMOWE}: complaint needing an explanatory procedure"

_FI_RULE = Rule(7, "working_days", REILU, "high")
_SE_ANSWER = Rule(30, "days", SE_ANSWER, "policy")

DEFAULT_RULES: dict[str, FeedbackRules] = {
    "PL": FeedbackRules(
        tracks={
            Track.STANDARD: Rule(14, "days", PL_STANDARD, "medium"),
            Track.COMPLAINT: Rule(14, "days", SYSTEMOWE, "high"),
            Track.PHONE_COMPLAINT: Rule(12, "hours", SYSTEMOWE, "high"),
            Track.EXPLANATORY: Rule(30, "days", SYSTEMOWE_EXPLANATORY, "high"),
            Track.DISCONNECTION: Rule(14, "days", PL_DISCONNECTION, "medium"),
        },
        deemed_accepted_tracks=frozenset({Track.DISCONNECTION}),
        acknowledgement=None,
    ),
    "FI": FeedbackRules(
        tracks={
            Track.STANDARD: _FI_RULE,
            Track.COMPLAINT: _FI_RULE,
            Track.PHONE_COMPLAINT: _FI_RULE,
            Track.DISCONNECTION: _FI_RULE,
        },
        deemed_accepted_tracks=frozenset(),
        acknowledgement=None,
    ),
    "SE": FeedbackRules(
        tracks={
            Track.STANDARD: _SE_ANSWER,
            Track.COMPLAINT: _SE_ANSWER,
            Track.PHONE_COMPLAINT: _SE_ANSWER,
            Track.DISCONNECTION: _SE_ANSWER,
        },
        deemed_accepted_tracks=frozenset(),
        acknowledgement=Rule(10, "days", REKO, "high"),
    ),
}

_OVERRIDE = re.compile(r"^\s*(\d{1,4})\s*(days|working_days|working days|hours)\s*$", re.I)


def parse_rule_override(name: str, raw: str, base: Rule | None) -> Rule:
    """A rule from '14 days', '7 working_days' or '12 hours'; the source names the setting."""
    match = _OVERRIDE.match(raw)
    if not match:
        raise SettingsError(
            f"{name} must be a number and a unit (days, working_days or hours), "
            f"e.g. '14 days', got {raw!r}"
        )
    value = int(match.group(1))
    if value < 1:
        raise SettingsError(f"{name} must be at least 1, got {value}")
    unit = match.group(2).lower().replace(" ", "_")
    default = f"; default: {base.value} {base.unit}, {base.source}" if base else ""
    return Rule(value, unit, f"{name} (utility setting{default})", "policy")


def load_feedback_rules(environ: Mapping[str, str], jurisdiction: str) -> FeedbackRules:
    """The jurisdiction's defaults with any FAIRHEAT_DEADLINE_<TRACK> overrides applied."""
    rules = DEFAULT_RULES[jurisdiction]
    tracks = dict(rules.tracks)
    for track in Track:
        name = f"FAIRHEAT_DEADLINE_{track.value.upper()}"
        raw = environ.get(name, "").strip()
        if raw:
            tracks[track] = parse_rule_override(name, raw, tracks.get(track))
    acknowledgement = rules.acknowledgement
    raw = environ.get("FAIRHEAT_DEADLINE_ACKNOWLEDGEMENT", "").strip()
    if raw:
        acknowledgement = parse_rule_override(
            "FAIRHEAT_DEADLINE_ACKNOWLEDGEMENT", raw, acknowledgement
        )
    return replace(rules, tracks=tracks, acknowledgement=acknowledgement)
