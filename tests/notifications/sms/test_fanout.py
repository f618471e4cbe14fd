"""Fan-out: which subscribers an outage event reaches, in which language, once, and when."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from notifications.areas import house_number, street_key
from notifications.schemas import OutageInputSchema
from notifications.services import cancel_outage, create_outage, restore_outage, update_outage
from notifications.sms.fanout import _quiet_until
from notifications.sms.models import MessageStatus, OutboxMessage, Subscriber, SubscriberAddress
from service.db import utcnow
from service.extensions import db
from tests.support.factories import iso, outage_payload, planned_payload

PARTIAL = OutageInputSchema(partial=True)


def subscribe(phone, *addresses, language="fi", verified=True, **flags):
    subscriber = Subscriber(
        phone=phone,
        language=language,
        verified_at=utcnow() if verified else None,
        **flags,
    )
    for postcode, street, number in addresses:
        subscriber.addresses.append(
            SubscriberAddress(
                postcode=postcode,
                street=street,
                street_key=street_key(street),
                number=house_number(number),
                number_text=number,
            )
        )
    db.session.add(subscriber)
    db.session.commit()
    return subscriber


def outbox(**filters):
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    for name, value in filters.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    return db.session.scalars(query).all()


def publish(payload):
    return create_outage(OutageInputSchema().load({**payload, "publish": True}))


def test_published_outage_reaches_exactly_the_addresses_inside_it(app):
    inside = subscribe("+358401000001", ("00100", "Mannerheimintie", "5"))
    other_side = subscribe("+358401000002", ("00100", "Mannerheimintie", "6"))
    whole_postcode = subscribe("+358401000003", ("00100", None, None))
    whole_street = subscribe("+358401000004", ("00100", "mannerheimintie", None))
    elsewhere = subscribe("+358401000005", ("00260", None, None))
    publish(outage_payload())
    reached = {m.subscriber_id for m in outbox()}
    assert reached == {inside.id, whole_postcode.id, whole_street.id}
    assert other_side.id not in reached and elsewhere.id not in reached


def test_each_subscriber_reads_their_own_language(app):
    subscribe("+358401000011", ("00100", None, None), language="fi")
    subscribe("+48601000012", ("00100", None, None), language="pl")
    publish(outage_payload())
    by_language = {m.language: m for m in outbox()}
    assert set(by_language) == {"fi", "pl"}
    assert by_language["fi"].body != by_language["pl"].body
    assert "Reply STOP" not in by_language["fi"].body
    assert by_language["fi"].encoding == "GSM-7"  # ä, ö and Babel's spaces are fine
    assert by_language["pl"].segments >= 1
    assert "/pl/o/" in by_language["pl"].body  # the short link (sms_outage_url)


def test_one_event_never_reaches_a_number_twice(app):
    subscribe("+358401000021", ("00100", None, None), ("00100", "Mannerheimintie", "3"))
    outage = publish(outage_payload())
    assert len(outbox()) == 1
    from notifications.sms.fanout import fan_out
    from notifications.sms.texts import SmsEvent

    again = fan_out(outage, SmsEvent.PUBLISHED, f"outage:{outage.id}:update:1")
    db.session.commit()
    assert again == 0
    assert len(outbox()) == 1


def test_inactive_and_uninterested_subscribers_are_skipped(app):
    subscribe("+358401000031", ("00100", None, None), verified=False)
    subscribe("+358401000032", ("00100", None, None), opted_out_at=utcnow())
    subscribe("+358401000033", ("00100", None, None), quarantined_at=utcnow())
    subscribe("+358401000034", ("00100", None, None), wants_unplanned=False)
    wanted = subscribe("+358401000035", ("00100", None, None))
    publish(outage_payload())
    assert [m.subscriber_id for m in outbox()] == [wanted.id]


def test_priority_subscribers_are_marked_first(app):
    subscribe("+358401000041", ("00100", None, None))
    hospital = subscribe("+358401000042", ("00100", None, None), priority=True)
    publish(outage_payload())
    first = db.session.scalars(
        sa.select(OutboxMessage).order_by(OutboxMessage.priority.desc(), OutboxMessage.id)
    ).first()
    assert first.subscriber_id == hospital.id


def test_estimate_moves_over_the_threshold_only(app):
    subscribe("+358401000051", ("00100", None, None))
    outage = publish(outage_payload())
    small = outage.expected_end_at + dt.timedelta(minutes=30)
    update_outage(outage.id, PARTIAL.load({"expected_end_at": iso(small)}))
    assert len(outbox()) == 1
    big = small + dt.timedelta(hours=2)
    update_outage(outage.id, PARTIAL.load({"expected_end_at": iso(big)}))
    assert len(outbox()) == 2
    update_outage(outage.id, PARTIAL.load({"cause": "other"}))  # web only
    assert len(outbox()) == 2


def test_restoration_goes_out_and_stale_notices_are_not_resent(app):
    subscribe("+358401000061", ("00100", None, None), language="en")
    outage = publish(outage_payload())
    restore_outage(outage.id)
    messages = outbox()
    assert len(messages) == 2
    assert "heat supply is restored" in messages[-1].body
    assert messages[-1].expires_at is None  # a restoration is never dropped


def test_planned_notice_waits_for_morning_but_cancellation_of_a_fault_does_not(app):
    subscribe("+358401000071", ("00100", None, None))
    evening = dt.datetime(2026, 11, 20, 20, 30, tzinfo=dt.UTC)  # 22:30 in Helsinki
    assert _quiet_until(evening) == dt.datetime(2026, 11, 21, 6, 0, tzinfo=dt.UTC)
    noon = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
    assert _quiet_until(noon) == noon
    after_midnight = dt.datetime(2026, 11, 20, 23, 30, tzinfo=dt.UTC)  # 01:30 local
    assert _quiet_until(after_midnight) == dt.datetime(2026, 11, 21, 6, 0, tzinfo=dt.UTC)


def test_cancelled_planned_outage_tells_subscribers(app):
    subscribe("+358401000081", ("00100", None, None))
    outage = publish(planned_payload())
    cancel_outage(outage.id)
    assert [m.status for m in outbox()] == [MessageStatus.QUEUED, MessageStatus.QUEUED]
    assert len({m.event_key for m in outbox()}) == 2


@pytest.mark.parametrize("number", ["7", "7 B", "7/2"])
def test_house_numbers_as_typed_match(app, number):
    subscribe("+358401000091", ("00100", "Mannerheimintie", number))
    publish(outage_payload())
    assert len(outbox()) == 1
