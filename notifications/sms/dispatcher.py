"""The SMS dispatcher: claims due outbox rows, sends them at the configured rate, records
the outcome.

- Claiming is a conditional UPDATE under a short lease (PostgreSQL: rows picked with FOR UPDATE
  SKIP LOCKED), so several dispatchers never take the same row. A heartbeat thread renews the
  lease of the rows a live dispatcher holds every third of the lease; a row claimed by a
  dispatcher that died is claimed again within one lease (LEASE, 9 s) of its last heartbeat
  (D17: it was a 120 s lease). A dispatcher whose heartbeat could not renew in time (the
  database away) stops handing out rows it may no longer hold, so another dispatcher taking them
  over does not send them twice. Duplicates are bounded by what was in flight at a crash.
- A token bucket paces each dispatcher at the send rate (FAIRHEAT_SMS_RATE_PER_SECOND), and a
  bucket in the database (budget.py) holds that rate across all dispatcher processes; sends run
  concurrently in the gateway (`submit`: the Twilio backend's event loop, over reused
  connections), and every database write stays in the dispatcher's own thread. The next batch is
  claimed while the last sends of the previous one are still in flight, so sending never pauses
  between batches; more than a batch still in flight (a slow gateway) is waited for first, so
  at most two batches are ever out, well inside their lease.
- 429, 5xx and timeouts are retried with exponential backoff and jitter; permanent errors
  (21211 invalid number, 21614 not a mobile, 21610 opted out …) fail at once; unplanned
  notices that expired before they could go are dropped as no longer relevant.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import random
import threading
import time
import uuid
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.dialects.postgresql import ARRAY

from notifications.sms.budget import SharedBudget
from notifications.sms.gateway import SendError, SendResult, SmsGateway, gateway_from_settings
from notifications.sms.models import CLAIMABLE, MessageStatus, OutboxMessage, Subscriber
from notifications.sms.receipts import count_failure
from service.db import skip_locked, utcnow
from service.extensions import db

log = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=9)
MAX_ATTEMPTS = 8
BASE_BACKOFF_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 900.0
IDLE_POLL_SECONDS = 0.5
MAX_BATCH = 200
# Sends that finished are recorded (and committed) this often while a batch is being sent.
RECORD_INTERVAL_SECONDS = 0.1


class TokenBucket:
    """`rate` tokens a second, bursts up to `capacity`; acquire() waits for a token."""

    def __init__(self, rate: float, capacity: float | None = None) -> None:
        self.rate = rate
        self.capacity = capacity or max(1.0, rate / 10)
        self._tokens = self.capacity
        self._updated = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        while True:
            with self._lock:
                now = time.monotonic()
                self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
                self._updated = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                wait = (1 - self._tokens) / self.rate
            time.sleep(wait)


def backoff_seconds(attempt: int, retry_after: float | None = None) -> float:
    """Exponential backoff with full jitter; never sooner than the gateway's Retry-After."""
    ceiling = min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2 ** max(attempt - 1, 0))
    delay = random.uniform(ceiling / 2, ceiling)
    return max(delay, retry_after or 0.0)


@dataclass(frozen=True)
class Claimed:
    id: int
    phone: str
    body: str
    attempts: int
    expires_at: dt.datetime | None
    subscriber_id: int | None


def claim_batch(worker_id: str, limit: int, now: dt.datetime | None = None) -> list[Claimed]:
    """Take up to `limit` due rows (highest priority first) under a lease; commits."""
    now = now or utcnow()
    due = sa.and_(
        # Implied by what follows, but spelled out so that SQLite too sees the claim index's
        # predicate (PostgreSQL proves it by itself): ix_sms_outbox_claim in models.py.
        OutboxMessage.status.in_(CLAIMABLE),
        sa.or_(
            sa.and_(OutboxMessage.status == MessageStatus.QUEUED, OutboxMessage.not_before <= now),
            sa.and_(OutboxMessage.status == MessageStatus.SENDING, OutboxMessage.lease_until < now),
        ),
    )
    pick = (
        sa.select(OutboxMessage.id)
        .where(due)
        .order_by(OutboxMessage.priority.desc(), OutboxMessage.id)
        .limit(limit)
    )
    ids = list(db.session.scalars(skip_locked(pick, db.session.get_bind().dialect.name)))
    if not ids:
        db.session.rollback()
        return []
    # A subscriber who said STOP or was quarantined after the fan-out gets nothing more
    # (looked up by key for the rows of the batch, not by scanning every subscriber).
    gone = (
        sa.select(Subscriber.id)
        .where(
            Subscriber.id == OutboxMessage.subscriber_id,
            sa.or_(Subscriber.opted_out_at.is_not(None), Subscriber.quarantined_at.is_not(None)),
        )
        .exists()
    )
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), due, gone)
        .values(status=MessageStatus.CANCELLED, status_at=now, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    # Conditional: a row another dispatcher took in the meantime (SQLite has no SKIP LOCKED)
    # no longer matches `due` and stays theirs.
    rows = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), due)
        .values(
            status=MessageStatus.SENDING,
            lease_until=now + LEASE,
            claimed_by=worker_id,
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(
            OutboxMessage.id,
            OutboxMessage.phone,
            OutboxMessage.body,
            OutboxMessage.attempts,
            OutboxMessage.expires_at,
            OutboxMessage.subscriber_id,
        )
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    order = {message_id: position for position, message_id in enumerate(ids)}
    claimed = [Claimed(*row) for row in rows]
    return sorted(claimed, key=lambda row: order[row.id])  # RETURNING has no order


def _mine(message_id: int, worker_id: str) -> sa.ColumnElement[bool]:
    return sa.and_(
        OutboxMessage.id == message_id,
        OutboxMessage.claimed_by == worker_id,
        OutboxMessage.status == MessageStatus.SENDING,
    )


_TABLE = OutboxMessage.__table__


def _sent_values() -> dict[str, Any]:
    return {
        "status": MessageStatus.SENT.value,
        "sent_at": sa.bindparam("now", type_=_TABLE.c.sent_at.type),
        "status_at": sa.bindparam("now", type_=_TABLE.c.status_at.type),
        "lease_until": None,
        "error_code": None,
        "error_message": None,
    }


def _mine_sending() -> tuple[sa.ColumnElement[bool], ...]:
    worker = sa.bindparam("worker", type_=_TABLE.c.claimed_by.type)
    return (_TABLE.c.claimed_by == worker, _TABLE.c.status == MessageStatus.SENDING.value)


@functools.cache
def _record_sent_statement(dialect: str) -> sa.Update:
    """Built once: on PostgreSQL one UPDATE … FROM unnest(ids, sids) for any number of rows (a
    VALUES list of the batch's size would be compiled anew for every batch); on SQLite one
    statement run as an executemany."""
    if dialect == "postgresql":
        sent = sa.select(
            sa.func.unnest(sa.bindparam("ids", type_=ARRAY(sa.Integer))).label("message_id"),
            sa.func.unnest(sa.bindparam("sids", type_=ARRAY(sa.String))).label("sid"),
        ).subquery("sent")
        return (
            sa.update(_TABLE)
            .where(_TABLE.c.id == sent.c.message_id, *_mine_sending())
            .values(provider_sid=sent.c.sid, **_sent_values())
        )
    return (
        sa.update(_TABLE)
        .where(_TABLE.c.id == sa.bindparam("message_id"), *_mine_sending())
        .values(provider_sid=sa.bindparam("sid"), **_sent_values())
    )


def record_sent(worker_id: str, sent: list[tuple[Claimed, SendResult]]) -> None:
    """Mark accepted messages sent: one statement for the lot (a statement per row would cost
    the rate)."""
    if not sent:
        return
    connection = db.session.connection()
    statement = _record_sent_statement(connection.dialect.name)
    shared = {"worker": worker_id, "now": utcnow()}
    if connection.dialect.name == "postgresql":
        connection.execute(
            statement,
            {
                **shared,
                "ids": [claimed.id for claimed, _ in sent],
                "sids": [result.provider_sid for _, result in sent],
            },
        )
        return
    connection.execute(
        statement,
        [
            {**shared, "message_id": claimed.id, "sid": result.provider_sid}
            for claimed, result in sent
        ],
    )


def record_failure(worker_id: str, claimed: Claimed, error: SendError) -> None:
    now = utcnow()
    retry = error.retryable and claimed.attempts < MAX_ATTEMPTS
    values: dict[str, Any] = {
        "error_code": (error.code or "")[:20] or None,
        "error_message": error.message[:300],
        "lease_until": None,
        "status_at": now,
    }
    if retry:
        delay = backoff_seconds(claimed.attempts, error.retry_after)
        values |= {"status": MessageStatus.QUEUED, "not_before": now + dt.timedelta(seconds=delay)}
    else:
        values["status"] = MessageStatus.FAILED
    db.session.execute(
        sa.update(OutboxMessage)
        .where(_mine(claimed.id, worker_id))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    # Only a permanent error says something about the number; 429s, 5xx and timeouts that ran
    # out of attempts say the gateway was down, and must not quarantine everyone it failed for.
    if not error.retryable and claimed.subscriber_id is not None:
        count_failure(claimed.subscriber_id, opted_out=error.opted_out)


def release(worker_id: str, message_ids: list[int]) -> None:
    """Give claimed rows that were never handed to the gateway back to the queue, as they were
    (a stopping dispatcher: another takes them at once instead of after the lease)."""
    if message_ids:
        db.session.execute(
            sa.update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(message_ids),
                OutboxMessage.claimed_by == worker_id,
                OutboxMessage.status == MessageStatus.SENDING,
            )
            .values(
                status=MessageStatus.QUEUED,
                lease_until=None,
                claimed_by=None,
                attempts=OutboxMessage.attempts - 1,
            )
            .execution_options(synchronize_session=False)
        )


def _expire(worker_id: str, claimed: Claimed) -> None:
    db.session.execute(
        sa.update(OutboxMessage)
        .where(_mine(claimed.id, worker_id))
        .values(status=MessageStatus.EXPIRED, lease_until=None, status_at=utcnow())
        .execution_options(synchronize_session=False)
    )


class LeaseHeartbeat:
    """Renews the lease of the rows a dispatcher holds, from a thread of its own on a connection
    of its own, every third of the lease; knows until when the held rows are surely ours."""

    def __init__(self, app: Flask, worker_id: str) -> None:
        self.app = app
        self.worker_id = worker_id
        # Held row → time.monotonic() up to which its lease surely lasts (measured before the
        # UPDATE that set it, so never later than the lease in the database).
        self._held: dict[int, float] = {}
        self._safe_until = float("inf")  # the earliest of those
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def hold(self, ids: list[int], claimed_at: float) -> None:
        """Rows just claimed at `claimed_at` (monotonic, taken before the claim's UPDATE)."""
        if not ids:
            return
        until = claimed_at + LEASE.total_seconds()
        with self._lock:
            self._held.update(dict.fromkeys(ids, until))
            self._safe_until = min(self._safe_until, until)
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name=f"{self.worker_id}-lease", daemon=True
            )
            self._thread.start()

    def let_go(self, ids: list[int]) -> None:
        with self._lock:
            for message_id in ids:
                self._held.pop(message_id, None)
            self._safe_until = min(self._held.values(), default=float("inf"))

    def may_send(self) -> bool:
        """True while the held rows' lease lasts long enough to start one more send."""
        # A quarter of the lease: a send started now is recorded long before the lease ends.
        return time.monotonic() + LEASE.total_seconds() / 4 < self._safe_until

    def renew(self) -> int:
        """Extend the lease of every held row still sending and ours; returns how many.

        A held row that is not renewed is no longer ours (its lease ran out while the database
        was away, and another dispatcher took it): its time is not extended, so may_send()
        turns False and the batch stops in time."""
        with self._lock:
            ids = sorted(self._held)
        if not ids:
            return 0
        started = time.monotonic()
        with self.app.app_context(), db.engine.begin() as connection:
            renewed = list(
                connection.scalars(
                    sa.update(_TABLE)
                    .where(
                        _TABLE.c.id.in_(ids),
                        _TABLE.c.claimed_by == self.worker_id,
                        _TABLE.c.status == MessageStatus.SENDING.value,
                    )
                    .values(lease_until=utcnow() + LEASE)
                    .returning(_TABLE.c.id)
                )
            )
        until = started + LEASE.total_seconds()
        with self._lock:
            for message_id in renewed:
                if message_id in self._held:
                    self._held[message_id] = until
            self._safe_until = min(self._held.values(), default=float("inf"))
        return len(renewed)

    def _run(self) -> None:
        interval = LEASE.total_seconds() / 3
        while not self._stop.wait(interval):
            try:
                self.renew()
            except Exception:  # noqa: BLE001 - the database away: may_send() turns False in time
                log.warning("%s: lease renewal failed", self.worker_id, exc_info=True)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


class Dispatcher:
    """One dispatcher: `run_once` sends one batch; `run` loops until `stop` is set."""

    def __init__(
        self, app: Flask, gateway: SmsGateway | None = None, batch_size: int | None = None
    ):
        conf = app.config["FAIRHEAT"]
        self.app = app
        self.gateway = gateway or gateway_from_settings(conf, app=app)
        self.worker_id = f"dispatcher-{uuid.uuid4().hex[:12]}"
        self.bucket = TokenBucket(conf.sms.rate_per_second)  # this dispatcher's pace
        with app.app_context():  # and the rate shared with every other dispatcher process
            self.budget = SharedBudget(db.engine, conf.sms.rate_per_second)
        # A batch must be sent well inside its lease, or another dispatcher could take rows
        # that are still going out: at most a quarter of the lease's worth at the send rate.
        fits_lease = int(conf.sms.rate_per_second * LEASE.total_seconds() / 4)
        self.batch_size = batch_size or max(1, min(MAX_BATCH, fits_lease))
        self.status_callback = f"{conf.public_base_url}/twilio/sms/status"
        self._in_flight: list[tuple[Claimed, Future[SendResult]]] = []
        self._stopping = threading.Event()  # run()'s stop: a batch is not finished after it
        self.heartbeat = LeaseHeartbeat(app, self.worker_id)

    def _submit(self, claimed: Claimed) -> Future[SendResult]:
        return self.gateway.submit(
            claimed.phone, claimed.body, status_callback=self.status_callback
        )

    def run_once(self) -> int:
        """Claim and send one batch, and record every send of it; returns how many were claimed."""
        return self._cycle(finish=True)

    def _cycle(self, *, finish: bool) -> int:
        """Claim one batch and start its sends; record those that finished (all when `finish`).

        In `run`, a batch's last sends are still waiting for the gateway (one round trip) when
        the next batch is claimed: they stay in `self._in_flight` and are recorded with the
        next batch's, so the sending never pauses between batches.
        """
        with self.app.app_context():
            if self._in_flight:  # what finished meanwhile is written down before claiming more
                slow = len(self._in_flight) > self.batch_size
                self._in_flight = self._record(self._in_flight, wait=slow)
            claimed_at = time.monotonic()
            batch = claim_batch(self.worker_id, self.batch_size)
            self.heartbeat.hold([claimed.id for claimed in batch], claimed_at)
            now = utcnow()
            record_at = time.monotonic() + RECORD_INTERVAL_SECONDS
            for position, claimed in enumerate(batch):
                if self._stopping.is_set() or not self.heartbeat.may_send():
                    # Stopping, or the lease could not be renewed (the database away): what
                    # was not started goes back unsent (or, if even that fails, waits for the
                    # lease to run out), never sent by two dispatchers.
                    rest = [later.id for later in batch[position:]]
                    release(self.worker_id, rest)
                    db.session.commit()
                    self.heartbeat.let_go(rest)
                    break
                if claimed.expires_at is not None and claimed.expires_at < now:
                    _expire(self.worker_id, claimed)
                    db.session.commit()  # no write lock held while the shared budget is asked
                    self.heartbeat.let_go([claimed.id])
                    continue
                self.bucket.acquire()
                self.budget.acquire()
                self._in_flight.append((claimed, self._submit(claimed)))
                if time.monotonic() >= record_at:
                    # Reassigned only once recorded and committed: after a failure the same
                    # sends are recorded again by the next cycle, never twice.
                    self._in_flight = self._record(self._in_flight, wait=False)
                    record_at = time.monotonic() + RECORD_INTERVAL_SECONDS
            self._in_flight = self._record(self._in_flight, wait=finish or not batch)
            db.session.commit()
            db.session.remove()
            return len(batch)

    def _record(
        self, futures: list[tuple[Claimed, Future[SendResult]]], *, wait: bool
    ) -> list[tuple[Claimed, Future[SendResult]]]:
        """Record and commit the finished sends (all of them when `wait`); return the others.

        Committed as they finish (every RECORD_INTERVAL_SECONDS at most), not when the whole
        batch is done (200 messages take 20 s at 10/s): Twilio's status callbacks come within
        seconds and must find the message's SID.
        """
        left: list[tuple[Claimed, Future[SendResult]]] = []
        sent: list[tuple[Claimed, SendResult]] = []
        for claimed, future in futures:
            if not wait and not future.done():
                left.append((claimed, future))
                continue
            try:
                sent.append((claimed, future.result()))
            except SendError as error:
                record_failure(self.worker_id, claimed, error)
            except Exception as error:  # noqa: BLE001 - a bug in one send must not stop the rest
                log.exception("sending message %s failed unexpectedly", claimed.id)
                failure = SendError(str(error), code="unexpected", retryable=True)
                record_failure(self.worker_id, claimed, failure)
        record_sent(self.worker_id, sent)
        if len(left) < len(futures):
            db.session.commit()
            pending = {claimed.id for claimed, _ in left}
            self.heartbeat.let_go([c.id for c, _ in futures if c.id not in pending])
        return left

    def run(self, stop: threading.Event) -> None:
        log.info("%s sending at most %s messages a second", self.worker_id, self.bucket.rate)
        self._stopping = stop
        while not stop.is_set():
            try:
                if self._cycle(finish=False) == 0:
                    stop.wait(IDLE_POLL_SECONDS)
            except Exception:
                log.exception("dispatcher batch failed; retrying shortly")
                stop.wait(IDLE_POLL_SECONDS * 4)
        with self.app.app_context():  # what is still in flight is recorded before stopping
            self._in_flight = self._record(self._in_flight, wait=True)
            db.session.commit()
            db.session.remove()

    def close(self) -> None:
        self.heartbeat.close()
        self.gateway.close()
