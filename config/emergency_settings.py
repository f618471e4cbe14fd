"""Emergency line settings (FAIRHEAT_EMERGENCY_*, FAIRHEAT_VOICE_*): the utility's numbers and
their languages, the number dialled when no duty slot covers the moment, the clocks, recording.

Numbers are given in E.164 (+358…, +48…): they are compared with what Twilio sends, which is
always E.164, and dialled as they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from config.errors import SettingsError
from config.jurisdictions import Rule
from config.parsing import get, get_bool, get_int

VOICE_LANGUAGES = ("fi", "sv", "en", "pl")
_E164 = re.compile(r"\+[1-9]\d{6,14}")

# REGULATION.md, "Emergency line": what the Polish utilities' standards promise a caller.
SUPPLY_ANSWER_SOURCE = "Ciepło Systemowe A2; utilities' quality standards (PEC Stargard via 993)"
HEATING_REQUEST_SOURCE = "RADPEC; Tychy; Sulechów (regulation default 12 h)"


@dataclass(frozen=True)
class EmergencySettings:
    # The utility's own numbers callers ring, each with the language it greets in.
    voice_numbers: Mapping[str, str] = field(default_factory=dict)
    duty_number: str = ""  # dialled when no duty slot covers the moment
    lead_number: str = ""  # alerted by SMS about a missed call when the slot names no lead
    dial_timeout_seconds: int = 20
    back_entry_minutes: int = 60  # a call logged later than this after it came in needs a reason
    callback_minutes: int = 30  # a missed call is called back within this (the promise)
    supply_answer_phone: Rule = field(
        default_factory=lambda: Rule(12, "hours", SUPPLY_ANSWER_SOURCE, "high")
    )
    supply_answer_writing: Rule = field(
        default_factory=lambda: Rule(7, "days", SUPPLY_ANSWER_SOURCE, "high")
    )
    heating_request: Rule = field(
        default_factory=lambda: Rule(12, "hours", HEATING_REQUEST_SOURCE, "medium")
    )
    recording: bool = False
    recording_retention_days: int = 90
    anonymous_calls: bool = True  # may a call be logged without the caller's name and phone?
    reconcile_hours: int = 6  # how far back the reconciliation job asks Twilio for calls


def _e164(name: str, raw: str) -> str:
    text = re.sub(r"[\s()-]", "", raw)
    if not _E164.fullmatch(text):
        raise SettingsError(
            f"{name} must be a phone number in E.164, e.g. +358912345678, got {raw!r}"
        )
    return text


def _voice_numbers(raw: str) -> dict[str, str]:
    """ "+358912345678=fi,+48221234567=pl" → {"+358912345678": "fi", …}."""
    numbers: dict[str, str] = {}
    for part in raw.split(","):
        if not part.strip():
            continue
        number, sep, language = part.partition("=")
        language = language.strip().lower()
        if not sep or language not in VOICE_LANGUAGES:
            raise SettingsError(
                "FAIRHEAT_VOICE_NUMBERS must list number=language pairs (fi, sv, en, pl) "
                f"separated by commas, e.g. +358912345678=fi, got {part.strip()!r}"
            )
        numbers[_e164("FAIRHEAT_VOICE_NUMBERS", number.strip())] = language
    return numbers


def _optional_number(environ: Mapping[str, str], name: str) -> str:
    raw = get(environ, name, "")
    return _e164(name, raw) if raw else ""


def load_emergency_settings(environ: Mapping[str, str], jurisdiction: str) -> EmergencySettings:
    hours = get_int(environ, "FAIRHEAT_EMERGENCY_HEATING_REQUEST_HOURS", 12, minimum=1)
    heating = Rule(12, "hours", HEATING_REQUEST_SOURCE, "medium")
    if hours != heating.value:
        heating = Rule(
            hours,
            "hours",
            "FAIRHEAT_EMERGENCY_HEATING_REQUEST_HOURS (utility setting; default: "
            f"{HEATING_REQUEST_SOURCE})",
            "policy",
        )
    return EmergencySettings(
        voice_numbers=_voice_numbers(get(environ, "FAIRHEAT_VOICE_NUMBERS", "")),
        duty_number=_optional_number(environ, "FAIRHEAT_EMERGENCY_DUTY_NUMBER"),
        lead_number=_optional_number(environ, "FAIRHEAT_EMERGENCY_LEAD_NUMBER"),
        dial_timeout_seconds=get_int(
            environ, "FAIRHEAT_EMERGENCY_DIAL_TIMEOUT_SECONDS", 20, minimum=5
        ),
        back_entry_minutes=get_int(environ, "FAIRHEAT_EMERGENCY_BACK_ENTRY_MINUTES", 60, minimum=1),
        callback_minutes=get_int(environ, "FAIRHEAT_EMERGENCY_CALLBACK_MINUTES", 30, minimum=1),
        heating_request=heating,
        recording=get_bool(environ, "FAIRHEAT_EMERGENCY_RECORDING", False),
        recording_retention_days=get_int(
            environ, "FAIRHEAT_EMERGENCY_RECORDING_RETENTION_DAYS", 90, minimum=1
        ),
        anonymous_calls=get_bool(environ, "FAIRHEAT_EMERGENCY_ANONYMOUS_CALLS", True),
        reconcile_hours=get_int(environ, "FAIRHEAT_EMERGENCY_RECONCILE_HOURS", 6, minimum=1),
    )
