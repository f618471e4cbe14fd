"""Back-office words for what the update history and the audit keep as plain values.

An update stores its change ("status", "estimate", …), the fields it touched with their old
and new values (enum values, ISO times) and its actor ("user:2:dispatcher@…"); staff read them
as labels in their language and people by their names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from config.jurisdictions import JURISDICTIONS
from notifications.models import Cause, Impact, OutageStatus, Parity
from notifications.texts import cause_label, impact_label, parity_label, status_label
from service.extensions import db
from service.i18n import format_datetime

_CHANGES = {
    "published": _l("Published"),
    "status": _l("Status changed"),
    "estimate": _l("Estimate changed"),
    "edited": _l("Notice edited"),
}
_FIELDS = {
    "kind": _l("Kind"),
    "impact": _l("What is affected"),
    "cause": _l("Cause"),
    "status": _l("Status"),
    "starts_at": _l("Start"),
    "expected_end_at": _l("Estimated restoration time"),
    "ended_at": _l("Ended"),
    "affected_buildings": _l("Number of buildings affected"),
    "polygon": _l("Map area"),
    "texts": _l("Additional text"),
    "late_notice_reason": _l("Reason for a late notice"),
    "areas": _l("Affected area"),
    "reason": _l("Reason for cancelling"),
}
# The default lead-time rules' sources (config/jurisdictions.py), for readers.
_LEAD_SOURCES = {
    JURISDICTIONS["FI"].planned_notice_lead.source: _l(
        "Reilu kaukolämpö quality mark (Finnish Energy): timely information about supply "
        "interruptions; policy default"
    ),
    JURISDICTIONS["PL"].planned_notice_lead.source: _l(
        "§ 25 of the Polish regulation of 15 Jan 2007 on heat supply ('systemowe'), as applied "
        "in utilities' quality standards; Ciepło Systemowe A3"
    ),
    JURISDICTIONS["SE"].planned_notice_lead.source: _l(
        "Reko fjärrvärme: planned interruptions announced in good time; policy default"
    ),
}


def change_label(change: str) -> str:
    return str(_CHANGES.get(change, change))


def field_label(name: str) -> str:
    return str(_FIELDS.get(name, name))


def lead_rule_source(text: str) -> str:
    """The notice lead rule's source in the reader's language where it is a default one."""
    return str(_LEAD_SOURCES.get(text, text))


def value_label(name: str, value: Any) -> str:
    """One old or new value as staff read it: labels for choices, local times, counts."""
    if value is None or value == "" or value == {} or value == []:
        return "–"
    try:
        if name == "status":
            return status_label(OutageStatus(value))
        if name == "cause":
            return cause_label(Cause(value))
        if name == "impact":
            return impact_label(Impact(value))
        if name in ("starts_at", "expected_end_at", "ended_at"):
            return format_datetime(dt.datetime.fromisoformat(str(value)))
    except ValueError:
        return str(value)
    if name == "areas" and isinstance(value, list):
        return "; ".join(_area(a) for a in value if isinstance(a, dict))
    if name == "texts" and isinstance(value, dict):
        return " · ".join(f"{lang}: {text}" for lang, text in value.items())
    if name == "polygon":
        return str(_l("drawn"))
    return str(value)


def _area(area: dict[str, Any]) -> str:
    parts = [str(area.get("street") or ""), str(area.get("postcode") or "")]
    low, high = area.get("from_number"), area.get("to_number")
    if low is not None or high is not None:
        parts.insert(1, f"{'' if low is None else low}–{'' if high is None else high}")
    parity = area.get("parity")
    if parity and parity != "all":
        parts.append(parity_label(Parity(parity)))
    return " ".join(p for p in parts if p)


def actor_names(actors: Iterable[str]) -> dict[str, str]:
    """Display names for stored actors ("user:2:…"); others (system, API tokens) as written."""
    from service.auth.models import User

    ids = {}
    for actor in actors:
        parts = actor.split(":")
        if len(parts) >= 2 and parts[0] == "user" and parts[1].isdigit():
            ids[actor] = int(parts[1])
    names = {actor: actor for actor in actors}
    if ids:
        users = db.session.execute(
            sa.select(User.id, User.name, User.email).where(User.id.in_(set(ids.values())))
        )
        by_id = {uid: (name or email) for uid, name, email in users}
        for actor, uid in ids.items():
            names[actor] = by_id.get(uid, actor)
    for actor in names:
        if actor == "system":
            names[actor] = str(_l("the system"))
    return names
