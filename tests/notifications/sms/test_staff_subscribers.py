"""Staff find a subscriber by number, see their messages, mark priority, release quarantine."""

from __future__ import annotations

import pytest

from notifications.sms.models import Subscriber
from service.db import utcnow
from service.extensions import db


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_find_by_number_as_typed_and_manage(app, client, login):
    subscriber = Subscriber(
        phone="+358401234567",
        language="fi",
        verified_at=utcnow(),
        quarantined_at=utcnow(),
        consecutive_failures=3,
    )
    db.session.add(subscriber)
    db.session.commit()
    login("customer_service")
    listing = client.get("/staff/subscribers/").get_data(as_text=True)
    assert "+358401234567" in listing  # quarantined numbers are listed
    found = client.get("/staff/subscribers/", query_string={"phone": "040 123 4567"})
    assert found.headers["Location"] == f"/staff/subscribers/{subscriber.id}"
    missing = client.get("/staff/subscribers/", query_string={"phone": "040 999 9999"})
    assert "No subscriber has this number." in missing.get_data(as_text=True)

    client.post(
        f"/staff/subscribers/{subscriber.id}/priority",
        data={"priority": "1", "priority_note": "Care home"},
    )
    client.post(f"/staff/subscribers/{subscriber.id}/release")
    db.session.expire_all()
    subscriber = db.session.get(Subscriber, subscriber.id)
    assert subscriber.priority and subscriber.priority_note == "Care home"
    assert subscriber.quarantined_at is None and subscriber.consecutive_failures == 0
