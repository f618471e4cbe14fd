"""`<int:…>` in every route means an id a database column can hold (review D4).

/en/outages/99999999999999999999 was an OverflowError (SQLite holds 2**63 - 1) and, on
PostgreSQL, anything from 2**31 a NumericValueOutOfRange: both 500s on public pages. Ids are
PostgreSQL `integer`s, so the converter takes 1 to 2**31 - 1, at most ten ASCII digits, and
anything else does not match the route: 404, like an id that does not exist.
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    regex = r"\d{1,10}"

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
