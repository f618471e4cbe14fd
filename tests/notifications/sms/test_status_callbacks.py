"""Twilio's status callbacks through the real app: POST /twilio/sms/status, signed.

The message is sent first by the real Dispatcher through the real SDK to the fake Twilio, so the
SID and the callback URL are the ones Twilio would have; callbacks are signed with
twilio.request_validator.RequestValidator.compute_signature for FAIRHEAT_PUBLIC_BASE_URL + path.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from notifications.sms.models import MessageStatus
from service.extensions import db
from tests.support.sms import (
    STATUS_URL,
    add_subscriber,
    message_row,
    phone,
    post_status,
    queue,
    signature,
    status_params,
    subscriber_row,
    twilio_env,
)


@pytest.fixture
def settings_env(fake_server):
    return twilio_env(fake_server, FAIRHEAT_SMS_RATE_PER_SECOND="1000")


@dataclass(frozen=True)
class Sent:
    message_id: int
    sid: str
    subscriber_id: int


@pytest.fixture
def sent(app, fake, make_dispatcher) -> Sent:
    """One notice accepted by the (fake) Twilio, for a subscriber with one failure behind them."""
    resident = add_subscriber(phone(1), consecutive_failures=1)
    message_id = queue(phone(1), subscriber=resident)
    assert make_dispatcher().run_once() == 1
    [accepted] = fake.messages
    assert accepted.status_callback == STATUS_URL  # what Twilio will call, and we sign for
    assert message_row(message_id).status == MessageStatus.SENT
    return Sent(message_id, accepted.sid, resident.id)


def snapshot(sent: Sent) -> tuple:
    row = message_row(sent.message_id)
    who = subscriber_row(sent.subscriber_id)
    return (
        row.status,
        row.status_at,
        row.error_code,
        who.consecutive_failures,
        who.opted_out_at,
        who.quarantined_at,
    )


def test_sent_then_delivered_moves_the_message_forward(client, sent):
    response = post_status(client, status_params(sent.sid, "sent"))
    assert response.status_code == 204
    assert message_row(sent.message_id).status == MessageStatus.SENT

    response = post_status(client, status_params(sent.sid, "delivered"))

    assert response.status_code == 204
    row = message_row(sent.message_id)
    assert row.status == MessageStatus.DELIVERED
    assert row.status_at >= row.sent_at
    assert subscriber_row(sent.subscriber_id).consecutive_failures == 0  # a delivery resets


def test_delivery_to_a_subscriber_without_failures_leaves_them_untouched(
    client, fake, make_dispatcher
):
    resident = add_subscriber(phone(2))
    message_id = queue(phone(2), subscriber=resident)
    assert make_dispatcher().run_once() == 1
    before = subscriber_row(resident.id).updated_at

    assert post_status(client, status_params(fake.messages[0].sid, "delivered")).status_code == 204

    assert message_row(message_id).status == MessageStatus.DELIVERED
    after = subscriber_row(resident.id)
    assert (after.consecutive_failures, after.updated_at) == (0, before)


def test_late_sent_after_delivered_changes_nothing(client, sent):
    assert post_status(client, status_params(sent.sid, "delivered")).status_code == 204
    before = snapshot(sent)

    response = post_status(client, status_params(sent.sid, "sent"))

    assert response.status_code == 204
    assert snapshot(sent) == before
    assert before[0] == MessageStatus.DELIVERED


@pytest.mark.parametrize(
    ("status", "error_code", "failures"),
    [("delivered", None, 0), ("undelivered", "30003", 2)],
)
def test_repeated_callback_is_harmless(client, sent, status, error_code, failures):
    params = status_params(sent.sid, status, error_code)
    assert post_status(client, params).status_code == 204
    first = snapshot(sent)

    for _ in range(2):
        assert post_status(client, params).status_code == 204

    assert snapshot(sent) == first
    assert first[3] == failures  # counted once, not three times


def test_unknown_message_sid_is_answered_2xx_and_logged(client, sent, caplog):
    before = snapshot(sent)
    unknown = "SM" + "0" * 32

    with caplog.at_level(logging.WARNING, logger="notifications.sms.receipts"):
        response = post_status(client, status_params(unknown, "delivered"))

    assert 200 <= response.status_code < 300
    assert any(unknown in record.getMessage() for record in caplog.records)
    assert snapshot(sent) == before


@pytest.mark.parametrize(
    "forge",
    [
        "unsigned",
        "signed for other parameters",
        "signed for the internal URL",
        "signed with another token",
    ],
)
def test_unsigned_or_tampered_callback_is_refused_and_changes_nothing(client, sent, forge):
    before = snapshot(sent)
    params = status_params(sent.sid, "failed", "21610")
    headers = {}
    if forge == "signed for other parameters":
        honest = status_params(sent.sid, "delivered")
        headers["X-Twilio-Signature"] = signature(honest)
    elif forge == "signed for the internal URL":
        headers["X-Twilio-Signature"] = signature(params, url="http://localhost/twilio/sms/status")
    elif forge == "signed with another token":
        headers["X-Twilio-Signature"] = signature(params, token="f" * 32)

    response = client.post("/twilio/sms/status", data=params, headers=headers)

    assert response.status_code == 403
    assert snapshot(sent) == before
    assert before[0] == MessageStatus.SENT and before[4] is None


def test_undelivered_callback_counts_a_failure_for_the_subscriber(client, sent):
    response = post_status(client, status_params(sent.sid, "undelivered", "30003"))

    assert response.status_code == 204
    row = message_row(sent.message_id)
    assert (row.status, row.error_code) == (MessageStatus.UNDELIVERED, "30003")
    resident = subscriber_row(sent.subscriber_id)
    assert resident.consecutive_failures == 2
    assert resident.opted_out_at is None and resident.quarantined_at is None


def test_a_failure_counted_while_another_is_being_counted_adds_to_it(client, sent):
    """Counted in the statement, not read, incremented in Python and written back: a callback
    that waits for another transaction on the subscriber (another worker's callback, the
    dispatcher) adds to what that one wrote instead of overwriting it."""
    other = db.engine.connect()
    holding = other.begin()
    other.execute(
        sa.text(
            "UPDATE sms_subscribers SET consecutive_failures = consecutive_failures + 1 "
            "WHERE id = :id"
        ),
        {"id": sent.subscriber_id},
    )
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            callback = pool.submit(
                post_status, client, status_params(sent.sid, "undelivered", "30003")
            )
            time.sleep(0.5)
            assert not callback.done()  # waits for the row (PostgreSQL) or the write lock
            holding.commit()
            assert callback.result(timeout=30).status_code == 204
    finally:
        other.close()

    resident = subscriber_row(sent.subscriber_id)
    assert resident.consecutive_failures == 3  # 1 before, 1 from the other, 1 from the callback
    assert resident.quarantined_at is not None  # the third in a row: FAIRHEAT_SMS_QUARANTINE_AFTER


def test_undelivered_callbacks_in_a_row_quarantine_the_subscriber(
    client, fake, make_dispatcher, sent
):
    queue(phone(1), subscriber=subscriber_row(sent.subscriber_id))
    assert make_dispatcher().run_once() == 1
    second = fake.messages[1].sid
    post_status(client, status_params(second, "undelivered", "30003"))
    resident = subscriber_row(sent.subscriber_id)
    assert (resident.consecutive_failures, resident.quarantined_at) == (2, None)

    post_status(client, status_params(sent.sid, "undelivered", "30005"))

    resident = subscriber_row(sent.subscriber_id)
    assert resident.consecutive_failures == 3  # FAIRHEAT_SMS_QUARANTINE_AFTER, default 3
    assert resident.quarantined_at is not None


def test_opted_out_error_in_a_callback_opts_the_subscriber_out(client, sent):
    response = post_status(client, status_params(sent.sid, "failed", "21610"))

    assert response.status_code == 204
    row = message_row(sent.message_id)
    assert (row.status, row.error_code) == (MessageStatus.FAILED, "21610")
    assert subscriber_row(sent.subscriber_id).opted_out_at is not None


class TestCallbackDuringTheBatch:
    """Twilio calls back within a second or two of accepting a message; at the default rate a
    batch of 200 takes 20 s to send, so the SID must be written down as soon as each message is
    accepted, not when the whole batch is done, or the callback finds no message and is lost."""

    @pytest.fixture
    def settings_env(self, fake_server):
        return twilio_env(fake_server)  # the default rate: 10 messages a second

    def test_callback_soon_after_acceptance_finds_the_message(
        self, app, client, fake, make_dispatcher
    ):
        resident = add_subscriber(phone(1), consecutive_failures=1)
        first = queue(phone(1), subscriber=resident)
        for i in range(2, 17):
            queue(phone(i))
        dispatcher = make_dispatcher()

        with ThreadPoolExecutor(max_workers=1) as pool:
            batch = pool.submit(dispatcher.run_once)  # 16 messages at 10/s: 1.5 s at least
            deadline = time.monotonic() + 5
            while not fake.messages:
                assert time.monotonic() < deadline
                time.sleep(0.005)
            accepted = fake.messages[0]  # one token at a time: the oldest row goes first
            assert accepted.to == phone(1)
            time.sleep(0.3)  # well within the batch, and sooner than Twilio usually calls back
            assert not batch.done()
            response = post_status(client, status_params(accepted.sid, "undelivered", "30003"))
            assert batch.result(timeout=10) == 16

        assert response.status_code == 204
        row = message_row(first)
        assert (row.status, row.provider_sid) == (MessageStatus.UNDELIVERED, accepted.sid)
        assert subscriber_row(resident.id).consecutive_failures == 2


def test_the_callbacks_connections_close_with_the_apps_engine(client, sent):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite callbacks use the app's engine itself")
    from service.db import _autocommit_engine

    assert post_status(client, status_params(sent.sid, "delivered")).status_code == 204
    own = _autocommit_engine(db.engine)
    assert own is not db.engine and own.pool.checkedin() == 1  # kept for the next callback

    db.session.remove()
    db.engine.dispose()

    assert own.pool.checkedin() == 0
