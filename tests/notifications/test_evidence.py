"""The notifications domain's figures for the compliance export, aggregated in SQL for a period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from notifications import create_outage, restore_outage
from notifications.evidence import NoticeEvidence
from notifications.schemas import OutageInputSchema
from notifications.sms.models import MessageKind, MessageStatus, OutboxMessage
from notifications.sms.outbox import send_text_message
from service.db import utcnow
from service.evidence import Period, Unit
from service.extensions import db
from tests.support.factories import iso, outage_payload
from tests.support.sms import phone, queue

THIS_YEAR = Period.year(utcnow().year)
# The last few days, whatever today is (a year period would cut a 30-hour one on 1 January).
RECENT = Period(utcnow().date() - dt.timedelta(days=3), utcnow().date() + dt.timedelta(days=1))


def _figures(period: Period = RECENT) -> dict[str, Any]:
    return {f.id: f.value for f in NoticeEvidence().figures(period)}


def _restored_after(hours: float, buildings: int) -> None:
    now = utcnow()
    outage = create_outage(
        OutageInputSchema().load(
            {
                **outage_payload(starts_at=iso(now - dt.timedelta(hours=hours))),
                "expected_end_at": None,
                "affected_buildings": buildings,
                "publish": True,
            }
        )
    )
    restore_outage(outage.id, ended_at=now)


def test_no_interruptions_is_no_data_not_zero(app):
    figures = _figures()
    assert figures["unplanned_interruptions_total"] == 0
    assert figures["average_interruption_hours"] is None
    assert figures["interruptions_over_10h_share"] is None
    assert figures["sms_delivered_share"] is None


def test_lengths_shares_and_hours_per_customer(app):
    _restored_after(2, buildings=10)
    _restored_after(12, buildings=5)
    _restored_after(30, buildings=1)
    figures = _figures()
    assert figures["unplanned_interruptions_total"] == 3
    assert abs(figures["average_interruption_hours"] - 44 / 3) < 0.05
    assert abs(figures["interruptions_over_10h_share"] - 2 / 3) < 1e-9
    assert abs(figures["interruptions_over_24h_share"] - 1 / 3) < 1e-9
    customers = app.config["FAIRHEAT"].customers_served
    expected = (2 * 10 + 12 * 5 + 30 * 1) / customers
    assert abs(figures["customer_interruption_hours_per_customer"] - expected) < 1e-3


def test_delivered_share_counts_notices_only(app):
    delivered, failed = queue(phone(1)), queue(phone(2))
    send_text_message(event_key="case:1:ack:sms", phone=phone(3), language="fi", body="x")
    db.session.commit()
    for message_id, status in (
        (delivered, MessageStatus.DELIVERED),
        (failed, MessageStatus.FAILED),
    ):
        db.session.get(OutboxMessage, message_id).status = status
    case_message = db.session.query(OutboxMessage).filter_by(kind=MessageKind.CASE).one()
    case_message.status = MessageStatus.FAILED  # not a notice: not in the figure
    db.session.commit()
    assert _figures()["sms_delivered_share"] == 0.5


def test_every_figure_names_its_unit_and_source(app):
    for figure in NoticeEvidence().figures(THIS_YEAR):
        assert isinstance(figure.unit, Unit)
        assert figure.source and figure.label
    lead = {f.id: f for f in NoticeEvidence().figures(THIS_YEAR)}[
        "planned_interruptions_notified_in_time_share"
    ]
    assert lead.rule == "Ilmoitettu vähintään 2 päivää etukäteen"  # FI default, in Finnish
