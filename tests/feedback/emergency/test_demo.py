"""`fairheat demo` brings a night on the emergency line: calls, some linked to an active
interruption, one missed and called back, and a roster covering the week."""

from __future__ import annotations

import sqlalchemy as sa

from feedback.emergency.models import Callback, DutySlot, EmergencyCall
from service.extensions import db


def test_demo_night_on_the_emergency_line(runner, client, login):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "emergency calls" in result.output
    calls = db.session.scalars(sa.select(EmergencyCall)).all()
    assert len(calls) == 6
    linked = {c.outage_id for c in calls if c.outage_id is not None}
    assert len(linked) == 1 and sum(1 for c in calls if c.outage_id) >= 3
    [callback] = db.session.scalars(sa.select(Callback)).all()
    assert callback.reason == "missed" and callback.done_at is not None
    assert callback.done_at <= callback.due_at
    assert db.session.scalar(sa.select(sa.func.count(DutySlot.id))) == 14
    again = runner.invoke(args=["demo"])  # a second run adds another night, not a roster
    assert again.exit_code == 0, again.output
    assert db.session.scalar(sa.select(sa.func.count(DutySlot.id))) == 14
    login("dispatcher")
    board = client.get("/staff/emergency/", headers={"Accept-Language": "en"})
    assert board.status_code == 200
    assert "Leak, steam or water in the street" in board.get_data(as_text=True)
