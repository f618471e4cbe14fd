"""Reading the customer register."""

from __future__ import annotations

import sqlalchemy as sa

from notifications.customers.models import DeliveryPoint
from service.extensions import db


def served_postcodes() -> list[str]:
    """The postcodes with at least one delivery point, sorted (the area the utility serves)."""
    query = sa.select(DeliveryPoint.postcode).distinct().order_by(DeliveryPoint.postcode)
    return list(db.session.scalars(query))
