"""What the handler's inbox and case page show beside the stored values: time left to the
deadline, the rules as one legend, and event details as labels instead of raw values.

An event keeps machine values in `detail` ("upheld; email", "web", "email, sms", an
assignee's e-mail); staff read them in their language and people by name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from feedback.deadlines import rule_label
from feedback.labels import case_label, rule_source
from service.extensions import db


def time_left(deadline: dt.datetime, now: dt.datetime) -> tuple[str, str]:
    """("2 days 3 h left" | "5 h overdue", state) with state ok | due_soon | overdue."""
    seconds = (deadline - now).total_seconds()
    hours = int(abs(seconds) // 3600)
    days, rest = divmod(hours, 24)
    if days:
        span = _(
            "%(days)s %(hours)s",
            days=ngettext("%(num)d day", "%(num)d days", days),
            hours=ngettext("%(num)d h", "%(num)d h", rest),
        )
    elif hours:
        span = ngettext("%(num)d h", "%(num)d h", hours)
    else:
        span = ngettext("%(num)d min", "%(num)d min", max(int(abs(seconds) // 60), 1))
    if seconds < 0:
        return _("%(span)s overdue", span=span), "overdue"
    return _("%(span)s left", span=span), ("due_soon" if seconds <= 24 * 3600 else "ok")


def rule_legend(cases: Iterable[Any]) -> list[tuple[str, str]]:
    """The distinct rules behind these cases' deadlines: (time allowed, its source)."""
    seen: dict[tuple[Any, ...], tuple[str, str]] = {}
    for case in cases:
        key = (case.rule_value, case.rule_unit, case.rule_source)
        if key not in seen:
            seen[key] = (rule_label(case.rule_value, case.rule_unit), rule_source(case.rule_source))
    return list(seen.values())


def _names_by_email(emails: set[str]) -> dict[str, str]:
    from service.auth.models import User

    if not emails:
        return {}
    rows = db.session.execute(
        sa.select(User.email, User.name).where(sa.func.lower(User.email).in_(emails))
    )
    return {email.lower(): (name or email) for email, name in rows}


def event_details(events: Iterable[Any]) -> dict[int, str]:
    """Each event's detail as staff read it, by event id (one query for the names)."""
    events = list(events)
    emails = {
        (e.detail or "").lower() for e in events if getattr(e.kind, "value", e.kind) == "assigned"
    }
    names = _names_by_email({e for e in emails if e})
    shown: dict[int, str] = {}
    for event in events:
        detail = event.detail
        if not detail:
            continue
        kind = getattr(event.kind, "value", event.kind)
        if kind == "assigned":
            shown[event.id] = names.get(detail.lower(), detail)
        elif kind == "answered":
            outcome, _sep, channels = detail.partition("; ")
            parts = [case_label(outcome)]
            if channels and channels != "-":
                parts.append(", ".join(case_label(c.strip()) for c in channels.split(",")))
            shown[event.id] = " · ".join(parts)
        elif kind in ("received", "acknowledged", "track_changed"):
            shown[event.id] = ", ".join(case_label(c.strip()) for c in detail.split(","))
        elif kind == "surveyed":
            shown[event.id] = _("%(score)s of 5", score=detail)
        else:
            shown[event.id] = detail
    return shown
