"""notifications.status_page: the served area from the customer register or the setting."""

from __future__ import annotations

from notifications.customers.models import DeliveryPoint
from notifications.status_page import served
from service.extensions import db


def test_served_area_is_unknown_without_register_or_setting(app):
    assert served("00100") is None


def test_the_customer_register_knows_the_served_postcodes(app):
    db.session.add(
        DeliveryPoint(
            customer_number="C-1",
            name="As Oy Kalevankatu 5",
            postcode="00100",
            street="Kalevankatu",
            street_key="kalevankatu",
            number=5,
            number_text="5",
        )
    )
    db.session.flush()
    assert served("00100") is True
    assert served("99999") is False
