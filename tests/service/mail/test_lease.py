"""D17 for the e-mail outbox: the lease of a batch being sent is renewed by a heartbeat, so a
live dispatcher keeps its rows however long the batch takes, and a dead one's rows are claimed
again within one lease (9 s, was 10 minutes)."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from service.db import utcnow
from service.extensions import db
from service.mail import dispatcher, lease
from service.mail.models import EmailMessage, EmailStatus
from service.mail.outbox import enqueue_email

SHORT = dt.timedelta(seconds=1.5)


@pytest.fixture
def short_lease(monkeypatch):
    monkeypatch.setattr(lease, "LEASE", SHORT)
    monkeypatch.setattr(dispatcher, "LEASE", SHORT)


def queue(count: int) -> None:
    for i in range(count):
        enqueue_email(
            event_key=f"test:{i}",
            to=f"person{i}@example.org",
            subject="Subject",
            body="Body",
            language="fi",
        )
    db.session.commit()


def test_the_deployed_lease_lets_a_dead_dispatchers_rows_go_within_15_seconds():
    assert dt.timedelta(seconds=10) >= lease.LEASE
    assert dispatcher.LEASE is lease.LEASE


def test_a_live_batch_keeps_its_rows_and_a_dead_ones_rows_are_taken_over(app, short_lease):
    queue(3)
    token = utcnow() + SHORT
    batch = dispatcher.claim_emails(10, utcnow(), token)
    assert len(batch) == 3
    keeper = lease.BatchLease(app, [c.id for c in batch], token)
    try:
        time.sleep(2 * SHORT.total_seconds())  # well past the first lease end: renewed
        assert keeper.alive()
        assert dispatcher.claim_emails(10, utcnow(), utcnow() + SHORT) == []
        # An outcome recorded with the claim's first token still finds its row.
        dispatcher._update(batch[0], token, status=EmailStatus.SENT, sent_at=utcnow())
        db.session.commit()
    finally:
        keeper.close()  # the dispatcher dies: nothing renews the lease any more
    sent = db.session.get(EmailMessage, batch[0].id)
    db.session.refresh(sent)
    assert sent.status is EmailStatus.SENT

    deadline = time.monotonic() + SHORT.total_seconds() + 2
    taken: list = []
    while not taken and time.monotonic() < deadline:
        time.sleep(0.1)
        taken = dispatcher.claim_emails(10, utcnow(), utcnow() + SHORT)
    assert sorted(c.id for c in taken) == sorted(c.id for c in batch[1:])
    db.session.rollback()


def test_a_lease_that_cannot_be_renewed_stops_the_batch(app, short_lease, monkeypatch):
    queue(1)
    token = utcnow() + SHORT
    batch = dispatcher.claim_emails(10, utcnow(), token)
    keeper = lease.BatchLease(app, [c.id for c in batch], token)

    def database_away() -> int:
        raise RuntimeError("connection refused")

    monkeypatch.setattr(keeper, "renew", database_away)
    try:
        assert keeper.alive()
        time.sleep(SHORT.total_seconds())
        assert not keeper.alive()
    finally:
        keeper.close()
