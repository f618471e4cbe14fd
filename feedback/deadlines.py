"""A case's response deadline: its rule applied to the time received, moved by the pauses.

The arithmetic lives in service/calendar.py (pure); this module picks the rule (the track) for a
case, says when a case may change track, and names the rule for people: "14 calendar days".
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable

from flask_babel import gettext as _
from flask_babel import ngettext

from config.feedback_rules import FeedbackRules, Track
from config.jurisdictions import Rule
from feedback.models import COMPLAINT_TYPES, Case, CasePause, CaseType, Channel
from service.calendar import Pause, add_calendar_days, add_hours, add_working_days, extend_by_pauses
from service.settings import current_settings


def rules() -> FeedbackRules:
    return current_settings().feedback.rules


def track_for(case_type: CaseType, channel: Channel) -> Track:
    """The track a new case starts on (staff may later switch a complaint to `explanatory`)."""
    if case_type is CaseType.DISCONNECTION_COMPLAINT:
        return Track.DISCONNECTION
    if case_type in COMPLAINT_TYPES:
        return Track.PHONE_COMPLAINT if channel is Channel.PHONE else Track.COMPLAINT
    return Track.STANDARD


class ExplanatoryRefusal(enum.Enum):
    """Why a case may not start the explanatory procedure now."""

    CLOSED = "closed"
    NOT_OFFERED = "not_offered"  # the utility's rules have no such track (FI, SE by default)
    NOT_A_COMPLAINT = "not_a_complaint"  # another type, or a complaint already off its track
    LATE = "late"

    def message(self) -> str:
        """The sentence staff see when they try anyway (a 409)."""
        if self is ExplanatoryRefusal.CLOSED:
            return _("This case is closed. Reopen it first.")
        if self is ExplanatoryRefusal.NOT_OFFERED:
            return _("The rules of this utility have no explanatory procedure.")
        if self is ExplanatoryRefusal.NOT_A_COMPLAINT:
            return _("Only a complaint can be moved to the explanatory procedure.")
        return _(
            "The deadline has passed: a late complaint cannot be moved to the "
            "explanatory procedure."
        )


# The tracks a complaint may leave for the explanatory procedure (once: not from that track).
EXPLANATORY_FROM = (Track.COMPLAINT, Track.PHONE_COMPLAINT)


def explanatory_refusal(case: Case, now: dt.datetime) -> ExplanatoryRefusal | None:
    """Why `case` may not start the explanatory procedure at `now`; None when it may.

    The one statement of the rule: the case page offers the button only when this is None, and
    switch_to_explanatory refuses with the reason's message otherwise. It may when the case is
    open, the utility's rules have the procedure (PL: 30 days), the case is a complaint still on
    a complaint track, and its deadline (an open pause counted) has not passed: a late complaint
    cannot be given more time after the fact. Reads only the case, `now` and the rules.
    """
    if not case.is_open:
        return ExplanatoryRefusal.CLOSED
    if not rules().offers(Track.EXPLANATORY):
        return ExplanatoryRefusal.NOT_OFFERED
    if case.type not in COMPLAINT_TYPES or case.track not in EXPLANATORY_FROM:
        return ExplanatoryRefusal.NOT_A_COMPLAINT
    if current_deadline(case, now) < now:
        return ExplanatoryRefusal.LATE
    return None


def apply_rule(rule: Rule, received_at: dt.datetime) -> dt.datetime:
    """The deadline `rule` gives a case received at `received_at` (UTC, aware)."""
    conf = current_settings()
    country, tz = conf.jurisdiction.country, conf.timezone
    if rule.unit == "hours":
        return add_hours(received_at, rule.value)
    if rule.unit == "working_days":
        return add_working_days(received_at, rule.value, country, tz)
    return add_calendar_days(received_at, rule.value, country, tz)


def _pauses(pauses: Iterable[CasePause]) -> list[Pause]:
    return [Pause(p.started_at, p.ended_at) for p in pauses]


def set_deadline(case: Case, track: Track) -> None:
    """Put the case on `track`: its rule (kept as evidence), base deadline and moved deadline."""
    rule = rules().rule(track)
    case.track = track
    case.rule_value, case.rule_unit, case.rule_source = rule.value, rule.unit, rule.source
    case.base_deadline_at = apply_rule(rule, case.received_at)
    refresh_deadline(case)


def pauses_clock(case: Case) -> bool:
    """Whether waiting for the customer stops this case's clock. Not on a track where a missed
    deadline means the complaint is deemed accepted (PL art. 6c): the law gives it no pause."""
    return case.track not in rules().deemed_accepted_tracks


def _counted(case: Case, pauses: Iterable[CasePause]) -> list[Pause]:
    return _pauses(pauses) if pauses_clock(case) else []


def refresh_deadline(case: Case) -> None:
    """The stored deadline: the base moved by every CLOSED pause (an open one is added on show)."""
    closed = [p for p in case.pauses if p.ended_at is not None]
    case.deadline_at = extend_by_pauses(
        case.base_deadline_at, _counted(case, closed), case.received_at
    )


def end_pause(case: Case, now: dt.datetime) -> None:
    """The customer replied (or we answered): the open pause ends `now` and moves the deadline."""
    pause = case.open_pause
    if pause is not None:
        pause.ended_at = now
        refresh_deadline(case)


def current_deadline(case: Case, now: dt.datetime) -> dt.datetime:
    """The deadline as it stands `now`, an open pause counted up to now."""
    return extend_by_pauses(case.base_deadline_at, _counted(case, case.pauses), now)


def restart_deadline(case: Case, now: dt.datetime) -> None:
    """A reopened case gets its track's time again, counted from `now` (earlier pauses are
    history: the base is set so that base + those pauses ends where the rule ends)."""
    fresh = apply_rule(rules().rule(case.track), now)
    closed = [p for p in case.pauses if p.ended_at is not None]
    already = extend_by_pauses(fresh, _counted(case, closed), now) - fresh
    case.base_deadline_at = fresh - already
    refresh_deadline(case)


def rule_label(value: int, unit: str) -> str:
    """ "14 calendar days", "7 working days", "12 hours" in the current language."""
    if unit == "hours":
        return ngettext("%(num)d hour", "%(num)d hours", value)
    if unit == "working_days":
        return ngettext("%(num)d working day", "%(num)d working days", value)
    return ngettext("%(num)d calendar day", "%(num)d calendar days", value)


def paused_for(case: Case, now: dt.datetime) -> dt.timedelta:
    return current_deadline(case, now) - case.base_deadline_at
