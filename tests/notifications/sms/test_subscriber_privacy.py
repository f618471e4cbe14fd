"""Viewers see no SMS subscriber's personal data (review D3); staff look-ups are audited."""

from __future__ import annotations

import sqlalchemy as sa

from notifications.sms.models import Subscriber
from service.audit import AuditEntry
from service.extensions import db


def subscriber() -> Subscriber:
    row = Subscriber(phone="+358401111112", language="fi", source="web")
    db.session.add(row)
    db.session.commit()
    return row


def test_d3_a_viewer_cannot_open_or_search_subscribers(client, login):
    """D3: a viewer got 200 with the phone, home address and SMS history, and a phone search
    told whether any number was subscribed."""
    row = subscriber()
    login("viewer")
    assert client.get(f"/staff/subscribers/{row.id}").status_code == 403
    assert client.get("/staff/subscribers/?phone=%2B358401111112").status_code == 403
    assert client.get("/staff/subscribers/").status_code == 403
    assert "/staff/subscribers/" not in client.get("/staff/outages/").get_data(as_text=True)


def test_d3_staff_who_help_subscribers_still_can_and_their_look_ups_are_audited(client, login):
    row = subscriber()
    login("dispatcher")
    found = client.get("/staff/subscribers/?phone=%2B358401111112")
    assert found.status_code == 302
    assert client.get(f"/staff/subscribers/{row.id}").status_code == 200
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.entity_type == "sms_subscriber")
    ).all()
    assert actions == ["subscriber.searched", "subscriber.viewed"]
