"""Address ranges in SQL: which stored addresses an outage's range may include.

The SQL twin of notifications.areas.match_address, for fan-outs that select their recipients in
one statement (SMS subscribers, contract customers' delivery points, residents' e-mail
subscriptions). A stored address is a postcode, a street key (None: the whole postcode) and a
house number (None: not read). The rules:

- a range without a street covers its whole postcode;
- the range's street matches under every name the alias table gives it in that postcode
  (Mannerheimintie / Mannerheimvägen, "Marszałkowska" / "ul. Marszalkowska"), so a street is
  one street whatever language it was typed in;
- an address whose number could not be read is told about any range on its street: over-telling
  a building beats missing a care home;
- someone following a whole postcode (street key None) hears about every range in it, when
  `whole_postcode` says such addresses exist.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute

from notifications.models import Parity
from notifications.streets.queries import Resolver

# A table's column or a model's attribute: anything SQL expressions are built from.
Column = sa.ColumnElement[Any] | InstrumentedAttribute[Any]


def in_range(
    area: Any,
    names: Resolver,
    postcode: Column,
    street_key: Column,
    number: Column,
    *,
    whole_postcode: bool = True,
) -> sa.ColumnElement[bool]:
    """Whether the stored address (its three columns) may lie in `area` (an OutageArea)."""
    clause = postcode == area.postcode
    if area.street_key is None:
        return clause
    numbers: list[sa.ColumnElement[bool]] = []
    if area.from_number is not None:
        numbers.append(number >= area.from_number)
    if area.to_number is not None:
        numbers.append(number <= area.to_number)
    if area.parity != Parity.ALL:
        numbers.append(number % 2 == (1 if area.parity == Parity.ODD else 0))
    keys = sorted(names.keys(area.postcode, area.street_key)) or [area.street_key]
    on_street = street_key.in_(keys) if len(keys) > 1 else street_key == keys[0]
    if numbers:
        on_street = sa.and_(on_street, sa.or_(number.is_(None), sa.and_(*numbers)))
    if whole_postcode:
        on_street = sa.or_(street_key.is_(None), on_street)
    return sa.and_(clause, on_street)
