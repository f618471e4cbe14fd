"""Demo data: a few hundred delivery points on the demo streets; managers follow several."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from config.jurisdictions import JURISDICTIONS
from notifications.customers.demo import demo_entries, load_customers
from notifications.customers.models import CustomerContact, DeliveryPoint
from service.extensions import db


def test_demo_register_has_hundreds_of_points_and_managers_of_many(app):
    load_customers(False)
    points = db.session.scalar(sa.select(sa.func.count(DeliveryPoint.id)))
    assert 200 <= points <= 400
    per_manager = db.session.execute(
        sa.select(CustomerContact.email, sa.func.count())
        .where(CustomerContact.email.is_not(None))
        .group_by(CustomerContact.email)
    ).all()
    assert len(per_manager) >= 3 and min(n for _, n in per_manager) >= 10
    assert load_customers(True).endswith("nothing loaded")


@pytest.mark.parametrize("code", ["FI", "PL", "SE"])
def test_every_jurisdiction_has_demo_points_with_canonical_postcodes(code):
    entries = demo_entries(code)
    assert len(entries) >= 200
    jurisdiction = JURISDICTIONS[code]
    assert all(
        jurisdiction.normalize_postcode(e.point.postcode) == e.point.postcode for e in entries
    )
    managers = Counter(c.email for e in entries for c in e.contacts if c.email)
    assert len(managers) == 5 and min(managers.values()) >= 10
