"""SMS fan-out, dispatch and status callbacks, on SQLite and on PostgreSQL: one JSON line each.

    .venv/bin/python bench/fanout.py [--subscribers N] [--seconds S] [--databases sqlite,postgresql]

For every database, in one run (figures and baselines measured on the same database, same run):

1. Fan-out. 100,000 verified subscribers following addresses inside one outage (bulk-inserted
   with Core executemany), an unplanned outage created through the service with publish=False,
   then `fan_out(outage, PUBLISHED, key, now)` + commit timed directly (so the publication's own
   work, audit and update history, is not counted; `publish_seconds` times a whole publication
   through the service once, for information). The baseline is a raw `INSERT INTO sms_outbox
   (same 15 columns) SELECT … FROM sms_subscribers` of the same rows with a constant body of the
   same length, into the same table (same indexes and constraints). The outbox holds an earlier
   event's 100,000 delivered messages, as after the first outage; each round times both under
   fresh event keys, in alternating order, deleting their rows (and vacuuming) after each;
   figures are medians. Target (the issue): fan-out at most 2× the raw insert. Then once more
   into an outbox that is empty and analyzed as such (`fanout_emptied_outbox`), cancelled at 4×
   the raw insert: on PostgreSQL the plan of the NOT EXISTS guard can turn quadratic there.
2. Dispatch. The real Dispatcher (real twilio SDK, requests) sends to FakeTwilio with 50 ms
   latency, running in a child process as Twilio runs elsewhere, at FAIRHEAT_SMS_RATE_PER_SECOND
   = 100 and 1,000: after a warm-up, messages accepted by the fake per second over S seconds.
   `dispatch`: as deployed, `--dispatchers` (2) `fairheat worker` processes sharing the rate
   through the database (notifications/sms/budget.py); `dispatch_one_process`: one Dispatcher
   in the bench's own process. Target: at least 95 % of the configured rate.
3. Status callbacks. The app under gunicorn (sync workers, loopback) receives signed "delivered"
   callbacks (RequestValidator.compute_signature over FAIRHEAT_PUBLIC_BASE_URL +
   /twilio/sms/status) for distinct sent messages, from wrk (or Python threads): 2xx responses per
   second over S seconds after a warm-up. Target: at least 3× the send rate (300/s and 3,000/s).
   Baseline, same run: the same requests to a bare Flask route that answers 204 and reads
   nothing (bench/hello_app.py) on the same gunicorn settings, the machine's ceiling.

PostgreSQL is a throwaway cluster (tests/support/postgres.py) unless FAIRHEAT_BENCH_DATABASE_URL
names an empty database (it is migrated, and emptied again at the end). Only loopback addresses.
Prints one JSON line per database on stdout; progress and server logs go to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import logging
import math
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from urllib.parse import urlencode

from harness import (  # noqa: E402
    HOST,
    ROOT,
    Gunicorn,
    database_names,
    free_port,
    load_client,
    log,
    migrate,
    tool,
)

sys.path.insert(0, str(ROOT))
STATUS_PATH = "/twilio/sms/status"
ACCOUNT_SID = "AC" + "b3c4" * 8
SERVICE_SID = "MG" + "5e7a" * 8
FANOUT_TARGET_RATIO = 2.0
DISPATCH_RATES = (100, 1000)
DISPATCH_TARGET_FRACTION = 0.95
DISPATCH_WARMUP = 2.0
GATEWAY_LATENCY_MS = 50
CALLBACK_FACTOR = 3.0
CALLBACK_WARMUP = 2
# Distinct sent messages prepared per second of callback load (warm-up and measurement each):
# more than this machine's app can absorb, so every measured callback is a real transition
# (sent → delivered), never a cheap repeat. A run that outpaces it says so on stderr.
CALLBACK_POOL_RATE = 8000
MAX_OUTBOX_ROWS = 400_000
HISTORY_KEY = "bench:history"
# The fan-out into an emptied outbox is cancelled at this multiple of the raw insert's time.
EMPTIED_CANCEL_RATIO = 4.0
LANGUAGES = ("fi",) * 14 + ("sv",) * 3 + ("en",) * 2 + ("pl",)  # 70/15/10/5 %
POSTCODE, STREET = "00100", "Mannerheimintie"
AREAS = [  # the outage: every subscriber follows something inside the first range
    {"postcode": POSTCODE, "street": STREET, "from_number": 1, "to_number": 250, "parity": "all"},
    {"postcode": POSTCODE, "street": "Kalevankatu", "from_number": 1, "to_number": 41,
     "parity": "odd"},
]  # fmt: skip
OUTBOX_COLUMNS = (
    "event_key", "kind", "subscriber_id", "outage_id", "phone", "language", "body", "encoding",
    "segments", "priority", "status", "attempts", "not_before", "expires_at", "created_at",
)  # fmt: skip


class FakeTwilioProcess:
    """tests/support/fake_twilio.FakeTwilio in a child process (`--fake-twilio`), so its HTTP
    handling does not share the dispatcher's interpreter lock, as the real Twilio would not.
    Commands on its stdin: `count` (messages accepted so far), `quit`."""

    def __init__(self, auth_token: str, latency_ms: float) -> None:
        command = [sys.executable, __file__, "--fake-twilio", ACCOUNT_SID, auth_token]
        command.append(str(latency_ms))
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=sys.stderr, text=True
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith(f"http://{HOST}:"):
            self.stop()
            raise RuntimeError(f"the fake Twilio did not start (said {self.url!r})")

    def _ask(self, command: str) -> str:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def count(self) -> int:
        return int(self._ask("count"))

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                self._ask("quit")
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def serve_fake_twilio(account_sid: str, auth_token: str, latency_ms: str) -> None:
    """The child: serve until `quit` or end of stdin."""
    from tests.support.fake_twilio import FakeTwilio

    with FakeTwilio(account_sid, auth_token) as fake:
        fake.latency_ms = float(latency_ms)
        print(fake.url, flush=True)
        for line in sys.stdin:  # ends with the parent's pipe
            command = line.strip()
            if command == "count":
                with fake._lock:
                    accepted = len(fake._messages)
                print(accepted, flush=True)
            elif command == "quit":
                print("bye", flush=True)
                break
        if fake.errors:
            print(f"fake twilio: {len(fake.errors)} handler errors", file=sys.stderr)


# ---- gunicorn -----------------------------------------------------------------------------


class Instance:
    """One migrated database with its settings; `app(rate)` builds an app on it in-process."""

    def __init__(
        self, name: str, url: str, tmp: Path, callback_port: int, fake_url: str, auth_token: str
    ):
        self.name = name
        self.url = url
        self.tmp = tmp
        self.callback_port = callback_port
        self.auth_token = auth_token
        self.env = {
            **os.environ,
            "FAIRHEAT_ENV": "production",
            "FAIRHEAT_DATABASE_URL": url,
            "FAIRHEAT_SECRET_KEY": secrets.token_urlsafe(48),
            "FAIRHEAT_JURISDICTION": "FI",
            "FAIRHEAT_RUN_SCHEDULER": "0",
            "FAIRHEAT_PUBLIC_BASE_URL": f"http://{HOST}:{callback_port}",
            "FAIRHEAT_SMS_BACKEND": "twilio",
            "FAIRHEAT_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "FAIRHEAT_TWILIO_AUTH_TOKEN": self.auth_token,
            "FAIRHEAT_TWILIO_MESSAGING_SERVICE_SID": SERVICE_SID,
            "FAIRHEAT_TWILIO_API_BASE_URL": fake_url,
        }

    def migrate(self) -> None:
        log(f"{self.name}: migrating")
        migrate(self.env)

    def app(self, rate: float = 10.0) -> Any:
        from config import load_settings
        from service.app import create_app

        environ = {**self.env, "FAIRHEAT_SMS_RATE_PER_SECOND": str(rate)}
        settings = load_settings(environ, instance_path=self.tmp / "instance")
        return create_app({"FAIRHEAT": settings})


def dispose(app: Any) -> None:
    from service.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def require_empty(app: Any) -> None:
    """A given database must hold no outages or subscribers: the bench empties it at the end."""
    import sqlalchemy as sa

    from notifications.models import Outage
    from notifications.sms.models import OutboxMessage, Subscriber
    from service.extensions import db

    with app.app_context():
        for model in (Outage, Subscriber, OutboxMessage):
            if db.session.scalar(sa.select(sa.func.count()).select_from(model)):
                raise SystemExit(
                    f"bench: {model.__tablename__} is not empty in the given database; "
                    "give an empty one (the bench deletes every row at the end)"
                )
        db.session.remove()


def empty_all_tables(app: Any) -> None:
    from service.extensions import db

    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        db.engine.dispose()


def maintain(table: str) -> None:
    """Fresh planner statistics (and on PostgreSQL dead rows reclaimed), as autovacuum would."""
    import sqlalchemy as sa

    from service.extensions import db

    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text(f"VACUUM ANALYZE {table}"))
    else:
        with db.engine.begin() as conn:
            conn.execute(sa.text(f"ANALYZE {table}"))


def insert_subscribers(count: int) -> None:
    """`count` verified subscribers, each following one or two addresses inside the outage.

    One in ten follows the whole postcode, one in ten the whole street, the others a building
    (1-250); every seventh a second building. Languages 70 % fi, 15 % sv, 10 % en, 5 % pl; one
    in a thousand is a priority subscriber (care homes)."""
    import sqlalchemy as sa

    from notifications.areas import street_key
    from notifications.sms.models import Subscriber, SubscriberAddress
    from service.db import utcnow
    from service.extensions import db

    now = utcnow()
    key = street_key(STREET)
    chunk = 20_000
    for first in range(1, count + 1, chunk):
        ids = range(first, min(first + chunk, count + 1))
        subscribers = [
            {
                "id": i, "phone": f"+35840{1_000_000 + i:07d}", "language": LANGUAGES[i % 20],
                "wants_planned": True, "wants_unplanned": True, "source": "web",
                "verified_at": now, "opted_out_at": None, "priority": i % 1000 == 0,
                "priority_note": None, "consecutive_failures": 0, "quarantined_at": None,
                "created_at": now, "updated_at": now,
            }
            for i in ids
        ]  # fmt: skip
        addresses = []
        for i in ids:
            street, number = (None, None) if i % 10 == 0 else (STREET, 1 + i % 250)
            if i % 10 == 1:
                number = None
            addresses.append(
                {"subscriber_id": i, "postcode": POSTCODE, "street": street,
                 "street_key": key if street else None, "number": number,
                 "number_text": str(number) if number else None}
            )  # fmt: skip
            if i % 7 == 0:
                other = 1 + (i * 31) % 250
                addresses.append(
                    {"subscriber_id": i, "postcode": POSTCODE, "street": STREET,
                     "street_key": key, "number": other, "number_text": f"{other} B"}
                )  # fmt: skip
        db.session.execute(sa.insert(Subscriber.__table__), subscribers)
        db.session.execute(sa.insert(SubscriberAddress.__table__), addresses)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            sa.text(
                "SELECT setval(pg_get_serial_sequence('sms_subscribers', 'id'), "
                "(SELECT max(id) FROM sms_subscribers))"
            )
        )
    db.session.commit()
    maintain("sms_subscribers")
    maintain("sms_subscriber_addresses")


def create_unpublished_outage() -> Any:
    """An unplanned outage over AREAS, through the service, not yet published (no fan-out)."""
    from flask import g

    from notifications.schemas import OutageInputSchema
    from notifications.services import create_outage
    from service.db import utcnow

    g.actor = "bench"
    now = utcnow().replace(microsecond=0)
    payload = {
        "kind": "unplanned",
        "impact": "heating_and_hot_water",
        "cause": "leak",
        "starts_at": (now - dt.timedelta(minutes=40)).isoformat(),
        "expected_end_at": (now + dt.timedelta(hours=4)).isoformat(),
        "areas": AREAS,
        "affected_buildings": 120,
        "publish": False,
    }
    return create_outage(OutageInputSchema().load(payload), now=now)


def outbox_count(event_key: str | None = None, status: str | None = None) -> int:
    import sqlalchemy as sa

    from notifications.sms.models import OutboxMessage
    from service.extensions import db

    query = sa.select(sa.func.count()).select_from(OutboxMessage)
    if event_key is not None:
        query = query.where(OutboxMessage.event_key == event_key)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    return int(db.session.scalar(query) or 0)


def empty_outbox(keep: str | None = None) -> None:
    """Delete the outbox's rows (but those whose event key starts with `keep`), then vacuum and
    analyze it."""
    import sqlalchemy as sa

    from notifications.sms.models import OutboxMessage
    from service.extensions import db

    delete = sa.delete(OutboxMessage)
    if keep is not None:
        delete = delete.where(~OutboxMessage.event_key.startswith(keep))
    db.session.execute(delete)
    db.session.commit()
    maintain("sms_outbox")


# ---- 1. fan-out against a raw INSERT … SELECT ---------------------------------------------


def measure_fanout(app: Any, subscribers: int, rounds: int) -> dict[str, Any]:
    import sqlalchemy as sa

    from notifications.services import publish_outage
    from notifications.sms.fanout import fan_out
    from notifications.sms.outbox import prepared
    from notifications.sms.texts import SmsEvent, sms_text
    from service.db import UTCDateTime, utcnow
    from service.extensions import db

    with app.app_context():
        started = time.perf_counter()
        insert_subscribers(subscribers)
        log(f"inserted {subscribers} subscribers in {time.perf_counter() - started:.1f} s")
        outage = create_unpublished_outage()
        outage_id = outage.id
        now = utcnow()
        text = prepared(sms_text(outage, SmsEvent.PUBLISHED, "fi"), "fi")
        expires = now + dt.timedelta(hours=app.config["FAIRHEAT"].sms.unplanned_expiry_hours)
        # The baseline: the same 15 columns of the same rows, no matching, no CASE per language,
        # no duplicate guard, one constant body (the Finnish text: the same length as most).
        raw = sa.text(
            f"INSERT INTO sms_outbox ({', '.join(OUTBOX_COLUMNS)}) "
            "SELECT :key, 'notice', s.id, :outage_id, s.phone, s.language, :body, :encoding, "
            ":segments, 0, 'queued', 0, :now, :expires, :now FROM sms_subscribers s"
        ).bindparams(
            sa.bindparam("now", type_=UTCDateTime()), sa.bindparam("expires", type_=UTCDateTime())
        )
        raw_params = {
            "outage_id": outage_id,
            "body": text.text,
            "encoding": str(text.encoding),
            "segments": text.segments,
            "now": now,
            "expires": expires,
        }

        def timed_fanout(key: str, cancel_after: float | None = None) -> float | None:
            """Seconds to fan out and commit; None when cancelled after `cancel_after` s."""
            target: Any = db.session.get(type(outage), outage_id)
            _ = list(target.areas)  # loaded before the clock starts, like the service's object
            start = time.perf_counter()
            try:
                with statement_deadline(cancel_after):
                    queued = fan_out(target, SmsEvent.PUBLISHED, key, now)
                    db.session.commit()
            except sa.exc.OperationalError as error:
                db.session.rollback()
                if cancel_after is None:
                    raise
                log(f"fan-out cancelled after {time.perf_counter() - start:.1f} s: {error.orig}")
                return None
            elapsed = time.perf_counter() - start
            if queued != subscribers:
                raise RuntimeError(f"fan-out queued {queued}, not {subscribers}")
            return elapsed

        def timed_raw(key: str) -> float:
            start = time.perf_counter()
            db.session.execute(raw, {**raw_params, "key": key})
            db.session.commit()
            elapsed = time.perf_counter() - start
            if outbox_count(key) != subscribers:
                raise RuntimeError(f"the raw insert wrote {outbox_count(key)} rows")
            return elapsed

        # The outbox as production has it after the first outage: the messages of an earlier
        # event (delivered), with fresh statistics. Both contenders write into it under fresh
        # event keys; their rows are deleted (and the table vacuumed) after each of them.
        history = [f"SM{secrets.token_hex(16)}" for _ in range(subscribers)]
        enqueue_messages(HISTORY_KEY, subscribers, subscribers, text, "delivered", history)
        samples: dict[str, list[float]] = {"fanout": [], "raw": []}
        for round_no in range(rounds):
            order = ("fanout", "raw") if round_no % 2 == 0 else ("raw", "fanout")
            for kind in order:
                key = f"bench:{kind}:{round_no}"
                seconds = timed_fanout(key) if kind == "fanout" else timed_raw(key)
                assert seconds is not None
                samples[kind].append(seconds)
                log(f"round {round_no + 1}: {kind} of {subscribers} rows in {seconds:.3f} s")
                empty_outbox(keep=HISTORY_KEY)
        ratios = [f / r for f, r in zip(samples["fanout"], samples["raw"], strict=True)]
        raw_seconds = statistics.median(samples["raw"])

        # For information: a whole publication through the service (audit, update history,
        # texts in every language, the fan-out, the commit), once.
        db.session.expire_all()
        start = time.perf_counter()
        publish_outage(outage_id)
        publish_seconds = time.perf_counter() - start
        published = outbox_count() - subscribers
        log(f"publish_outage: {published} messages queued in {publish_seconds:.3f} s")
        if published != subscribers:
            raise RuntimeError(f"publishing queued {published}, not {subscribers}")

        # The same fan-out into an outbox that is empty and whose statistics say so (a new
        # installation after its first clean-up, or after `vacuumdb --analyze`): cancelled once
        # it is clearly past the target, since the plan may then be quadratic.
        empty_outbox()
        cancel_after = max(2.0, EMPTIED_CANCEL_RATIO * raw_seconds)
        emptied = timed_fanout("bench:fanout:emptied", cancel_after)
        log(
            "fan-out into the emptied, analyzed outbox: "
            + (f"{emptied:.3f} s" if emptied is not None else f"over {cancel_after:.1f} s")
        )
        empty_outbox()
        db.session.remove()
    return {
        "fanout_seconds": statistics.median(samples["fanout"]),
        "raw_insert_seconds": raw_seconds,
        "fanout_ratio": statistics.median(ratios),
        "round_ratios": ratios,
        "publish_seconds": publish_seconds,
        "emptied": {
            "seconds": round(emptied if emptied is not None else cancel_after, 3),
            "ratio": round((emptied if emptied is not None else cancel_after) / raw_seconds, 3),
            "cancelled": emptied is None,
        },
        "outage_id": outage_id,
        "text": text,
    }


@contextlib.contextmanager
def statement_deadline(seconds: float | None) -> Any:
    """Cancel the statements run inside after `seconds` (PostgreSQL statement_timeout, SQLite
    progress handler); they then raise OperationalError."""
    import sqlalchemy as sa

    from service.extensions import db

    if seconds is None:
        yield
        return
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        db.session.execute(sa.text(f"SET LOCAL statement_timeout = {int(seconds * 1000)}"))
        yield
        return
    sqlite: Any = connection.connection.driver_connection
    deadline = time.monotonic() + seconds
    sqlite.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        yield
    finally:
        sqlite.set_progress_handler(None, 0)


# ---- 2. dispatch --------------------------------------------------------------------------


def enqueue_messages(
    event_key: str,
    count: int,
    subscribers: int,
    text: Any,
    status: str = "queued",
    sids: list[str] | None = None,
) -> None:
    """`count` outbox rows for existing subscribers, due now (or already sent, with `sids`)."""
    import sqlalchemy as sa

    from notifications.sms.models import OutboxMessage
    from service.db import utcnow
    from service.extensions import db

    now = utcnow()
    sent = sids is not None
    common = {
        "kind": "notice",
        "outage_id": None,
        "language": "fi",
        "body": text.text,
        "encoding": str(text.encoding),
        "segments": text.segments,
        "priority": 0,
        "status": status,
        "attempts": 1 if sent else 0,
        "not_before": now - dt.timedelta(seconds=1),
        "expires_at": None,
        "created_at": now,
        "sent_at": now if sent else None,
        "status_at": now if sent else None,
    }
    chunk = 20_000
    for first in range(0, count, chunk):
        rows = [
            {
                **common,
                "event_key": f"{event_key}:{i // subscribers}",  # unique with the subscriber
                "subscriber_id": 1 + i % subscribers,
                "phone": f"+35840{1_000_000 + 1 + i % subscribers:07d}",
                "provider_sid": sids[i] if sids is not None else None,
            }
            for i in range(first, min(first + chunk, count))
        ]
        db.session.execute(sa.insert(OutboxMessage.__table__), rows)
    db.session.commit()
    maintain("sms_outbox")


@contextlib.contextmanager
def dispatchers(instance: Instance, app: Any, rate: int, processes: int) -> Any:
    """Run the dispatcher(s) for the `with` block; yields a callable: are they all alive?"""
    if processes == 1:
        from notifications.sms.dispatcher import Dispatcher

        dispatcher = Dispatcher(app)
        stop = threading.Event()
        thread = threading.Thread(target=dispatcher.run, args=(stop,), daemon=True)
        thread.start()
        try:
            yield thread.is_alive
        finally:
            stop.set()
            thread.join(timeout=60)
            dispatcher.close()
        return
    environ = {**instance.env, "FAIRHEAT_SMS_RATE_PER_SECOND": str(rate)}
    logfile = instance.tmp / "workers.log"
    with logfile.open("a") as output:
        workers = [
            subprocess.Popen(
                [tool("fairheat"), "worker"], env=environ, cwd=ROOT, stdout=output, stderr=output
            )
            for _ in range(processes)
        ]
    try:
        yield lambda: all(w.poll() is None for w in workers)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGINT)  # `fairheat worker` records what is in flight
        for worker in workers:
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


def measure_dispatch(
    instance: Instance,
    fake: FakeTwilioProcess,
    rate: int,
    seconds: float,
    subscribers: int,
    text: Any,
    processes: int = 1,
) -> dict[str, Any]:
    """Accepted sends per second with one Dispatcher in this process (`processes` == 1) or
    with `processes` `fairheat worker` processes sharing the rate (as deployed)."""
    import sqlalchemy as sa

    from notifications.sms.models import MessageStatus, OutboxMessage
    from service.extensions import db

    app = instance.app(rate)
    count = min(MAX_OUTBOX_ROWS, math.ceil(rate * (DISPATCH_WARMUP + seconds + 5)))
    with app.app_context():
        enqueue_messages(f"bench:dispatch:{rate}:{processes}p", count, subscribers, text)
        db.session.remove()
    before = fake.count()
    with dispatchers(instance, app, rate, processes) as alive:
        deadline = time.monotonic() + 30
        while fake.count() == before:  # bounded: the first batch is claimed within a second
            if time.monotonic() > deadline or not alive():
                raise RuntimeError("the dispatcher sent nothing within 30 s")
            time.sleep(0.05)
        time.sleep(DISPATCH_WARMUP)
        start, first = time.monotonic(), fake.count()
        time.sleep(seconds)
        end, last = time.monotonic(), fake.count()
    achieved = (last - first) / (end - start)
    with app.app_context():
        sent = outbox_count(status=MessageStatus.SENT.value)
        # What is left is not needed again: the next rate starts from its own queue.
        db.session.execute(
            sa.delete(OutboxMessage).where(OutboxMessage.status != MessageStatus.SENT)
        )
        db.session.commit()
        db.session.remove()
    dispose(app)
    log(
        f"dispatch at {rate}/s, {processes} process(es): "
        f"{achieved:.1f} accepted/s over {end - start:.1f} s "
        f"({achieved / rate:.1%}); {sent} rows sent so far"
    )
    return {"rate": achieved, "fraction": achieved / rate, "accepted": last - first}


# ---- 3. status callbacks ------------------------------------------------------------------


def callback_requests(instance: Instance, sids: list[str]) -> list[str]:
    """'signature<TAB>form body' lines: Twilio's "delivered" callback for each SID."""
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(instance.auth_token)
    url = f"{instance.env['FAIRHEAT_PUBLIC_BASE_URL']}{STATUS_PATH}"
    lines = []
    for sid in sids:
        params = {
            "AccountSid": ACCOUNT_SID, "ApiVersion": "2010-04-01", "MessageSid": sid,
            "MessageStatus": "delivered", "MessagingServiceSid": SERVICE_SID, "SmsSid": sid,
            "SmsStatus": "delivered", "To": "+358401000001",
        }  # fmt: skip
        lines.append(f"{validator.compute_signature(url, params)}\t{urlencode(params)}")
    return lines


WRK_SCRIPT = r"""
-- Each thread POSTs its share of the prepared callbacks ("signature<TAB>body" lines), in order;
-- it starts again from its first one only when they run out (the bench then says so).
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  local path, threads = args[1], tonumber(args[2])
  requests = {}
  local i = 0
  for line in io.lines(path) do
    if i % threads == id then
      local signature, body = line:match("^([^\t]*)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", nil, {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["X-Twilio-Signature"] = signature,
      }, body)
    end
    i = i + 1
  end
  position = 0
end
function request()
  position = position % #requests + 1
  return requests[position]
end
"""


def run_load(
    client: str, port: int, requests_file: Path, seconds: int, connections: int
) -> tuple[int, int, float]:
    """(2xx responses, other answers and errors, elapsed seconds) of one load run."""
    if client == "wrk":
        threads = min(connections, os.cpu_count() or 1)
        script = requests_file.with_suffix(".lua")
        script.write_text(WRK_SCRIPT)
        command = [
            "wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
            "-s", str(script), f"http://{HOST}:{port}{STATUS_PATH}",
            "--", str(requests_file), str(threads),
        ]  # fmt: skip
        run = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
        done = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)\b", run.stdout)
        if run.returncode or not done:
            raise RuntimeError(f"wrk failed:\n{run.stdout}{run.stderr}")
        elapsed = float(done.group(2)) * {"ms": 0.001, "s": 1, "m": 60}[done.group(3)]
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", run.stdout)
        errors = re.search(r"Socket errors: (.*)", run.stdout)
        if errors:
            log(f"wrk socket errors: {errors.group(1)}")
        other = int(bad.group(1)) if bad else 0
        return int(done.group(1)) - other, other, elapsed
    command = [
        sys.executable, __file__, "--drive", str(port), str(requests_file), str(seconds),
        str(connections),
    ]  # fmt: skip
    result = json.loads(
        subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=seconds + 60
        ).stdout
    )
    return result["ok"], result["other"] + result["errors"], result["elapsed"]


def drive(port: int, requests_file: str, seconds: int, connections: int) -> None:
    """The Python load generator (child process): POSTs the prepared callbacks for `seconds`."""
    lines = Path(requests_file).read_text().splitlines()
    totals = {"ok": 0, "other": 0, "errors": 0}
    lock = threading.Lock()
    start = time.monotonic()
    end = start + seconds

    def client(offset: int) -> None:
        counts = dict.fromkeys(totals, 0)
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        index = offset
        while time.monotonic() < end:
            signature, body = lines[index % len(lines)].split("\t", 1)
            index += connections
            try:
                conn.request(
                    "POST",
                    STATUS_PATH,
                    body=body,
                    headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        "X-Twilio-Signature": signature,
                    },
                )
                response = conn.getresponse()
                response.read()
                kind = "ok" if 200 <= response.status < 300 else "other"
            except (OSError, http.client.HTTPException):
                conn.close()
                kind = "errors"
            if time.monotonic() <= end:
                counts[kind] += 1
        conn.close()
        with lock:
            for key, value in counts.items():
                totals[key] += value

    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({**totals, "elapsed": seconds}))


def measure_callbacks(
    instance: Instance,
    client: str,
    seconds: int,
    workers: int,
    connections: int,
    subscribers: int,
    text: Any,
) -> dict[str, Any]:
    import sqlalchemy as sa

    from notifications.sms.models import MessageStatus, OutboxMessage
    from service.extensions import db

    app = instance.app()
    with app.app_context():
        sids = [
            sid
            for sid in db.session.scalars(
                sa.select(OutboxMessage.provider_sid)
                .where(OutboxMessage.status == MessageStatus.SENT)
                .order_by(OutboxMessage.id)
            )
            if sid
        ]
        needed = CALLBACK_POOL_RATE * (CALLBACK_WARMUP + seconds)
        extra = [f"SM{secrets.token_hex(16)}" for _ in range(max(0, needed - len(sids)))]
        if extra:  # more sent messages, as the dispatcher leaves them, to have enough
            enqueue_messages("bench:sent", len(extra), subscribers, text, "sent", extra)
        sids += extra
        db.session.remove()
    warm_ids = sids[: CALLBACK_POOL_RATE * CALLBACK_WARMUP]
    measured_ids = sids[len(warm_ids) :]
    warm_file, measured_file = instance.tmp / "warmup.txt", instance.tmp / "callbacks.txt"
    warm_file.write_text("\n".join(callback_requests(instance, warm_ids)) + "\n")
    measured_file.write_text("\n".join(callback_requests(instance, measured_ids)) + "\n")
    log(f"callbacks: {len(warm_ids)} + {len(measured_ids)} signed requests prepared")

    logfile = instance.tmp / "gunicorn.log"
    server = Gunicorn("wsgi:app", workers, instance.env, logfile, port=instance.callback_port)
    try:
        server.wait_ready()
        log(f"callbacks: {CALLBACK_WARMUP} s warm-up, then {seconds} s ({client})")
        ok, other, _ = run_load(client, server.port, warm_file, CALLBACK_WARMUP, connections)
        if other or not ok:
            raise RuntimeError(
                f"warm-up: {ok} accepted, {other} refused or failed:\n{server.tail()}"
            )
        with app.app_context():
            delivered_before = outbox_count(status=MessageStatus.DELIVERED.value)
            db.session.remove()
        ok, other, elapsed = run_load(client, server.port, measured_file, seconds, connections)
    finally:
        server.stop()
    baseline = measure_bare_flask(instance, client, seconds, workers, connections, warm_file)
    with app.app_context():
        applied = outbox_count(status=MessageStatus.DELIVERED.value) - delivered_before
        db.session.remove()
    dispose(app)
    if other:
        log(f"callbacks: {other} answers other than 2xx, or errors")
    if ok > len(measured_ids):
        log(f"callbacks: the {len(measured_ids)} prepared ran out; {ok - applied} were repeats")
    rate = ok / elapsed
    log(f"callbacks: {rate:.1f}/s absorbed ({applied} messages moved to delivered)")
    return {"rate": rate, "applied": applied, "other": other, "baseline": baseline}


def measure_bare_flask(
    instance: Instance, client: str, seconds: int, workers: int, connections: int, requests: Path
) -> float:
    """The same signed callbacks against a Flask route that answers 204 and does nothing
    (bench/hello_app.py), on the same gunicorn settings: this machine's ceiling for them."""
    logfile = instance.tmp / "hello.log"
    server = Gunicorn("hello_app:app", workers, instance.env, logfile, chdir=ROOT / "bench")
    try:
        server.wait_ready(path="/")
        run_load(client, server.port, requests, CALLBACK_WARMUP, connections)
        ok, other, elapsed = run_load(client, server.port, requests, seconds, connections)
    finally:
        server.stop()
    if other:
        raise RuntimeError(f"bare Flask: {other} answers other than 2xx:\n{server.tail()}")
    log(f"callbacks: bare Flask route {ok / elapsed:.1f}/s on the same settings")
    return ok / elapsed


# ---- one database -------------------------------------------------------------------------


def bench_database(
    name: str, url: str, tmp: Path, args: argparse.Namespace, client: str, given: bool
) -> dict[str, Any]:
    instance_tmp = tmp / name
    instance_tmp.mkdir()
    auth_token = secrets.token_hex(16)  # the fake's Basic auth and the callbacks' signatures
    fake = FakeTwilioProcess(auth_token, latency_ms=GATEWAY_LATENCY_MS)
    app = None
    ours = False  # whether every row in the database is the bench's, to delete at the end
    try:
        instance = Instance(name, url, instance_tmp, free_port(), fake.url, auth_token)
        instance.migrate()
        app = instance.app()
        if given:
            require_empty(app)  # never empty a database that held anything before
        ours = True
        log(f"{name}: fan-out of {args.subscribers} subscribers, {args.rounds} rounds")
        fanout = measure_fanout(app, args.subscribers, args.rounds)
        dispatch = {
            str(rate): measure_dispatch(
                instance, fake, rate, args.seconds, args.subscribers, fanout["text"],
                args.dispatchers,
            )
            for rate in DISPATCH_RATES
        }  # fmt: skip
        one_process = {
            str(rate): measure_dispatch(
                instance, fake, rate, args.seconds, args.subscribers, fanout["text"], 1
            )
            for rate in DISPATCH_RATES
        }
        callbacks = measure_callbacks(
            instance, client, int(args.seconds), args.workers, args.connections,
            args.subscribers, fanout["text"],
        )  # fmt: skip
    finally:
        fake.stop()
        if app is not None and given and ours:
            empty_all_tables(app)
        if app is not None:
            dispose(app)
    top = max(DISPATCH_RATES)
    callbacks_target = CALLBACK_FACTOR * top
    meets = {
        "fanout": fanout["fanout_ratio"] <= FANOUT_TARGET_RATIO,
        "fanout_emptied_outbox": fanout["emptied"]["ratio"] <= FANOUT_TARGET_RATIO,
    }
    for rate in DISPATCH_RATES:
        meets[f"dispatch_{rate}"] = dispatch[str(rate)]["fraction"] >= DISPATCH_TARGET_FRACTION
    for rate in DISPATCH_RATES:
        meets[f"callbacks_{rate}"] = callbacks["rate"] >= CALLBACK_FACTOR * rate
    return {
        "bench": "fanout",
        "database": name,
        "subscribers": args.subscribers,
        "fanout_seconds": round(fanout["fanout_seconds"], 3),
        "raw_insert_seconds": round(fanout["raw_insert_seconds"], 3),
        "fanout_ratio": round(fanout["fanout_ratio"], 3),
        "fanout_target_ratio": FANOUT_TARGET_RATIO,
        "dispatch": {
            key: {"rate": round(value["rate"], 1), "fraction": round(value["fraction"], 3)}
            for key, value in dispatch.items()
        },
        "dispatch_processes": args.dispatchers,
        "dispatch_one_process": {
            key: {"rate": round(value["rate"], 1), "fraction": round(value["fraction"], 3)}
            for key, value in one_process.items()
        },
        "dispatch_target_fraction": DISPATCH_TARGET_FRACTION,
        "callbacks_per_second": round(callbacks["rate"], 1),
        "callbacks_target": callbacks_target,
        "callbacks_baseline_bare_flask_per_second": round(callbacks["baseline"], 1),
        "callbacks_ratio_to_bare_flask": round(callbacks["rate"] / callbacks["baseline"], 3),
        "callbacks_per_send": {
            str(rate): round(callbacks["rate"] / rate, 2) for rate in DISPATCH_RATES
        },
        "meets_targets": meets,
        "fanout_round_ratios": [round(r, 3) for r in fanout["round_ratios"]],
        "fanout_emptied_outbox": fanout["emptied"],
        "publish_seconds": round(fanout["publish_seconds"], 3),
        "seconds": args.seconds,
        "gateway_latency_ms": GATEWAY_LATENCY_MS,
        "callbacks_server": f"gunicorn sync, {args.workers} workers",
        "client": client,
        "connections": args.connections,
    }


# ---- main ---------------------------------------------------------------------------------


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--fake-twilio":
        serve_fake_twilio(*sys.argv[2:5])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--drive":
        port, requests_file, seconds, connections = sys.argv[2:6]
        drive(int(port), requests_file, int(seconds), int(connections))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000, help="1,000-1,000,000")
    parser.add_argument(
        "--seconds", type=int, default=10, help="measured time per dispatch rate and callbacks"
    )
    parser.add_argument("--rounds", type=int, default=5, help="fan-out rounds (1-9)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (1-32)")
    parser.add_argument(
        "--dispatchers", type=int, default=2, help="`fairheat worker` processes sending (1-8)"
    )
    parser.add_argument(
        "--connections", type=int, default=0, help="concurrent callback clients (2 × workers)"
    )
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    args = parser.parse_args()
    args.subscribers = min(max(args.subscribers, 1000), 1_000_000)
    args.seconds = min(max(args.seconds, 2), 120)
    args.rounds = min(max(args.rounds, 1), 9)
    args.workers = min(max(args.workers, 1), 32)
    args.dispatchers = min(max(args.dispatchers, 1), 8)
    args.connections = min(max(args.connections or 2 * args.workers, 1), 256)
    databases = database_names(args.databases)
    client = load_client(args.client)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so `finally` cleans up
    tmp = Path(tempfile.mkdtemp(prefix="fairheat-bench-fanout-"))
    cluster = None
    try:
        for name in databases:
            given = False
            if name == "sqlite":
                url = f"sqlite:///{tmp / 'bench.sqlite3'}"
            elif os.environ.get("FAIRHEAT_BENCH_DATABASE_URL"):
                url, given = os.environ["FAIRHEAT_BENCH_DATABASE_URL"], True
                if not url.startswith("postgresql+psycopg://"):
                    sys.exit("bench: FAIRHEAT_BENCH_DATABASE_URL must be a postgresql+psycopg URL")
            else:
                from tests.support.postgres import start_cluster

                log("starting a throwaway PostgreSQL cluster")
                cluster = start_cluster()
                url = cluster.create_database("fairheat_bench")
            result = bench_database(name, url, tmp, args, client, given)
            print(json.dumps(result), flush=True)
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
