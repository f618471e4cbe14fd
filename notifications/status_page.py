"""What the public status pages add to the notices: the summary line, moved estimates, the
served area, the map's areas and plain advice while the heat is off.

Read-only, like queries.py; the pages call these inside their cached render functions, so a
page and everything on it change together with the public state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from notifications.models import Impact, Outage, OutageUpdate
from notifications.queries import LookupResult
from notifications.streets.queries import request_resolver
from service.extensions import db
from service.i18n import current_language
from service.settings import current_settings

# Plain advice per impact (Energiateollisuus' "Varaudu häiriöihin" style): what still works,
# what to do, what not to do. Whole sentences, one catalog entry each.
_ADVICE: dict[Impact, tuple[Any, ...]] = {
    Impact.HEATING_AND_HOT_WATER: (
        _l("Cold water still runs as usual; only hot water and heating stop."),
        _l("Keep windows and doors shut: a flat cools slowly, usually under a degree an hour."),
        _l("Do not heat the flat with a gas or oven stove. Use only electric heaters made for it."),
        _l("Run the hot tap briefly when the supply is back: the first water may be lukewarm."),
    ),
    Impact.HEATING: (
        _l("Hot water is not affected; only the heating stops."),
        _l("Keep windows and doors shut: a flat cools slowly, usually under a degree an hour."),
        _l("Do not heat the flat with a gas or oven stove. Use only electric heaters made for it."),
    ),
    Impact.HOT_WATER: (
        _l("Heating works as usual; only hot water stops. Cold water still runs."),
        _l("Run the hot tap briefly when the supply is back: the first water may be lukewarm."),
    ),
    Impact.REDUCED_SUPPLY: (
        _l("Heating and hot water work, but rooms may be a little cooler than usual."),
        _l("Keep windows and doors shut, and air the flat only briefly."),
    ),
}


def advice(impact: Impact) -> tuple[str, ...]:
    """Plain advice for residents while this impact lasts, in the current language."""
    return tuple(str(line) for line in _ADVICE[impact])


def impacts_of(outages: Iterable[Outage]) -> list[Impact]:
    """The impacts among these outages, in the order advice is shown (most severe first)."""
    present = {o.impact for o in outages}
    return [impact for impact in Impact if impact in present]


def served(postcode: str) -> bool | None:
    """Is the postcode in the district-heating network? None when the served area is unknown.

    The contract-customer register knows it once it is filled (notifications.customers exposes
    served_postcodes() for that); until then the FAIRHEAT_SERVED_POSTCODES setting says it.
    """
    known = _register_postcodes()
    if known:
        compact = postcode.replace(" ", "").replace("-", "")
        if compact in known:
            return True
    answer = current_settings().public.serves(postcode)
    if answer is None and known:
        return False
    return answer


def _register_postcodes() -> frozenset[str]:
    from notifications.customers import served_postcodes  # the register's public function

    return frozenset(p.replace(" ", "").replace("-", "") for p in served_postcodes())


@dataclass(frozen=True)
class Summary:
    """The status line on top of the home page."""

    now: int
    planned: int
    updated_at: dt.datetime | None


def summary(active: Sequence[Outage], upcoming: Sequence[Outage]) -> Summary:
    moments = [o.updated_at for o in (*active, *upcoming)]
    return Summary(len(active), len(upcoming), max(moments) if moments else None)


def split_by_time(result: LookupResult, now: dt.datetime) -> tuple[list[Outage], list[Outage]]:
    """The outages at the address: those in effect now, and those planned for later."""
    current = [o for o in result.outages if o.is_active(now)]
    later = [o for o in result.outages if not o.is_active(now)]
    return current, later


def estimate_moves(outages: Iterable[Outage]) -> dict[int, tuple[dt.datetime, dt.datetime]]:
    """The last moved estimate of each notice: (before, after), from its update history."""
    ids = [o.id for o in outages if o.published]
    if not ids:
        return {}
    moves: dict[int, tuple[dt.datetime, dt.datetime]] = {}
    rows = db.session.execute(
        sa.select(OutageUpdate.outage_id, OutageUpdate.changes)
        .where(OutageUpdate.outage_id.in_(ids))
        .order_by(OutageUpdate.outage_id, OutageUpdate.number)
    )
    for outage_id, changes in rows:
        pair = (changes or {}).get("expected_end_at")
        if not isinstance(pair, list) or len(pair) != 2 or not all(pair):
            continue
        try:
            before, after = (dt.datetime.fromisoformat(str(v)) for v in pair)
        except ValueError:
            continue
        if before != after:
            moves[outage_id] = (before, after)
    return moves


def map_features(outages: Iterable[Outage], now: dt.datetime) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the notices that have a map area (for the map script)."""
    features = []
    for outage in outages:
        if not outage.polygon:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": outage.polygon,
                "properties": {
                    "id": outage.id,
                    "now": outage.is_active(now),
                    "kind": outage.kind.value,
                    "postcodes": sorted({a.postcode for a in outage.areas}),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def streets_of(outage: Outage, limit: int = 4) -> tuple[list[str], int]:
    """A short street summary for lists: up to `limit` names (postcodes for whole areas)."""
    names: list[str] = []
    streets = request_resolver(a.postcode for a in outage.areas if a.street)  # in two languages
    lang = current_language()
    for area in outage.areas:
        name = streets.name(area.postcode, area.street, lang) if area.street else area.postcode
        if name not in names:
            names.append(name)
    return names[:limit], max(len(names) - limit, 0)


__all__ = [
    "Summary",
    "advice",
    "estimate_moves",
    "impacts_of",
    "map_features",
    "served",
    "split_by_time",
    "streets_of",
    "summary",
]
