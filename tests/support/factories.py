"""Valid inputs to start tests from; each test changes only what it is about."""

from __future__ import annotations

import datetime as dt
from typing import Any

from service.db import utcnow


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def outage_payload(**overrides: Any) -> dict[str, Any]:
    now = utcnow()
    payload: dict[str, Any] = {
        "kind": "unplanned",
        "impact": "heating_and_hot_water",
        "cause": "leak",
        "starts_at": iso(now - dt.timedelta(hours=1)),
        "expected_end_at": iso(now + dt.timedelta(hours=4)),
        "areas": [
            {
                "postcode": "00100",
                "street": "Mannerheimintie",
                "from_number": 1,
                "to_number": 15,
                "parity": "odd",
            },
        ],
    }
    payload.update(overrides)
    return payload


def planned_payload(days_ahead: int = 10, **overrides: Any) -> dict[str, Any]:
    start = utcnow().replace(microsecond=0) + dt.timedelta(days=days_ahead)
    defaults = {
        "kind": "planned",
        "cause": "maintenance",
        "starts_at": iso(start),
        "expected_end_at": iso(start + dt.timedelta(hours=8)),
    }
    return outage_payload(**{**defaults, **overrides})


def case_payload(**overrides: Any) -> dict[str, Any]:
    """A complaint from the public form, as the schema receives it."""
    payload: dict[str, Any] = {
        "type": "complaint",
        "area": "heat_supply",
        "description": "Patterit ovat olleet kylmiä maanantaista asti.",
        "email": "asukas@example.fi",
        "language": "fi",
    }
    payload.update(overrides)
    return {k: v for k, v in payload.items() if v is not None}
