"""The e-mail dispatcher: claims due outbox rows, sends them, records the outcome.

- Claiming is a conditional UPDATE under a lease (PostgreSQL: rows picked with FOR UPDATE SKIP
  LOCKED), so two dispatchers never take the same row; a heartbeat renews the lease while the
  batch is sent, and a row whose dispatcher died is claimed again within one lease (9 s,
  lease.py). The lease's end is the claim's token: a dispatcher only records outcomes on rows
  that still carry one of its own lease's ends.
- A batch goes over one SMTP connection per 50 messages (at most FAIRHEAT_EMAIL_CONNECTIONS),
  each reused for its share; accepted messages are recorded in groups of 20 and refusals at
  once, so a crash mid-batch resends at most a group and the messages in flight.
- A temporary failure (4xx, timeout, dropped connection) is retried with exponential backoff
  and jitter; a permanent one (5xx) fails at once, as does the last of FAIRHEAT_EMAIL_MAX_ATTEMPTS.
- When the server cannot be reached at all, the batch stops: the rows not yet tried go back to
  the queue (their attempt not counted) to wait as long as the one that found the server down.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from config.settings import Settings
from service.db import skip_locked, utcnow
from service.extensions import db
from service.mail.gateway import (
    MailGateway,
    MailSendError,
    RawEmail,
    compose_raw,
    gateway_from_settings,
    message_id,
)
from service.mail.lease import LEASE, BatchLease
from service.mail.models import EmailMessage, EmailStatus
from service.settings import current_settings

log = logging.getLogger(__name__)

BASE_BACKOFF_SECONDS = 30.0
MAX_BACKOFF_SECONDS = 3600.0


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with jitter: 15–30 s after the first attempt, doubling, ≤ 1 h."""
    ceiling = min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2 ** max(attempt - 1, 0))
    return random.uniform(ceiling / 2, ceiling)


@dataclass(frozen=True)
class Claimed:
    id: int
    event_key: str
    to_address: str
    subject: str
    body: str
    language: str
    attempts: int  # including this one
    html: str | None = None
    list_unsubscribe: str | None = None


def _due(now: dt.datetime) -> sa.ColumnElement[bool]:
    return sa.or_(
        sa.and_(EmailMessage.status == EmailStatus.QUEUED, EmailMessage.next_attempt_at <= now),
        sa.and_(EmailMessage.status == EmailStatus.SENDING, EmailMessage.lease_until < now),
    )


def claim_emails(limit: int, now: dt.datetime, lease_until: dt.datetime) -> list[Claimed]:
    """Take up to `limit` due rows, oldest due first, under a lease ending at `lease_until`."""
    pick = (
        sa.select(EmailMessage.id)
        .where(_due(now))
        .order_by(EmailMessage.next_attempt_at, EmailMessage.id)
        .limit(limit)
    )
    ids = list(db.session.scalars(skip_locked(pick, db.session.get_bind().dialect.name)))
    if not ids:
        db.session.rollback()
        return []
    # Conditional on `due` again: a row another dispatcher took meanwhile (SQLite has no SKIP
    # LOCKED) no longer matches and stays theirs; RETURNING says which rows are ours.
    table = EmailMessage.__table__
    rows = db.session.execute(
        sa.update(table)
        .where(table.c.id.in_(ids), _due(now))
        .values(
            status=EmailStatus.SENDING.value,
            lease_until=lease_until,
            attempts=table.c.attempts + 1,
        )
        .returning(
            table.c.id,
            table.c.event_key,
            table.c.to_address,
            table.c.subject,
            table.c.body,
            table.c.language,
            table.c.attempts,
            table.c.html,
            table.c.list_unsubscribe,
        )
    ).all()
    db.session.commit()
    return sorted((Claimed(*row) for row in rows), key=lambda claimed: claimed.id)


def _ours(claimed: Claimed, lease_until: dt.datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        EmailMessage.id == claimed.id,
        EmailMessage.status == EmailStatus.SENDING,
        EmailMessage.lease_until.in_(BatchLease.tokens(lease_until)),
    )


def _update(claimed: Claimed, lease_until: dt.datetime, **values: object) -> None:
    db.session.execute(
        sa.update(EmailMessage)
        .where(_ours(claimed, lease_until))
        .values(lease_until=None, **values)
        .execution_options(synchronize_session=False)
    )


def _record_failure(
    claimed: Claimed, lease_until: dt.datetime, error: MailSendError, now: dt.datetime
) -> dt.datetime | None:
    """Schedule a retry (and return when) or mark the message failed (and return None)."""
    max_attempts = current_settings().mail.max_attempts
    if error.permanent or claimed.attempts >= max_attempts:
        log.warning("e-mail %s failed for good: %s", claimed.id, error.message)
        _update(claimed, lease_until, status=EmailStatus.FAILED, last_error=error.message[:300])
        return None
    retry_at = now + dt.timedelta(seconds=backoff_seconds(claimed.attempts))
    log.info("e-mail %s not sent (%s); retrying at %s", claimed.id, error.message, retry_at)
    _update(
        claimed,
        lease_until,
        status=EmailStatus.QUEUED,
        next_attempt_at=retry_at,
        last_error=error.message[:300],
    )
    return retry_at


def _release(batch: list[Claimed], lease_until: dt.datetime, next_attempt_at: dt.datetime) -> None:
    """Put rows that were claimed but not tried back in the queue, their attempt uncounted."""
    for claimed in batch:
        _update(
            claimed,
            lease_until,
            status=EmailStatus.QUEUED,
            next_attempt_at=next_attempt_at,
            attempts=EmailMessage.attempts - 1,
        )


def _compose(settings: Settings, claimed: Claimed) -> RawEmail:
    return compose_raw(
        settings,
        to=claimed.to_address,
        subject=claimed.subject,
        body=claimed.body,
        language=claimed.language,
        message_id=message_id(claimed.id, claimed.event_key, settings.mail.from_address),
        date=utcnow(),
        html=claimed.html,
        list_unsubscribe=claimed.list_unsubscribe,
    )


Outcome = MailSendError | bool | None  # True sent, an error, None not tried (stopped)
MESSAGES_PER_CONNECTION = 50
# Accepted messages are recorded (one UPDATE, one commit) in groups this size: a commit per
# message was a third of the dispatcher's time. A crash resends at most this many plus the
# ones in flight, each with the same Message-ID.
RECORD_EVERY = 20


def _mark_sent(ids: list[int], lease_until: dt.datetime) -> None:
    db.session.execute(
        sa.update(EmailMessage)
        .where(
            EmailMessage.id.in_(ids),
            EmailMessage.status == EmailStatus.SENDING,
            EmailMessage.lease_until.in_(BatchLease.tokens(lease_until)),
        )
        .values(status=EmailStatus.SENT, sent_at=utcnow(), lease_until=None, last_error=None)
        .execution_options(synchronize_session=False)
    )


def _send_one(
    settings: Settings, claimed: Claimed, gateway: MailGateway, stop: threading.Event
) -> Outcome:
    if stop.is_set():
        return None
    try:
        gateway.send(_compose(settings, claimed))
    except MailSendError as error:
        if error.unreachable:
            stop.set()
        return error
    except Exception as error:  # noqa: BLE001 - a bug in one message must not stop the rest
        log.exception("sending e-mail %s failed unexpectedly", claimed.id)
        return MailSendError(f"unexpected: {error}")
    return True


class _Connections:
    """One gateway (SMTP connection) per sending thread, reused for that thread's messages."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[MailGateway] = []

    def get(self) -> MailGateway:
        gateway: MailGateway | None = getattr(self._local, "gateway", None)
        if gateway is None:
            gateway = gateway_from_settings(self.settings)
            self._local.gateway = gateway
            with self._lock:
                self._all.append(gateway)
        return gateway

    def close(self) -> None:
        for gateway in self._all:
            gateway.close()


def send_due_emails(limit: int = 50, now: dt.datetime | None = None) -> int:
    """Send up to `limit` due e-mails from the outbox; return how many the server accepted.

    Runs inside an app context (the scheduler's job) and commits its own work. `now` (default:
    the current time) decides what is due and when retries are.

    A batch goes over one SMTP connection per 50 messages, at most FAIRHEAT_EMAIL_CONNECTIONS
    at once (threads that only send; every database write stays on this thread, in the batch's
    order). Accepted messages are recorded in groups of RECORD_EVERY, refusals at once, so a
    crash resends at most a group and the messages in flight (one per connection).
    """
    now = now or utcnow()
    settings = current_settings()
    lease_until = now + LEASE
    batch = claim_emails(limit, now, lease_until)
    if not batch:
        return 0
    # Renewed while the batch is sent: a dead dispatcher's rows go again within LEASE (D17).
    lease = BatchLease(current_app._get_current_object(), [c.id for c in batch], lease_until)  # type: ignore[attr-defined]
    width = max(1, min(settings.mail.connections, -(-len(batch) // MESSAGES_PER_CONNECTION)))
    connections = _Connections(settings)
    stop = threading.Event()

    def send(claimed: Claimed) -> Outcome:
        if not lease.alive():
            # The lease could not be renewed (the database away): stop before another
            # run could take these rows while they are still going out.
            stop.set()
        return _send_one(settings, claimed, connections.get(), stop)

    sent = 0
    untried: list[Claimed] = []
    accepted: list[int] = []
    release_at = now

    def record_accepted() -> None:
        if accepted:
            _mark_sent(accepted, lease_until)
            db.session.commit()
            accepted.clear()

    try:
        with ThreadPoolExecutor(max_workers=width, thread_name_prefix="mail") as pool:
            for claimed, outcome in zip(batch, pool.map(send, batch), strict=True):
                if outcome is None:
                    untried.append(claimed)
                    continue
                if outcome is True:
                    accepted.append(claimed.id)
                    sent += 1
                    if len(accepted) >= RECORD_EVERY:
                        record_accepted()
                elif isinstance(outcome, MailSendError):
                    record_accepted()
                    retry_at = _record_failure(claimed, lease_until, outcome, now)
                    if outcome.unreachable:
                        # The rows not yet tried wait as long as the one that found it down.
                        release_at = retry_at or now
                    db.session.commit()
        record_accepted()
        if untried:
            _release(untried, lease_until, release_at)
            db.session.commit()
    finally:
        lease.close()
        connections.close()
    return sent


def send_due_emails_for(seconds: float = 8.0, batch: int = 200) -> int:
    """The scheduler's job (every 10 s): send batches until nothing is due or `seconds` pass.

    One batch of 50 per run was 5 messages a second; a notice to 30,000 contacts needs the
    outbox drained at the server's pace (one connection per batch, bench/email_fanout.py).
    """
    deadline = time.monotonic() + seconds
    sent = 0
    while time.monotonic() < deadline:
        count = send_due_emails(limit=batch)
        sent += count
        if count == 0:
            break
    return sent
