"""The SMS dispatcher against a fake Twilio: claiming, rate, outcomes, retries, leases.

Nothing is mocked: the real Dispatcher sends through the real twilio SDK and requests, over a
socket, to tests/support/fake_twilio.py; the outbox rows are written with outbox.enqueue. Only the
backoff constant is made shorter, so that retries are due within the test.
"""

from __future__ import annotations

import collections
import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from notifications.sms import dispatcher as dispatcher_module
from notifications.sms.dispatcher import MAX_ATTEMPTS, Dispatcher
from notifications.sms.models import MessageStatus, OutboxMessage
from notifications.sms.receipts import record_delivery_status
from service.db import utcnow
from service.extensions import db
from tests.support.fake_twilio import Reply
from tests.support.sms import (
    BODY,
    SERVICE_SID,
    STATUS_URL,
    add_subscriber,
    bulk_queue,
    message_row,
    outbox,
    pending,
    phone,
    queue,
    run_until_done,
    subscriber_row,
    twilio_env,
    wait_until_due,
)


@pytest.fixture
def settings_env(fake_server):
    return twilio_env(fake_server, FAIRHEAT_SMS_RATE_PER_SECOND="1000")


@pytest.fixture
def backoff(monkeypatch):
    """Set the base backoff (seconds) for this test; 2 s in production."""

    def set_base(seconds: float) -> None:
        monkeypatch.setattr(dispatcher_module, "BASE_BACKOFF_SECONDS", seconds)

    return set_base


def test_queued_notices_are_sent_once_each_and_marked_sent_with_the_sid(app, fake, make_dispatcher):
    numbers = [phone(i) for i in range(5)]
    ids = {n: queue(n, subscriber=add_subscriber(n)) for n in numbers}
    dispatcher = make_dispatcher()

    assert dispatcher.run_once() == 5
    assert dispatcher.run_once() == 0  # nothing is sent twice

    assert sorted(m.to for m in fake.messages) == numbers
    assert fake.requests == 5
    by_number = {m.to: m for m in fake.messages}
    for number, message_id in ids.items():
        row = message_row(message_id)
        sent = by_number[number]
        assert row.status == MessageStatus.SENT
        assert row.provider_sid == sent.sid and sent.sid.startswith("SM")
        assert (row.attempts, row.lease_until, row.error_code) == (1, None, None)
        assert row.sent_at is not None and row.claimed_by == dispatcher.worker_id
        assert sent.body == row.body == BODY
        assert sent.messaging_service_sid == SERVICE_SID
        assert sent.status_callback == STATUS_URL  # the public URL the callbacks are signed for


def test_priority_rows_are_claimed_before_older_ordinary_ones(app, fake, make_dispatcher):
    ordinary = [queue(phone(i)) for i in range(4)]
    hospital = queue(phone(10), priority=10)
    care_home = queue(phone(11), priority=10)
    dispatcher = make_dispatcher(batch_size=2)

    assert dispatcher.run_once() == 2

    assert sorted(m.to for m in fake.messages) == [phone(10), phone(11)]
    assert {message_row(i).status for i in (hospital, care_home)} == {MessageStatus.SENT}
    assert {message_row(i).status for i in ordinary} == {MessageStatus.QUEUED}
    dispatcher.run_once()  # then the ordinary ones, oldest first
    assert sorted(m.to for m in fake.messages[2:]) == [phone(0), phone(1)]


class TestRateLimit:
    @pytest.fixture
    def settings_env(self, fake_server):
        return twilio_env(fake_server, FAIRHEAT_SMS_RATE_PER_SECOND="100")

    def test_the_token_bucket_holds_the_configured_rate(self, app, fake, make_dispatcher):
        # The bucket lets a burst of rate/10 through at once (10 at 100/s), then one message every
        # 10 ms: 40 messages need at least 0.3 s. A loose lower bound, not a performance figure.
        for i in range(40):
            queue(phone(i))
        dispatcher = make_dispatcher()
        assert (dispatcher.bucket.rate, dispatcher.bucket.capacity) == (100, 10)

        started = time.monotonic()
        assert dispatcher.run_once() == 40
        elapsed = time.monotonic() - started

        assert elapsed >= 0.25
        assert len(fake.messages) == 40


@pytest.mark.parametrize(
    ("numbers", "code"), [("invalid_numbers", "21211"), ("not_mobile_numbers", "21614")]
)
def test_permanent_errors_fail_with_twilios_code_and_are_never_retried(
    app, fake, make_dispatcher, numbers, code
):
    resident = add_subscriber(phone(1))
    getattr(fake, numbers).add(phone(1))
    message_id = queue(phone(1), subscriber=resident)
    dispatcher = make_dispatcher()

    dispatcher.run_once()
    assert dispatcher.run_once() == 0

    row = message_row(message_id)
    assert (row.status, row.error_code, row.attempts) == (MessageStatus.FAILED, code, 1)
    assert phone(1) in row.error_message
    assert row.provider_sid is None and row.lease_until is None
    assert (fake.requests, fake.messages) == (1, [])
    resident = subscriber_row(resident.id)
    assert resident.consecutive_failures == 1
    assert resident.opted_out_at is None and resident.quarantined_at is None


def test_unsubscribed_recipient_fails_and_the_subscriber_is_opted_out(app, fake, make_dispatcher):
    resident = add_subscriber(phone(1))
    fake.opted_out_numbers.add(phone(1))
    message_id = queue(phone(1), subscriber=resident)
    dispatcher = make_dispatcher()

    dispatcher.run_once()
    assert dispatcher.run_once() == 0

    row = message_row(message_id)
    assert (row.status, row.error_code, row.attempts) == (MessageStatus.FAILED, "21610", 1)
    assert subscriber_row(resident.id).opted_out_at is not None
    assert fake.requests == 1


def test_permanent_failures_in_a_row_quarantine_and_a_delivery_resets_the_count(
    app, fake, make_dispatcher
):
    assert app.config["FAIRHEAT"].sms.quarantine_after_failures == 3  # the default
    resident = add_subscriber(phone(1))
    dispatcher = make_dispatcher()

    def send(count: int) -> None:
        for _ in range(count):
            queue(phone(1), subscriber=resident)
        run_until_done(dispatcher, timeout=10)

    fake.invalid_numbers.add(phone(1))
    send(2)
    assert subscriber_row(resident.id).consecutive_failures == 2

    fake.invalid_numbers.clear()
    send(1)
    [accepted] = outbox(status=MessageStatus.SENT)
    assert subscriber_row(resident.id).consecutive_failures == 2  # accepted is not delivered
    assert record_delivery_status(accepted.provider_sid, "delivered")
    assert subscriber_row(resident.id).consecutive_failures == 0

    fake.invalid_numbers.add(phone(1))
    send(2)
    assert subscriber_row(resident.id).quarantined_at is None  # 2 in a row since the delivery
    send(1)
    resident = subscriber_row(resident.id)
    assert resident.consecutive_failures == 3
    assert resident.quarantined_at is not None
    assert resident.opted_out_at is None
    assert [r.status for r in outbox()].count(MessageStatus.FAILED) == 5


@pytest.mark.parametrize(
    ("reply", "code"),
    [(Reply.too_many_requests(retry_after="1"), "20429"), (Reply.server_error(), "20500")],
)
def test_rate_limiting_and_server_errors_are_retried_later_with_backoff(
    app, fake, make_dispatcher, backoff, reply, code
):
    backoff(0.3)
    resident = add_subscriber(phone(1))
    message_id = queue(phone(1), subscriber=resident)
    fake.script.append(reply)
    dispatcher = make_dispatcher()

    dispatcher.run_once()

    row = message_row(message_id)
    failed_at = row.status_at
    assert (row.status, row.attempts, row.error_code) == (MessageStatus.QUEUED, 1, code)
    assert row.lease_until is None and row.provider_sid is None
    wait = (row.not_before - failed_at).total_seconds()
    if code == "20429":
        assert wait >= 1.0  # never sooner than the Retry-After Twilio asked for
    else:
        assert 0.15 <= wait <= 0.3  # BASE_BACKOFF_SECONDS with jitter, first attempt
    assert row.not_before > utcnow()
    assert dispatcher.run_once() == 0  # not due yet
    assert fake.requests == 1

    wait_until_due(message_id)
    assert dispatcher.run_once() == 1

    row = message_row(message_id)
    assert (row.status, row.attempts, row.error_code) == (MessageStatus.SENT, 2, None)
    [sent] = fake.messages
    assert row.provider_sid == sent.sid
    assert fake.requests == 2
    assert subscriber_row(resident.id).consecutive_failures == 0  # busy gateway, good number


def test_retryable_failures_fail_the_message_after_max_attempts(
    app, fake, make_dispatcher, backoff
):
    backoff(0.0)
    resident = add_subscriber(phone(1))
    message_id = queue(phone(1), subscriber=resident)
    fake.script.extend([Reply.server_error()] * MAX_ATTEMPTS + [Reply.accept()])
    dispatcher = make_dispatcher()

    run_until_done(dispatcher, timeout=20)

    row = message_row(message_id)
    assert (row.status, row.attempts, row.error_code) == (
        MessageStatus.FAILED,
        MAX_ATTEMPTS,
        "20500",
    )
    assert (fake.requests, fake.messages) == (MAX_ATTEMPTS, [])
    assert dispatcher.run_once() == 0
    # Twilio being down says nothing about the number: no step towards quarantine.
    assert subscriber_row(resident.id).consecutive_failures == 0


def test_expired_unplanned_notice_is_dropped_without_a_request(app, fake, make_dispatcher):
    stale = queue(phone(1), expires_at=utcnow() - dt.timedelta(minutes=1))
    fresh = queue(phone(2), expires_at=utcnow() + dt.timedelta(hours=1))
    dispatcher = make_dispatcher()

    assert dispatcher.run_once() == 2

    row = message_row(stale)
    assert (row.status, row.provider_sid, row.lease_until) == (MessageStatus.EXPIRED, None, None)
    assert message_row(fresh).status == MessageStatus.SENT
    assert [m.to for m in fake.messages] == [phone(2)]
    assert fake.requests == 1


def test_row_of_a_dead_dispatcher_is_claimed_again_when_its_lease_runs_out(
    app, fake, make_dispatcher
):
    abandoned = queue(phone(1))
    still_leased = queue(phone(2))
    now = utcnow()
    for message_id, lease_until, owner in [
        (abandoned, now - dt.timedelta(seconds=1), "dispatcher-dead"),
        (still_leased, now + dt.timedelta(minutes=1), "dispatcher-alive"),
    ]:
        db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(
                status=MessageStatus.SENDING, lease_until=lease_until, claimed_by=owner, attempts=1
            )
        )
    db.session.commit()
    dispatcher = make_dispatcher()

    assert dispatcher.run_once() == 1

    row = message_row(abandoned)
    assert (row.status, row.attempts, row.claimed_by) == (
        MessageStatus.SENT,
        2,
        dispatcher.worker_id,
    )
    other = message_row(still_leased)
    assert (other.status, other.claimed_by, other.attempts) == (
        MessageStatus.SENDING,
        "dispatcher-alive",
        1,
    )
    assert [m.to for m in fake.messages] == [phone(1)]


def test_two_dispatchers_claim_disjoint_rows_on_postgresql(app, fake, make_dispatcher):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer and no FOR UPDATE SKIP LOCKED: PostgreSQL only")
    numbers = [phone(i) for i in range(400)]
    bulk_queue(numbers, event_key="outage:1:published")
    fake.latency_ms = 2
    dispatchers = [make_dispatcher(batch_size=25), make_dispatcher(batch_size=25)]
    start = threading.Barrier(len(dispatchers))

    def work(dispatcher: Dispatcher) -> int:
        start.wait(timeout=10)
        claimed = 0
        deadline = time.monotonic() + 30
        while (batch := dispatcher.run_once()) and time.monotonic() < deadline:
            claimed += batch
        return claimed

    with ThreadPoolExecutor(max_workers=len(dispatchers)) as pool:
        claimed = list(pool.map(work, dispatchers))

    assert pending() == 0
    assert sum(claimed) == len(numbers)
    assert all(claimed), f"both dispatchers should have taken rows: {claimed}"
    received = collections.Counter(m.to for m in fake.messages)
    assert set(received) == set(numbers)
    assert set(received.values()) == {1}  # every message reached the fake exactly once
    rows = outbox()
    assert {r.status for r in rows} == {MessageStatus.SENT}
    owners = collections.Counter(r.claimed_by for r in rows)
    assert owners == {d.worker_id: n for d, n in zip(dispatchers, claimed, strict=True)}


def test_queued_notice_to_a_subscriber_who_left_or_was_quarantined_is_not_sent(
    app, fake, make_dispatcher
):
    left = add_subscriber(phone(1), opted_out_at=utcnow())
    quarantined = add_subscriber(phone(2), quarantined_at=utcnow())
    staying = add_subscriber(phone(3))
    ids = [queue(s.phone, subscriber=s) for s in (left, quarantined, staying)]
    dispatcher = make_dispatcher()

    dispatcher.run_once()

    statuses = [message_row(i).status for i in ids]
    assert statuses == [MessageStatus.CANCELLED, MessageStatus.CANCELLED, MessageStatus.SENT]
    assert [m.to for m in fake.messages] == [phone(3)]
