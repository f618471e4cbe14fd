"""The words staff and callers read for the emergency line's values (GLOSSARY.md terms)."""

from __future__ import annotations

import enum
from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

_WORDS: Mapping[str, Mapping[str, object]] = {
    "problem": {
        "no_heating": _l("No heating"),
        "no_hot_water": _l("No hot water"),
        "low_temperature": _l("Low temperature or pressure"),
        "leak": _l("Leak, steam or water in the street"),
        "substation_fault": _l("Fault in the building's substation"),
        "start_heating": _l("Request to start heating"),
        "stop_heating": _l("Request to stop heating"),
        "supply_return": _l("Asks when supply returns"),
        "other": _l("Other"),
    },
    "channel": {
        "twilio": _l("Emergency line (automatic)"),
        "phone": _l("Phone, logged by hand"),
        "sms": _l("Reply to an SMS"),
        "walk_in": _l("Walk-in"),
        "other": _l("Other"),
    },
    "priority": {
        "danger": _l("Danger to people or property"),
        "vulnerable": _l("Vulnerable site (care home, hospital)"),
        "normal": _l("Normal"),
    },
    "scope": {"building": _l("Whole building"), "flat": _l("One flat")},
    "caller_kind": {
        "contract_customer": _l("Contract customer"),
        "resident": _l("Resident (pointed to the building manager)"),
        "other": _l("Other"),
    },
    "outcome": {
        "repaired": _l("Repaired"),
        "part_of_outage": _l("Part of an interruption"),
        "building_installation": _l("The building's own installation"),
        "no_fault_found": _l("No fault found"),
        "advice_given": _l("Advice given"),
        "request_carried_out": _l("Request carried out"),
        "other": _l("Other"),
    },
    "call_status": {
        "ringing": _l("Ringing"),
        "in-progress": _l("Answered"),
        "completed": _l("Ended"),
        "busy": _l("Busy"),
        "no-answer": _l("No answer"),
        "failed": _l("Failed"),
        "canceled": _l("Caller hung up"),
    },
    "clock": {
        "running": _l("running"),
        "met": _l("met"),
        "late": _l("late"),
        "overdue": _l("overdue"),
    },
}


class _Labels:
    def label(self, kind: str, value: object) -> str:
        """The label of an enum member or its value; the value itself when there is none."""
        key = value.value if isinstance(value, enum.Enum) else str(value)
        word = _WORDS.get(kind, {}).get(key)
        return str(word) if word is not None else key


LABELS = _Labels()
