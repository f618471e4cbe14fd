"""The clocks a call runs against, each with its rule and where the rule comes from.

Only rules that exist: a caller asking when supply returns is answered within 12 h by phone or
7 days in writing (PL utilities' standards), a request to start or stop heating is carried out
within the utility's hours (12 h by default), and a promised callback is due when promised.
Time to answer is a figure in the evidence, never a deadline (REGULATION.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from config.jurisdictions import Rule
from feedback.emergency.models import HEATING_REQUESTS, EmergencyCall, Problem
from service.db import utcnow
from service.settings import current_settings

CALLBACK_SOURCE = "FAIRHEAT_EMERGENCY_CALLBACK_MINUTES (the utility's promise)"


@dataclass(frozen=True)
class Clock:
    name: str  # supply_answer | heating_request | callback
    label: str
    rule: str
    source: str
    due_at: dt.datetime
    met_at: dt.datetime | None
    state: str  # running | met | late | overdue


def rule_text(rule: Rule) -> str:
    if rule.unit == "days":
        return ngettext("within %(num)d day", "within %(num)d days", rule.value)
    if rule.unit == "minutes":
        return ngettext("within %(num)d minute", "within %(num)d minutes", rule.value)
    return ngettext("within %(num)d hour", "within %(num)d hours", rule.value)


def _span(rule: Rule) -> dt.timedelta:
    if rule.unit == "days":
        return dt.timedelta(days=rule.value)
    if rule.unit == "minutes":
        return dt.timedelta(minutes=rule.value)
    return dt.timedelta(hours=rule.value)


def _state(due: dt.datetime, met: dt.datetime | None, now: dt.datetime) -> str:
    if met is not None:
        return "met" if met <= due else "late"
    return "overdue" if now > due else "running"


def _clock(
    name: str, label: str, rule: Rule, start: dt.datetime, met: dt.datetime | None, now: dt.datetime
) -> Clock:
    due = start + _span(rule)
    return Clock(name, label, rule_text(rule), rule.source, due, met, _state(due, met, now))


def call_clocks(call: EmergencyCall, now: dt.datetime | None = None) -> list[Clock]:
    now = now or utcnow()
    settings = current_settings().emergency
    clocks = []
    if call.problem is Problem.SUPPLY_RETURN:
        rule = (
            settings.supply_answer_writing
            if call.informed_in_writing
            else settings.supply_answer_phone
        )
        label = (
            _("Answer in writing: when supply returns")
            if call.informed_in_writing
            else _("Answer by phone: when supply returns")
        )
        clocks.append(_clock("supply_answer", label, rule, call.received_at, call.informed_at, now))
    if call.problem in HEATING_REQUESTS:
        label = (
            _("Start heating as requested")
            if call.problem is Problem.START_HEATING
            else _("Stop heating as requested")
        )
        clocks.append(
            _clock(
                "heating_request",
                label,
                settings.heating_request,
                call.received_at,
                call.resolved_at,
                now,
            )
        )
    callback = call.callback
    if callback is not None:
        clocks.append(
            Clock(
                "callback",
                _("Call back"),
                rule_text(Rule(settings.callback_minutes, "minutes", CALLBACK_SOURCE, "policy")),
                CALLBACK_SOURCE,
                callback.due_at,
                callback.done_at,
                _state(callback.due_at, callback.done_at, now),
            )
        )
    return clocks
