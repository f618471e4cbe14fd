"""Notices to contract customers: fan-out and e-mail dispatch; one JSON line (a key per database).

    .venv/bin/python bench/email_fanout.py [--points N] [--contacts M] [--rounds R]
                                           [--dispatch-seconds S] [--databases sqlite,postgresql]

For every database, in one run (figures and baselines measured on the same database, same run):

1. Fan-out. N delivery points (20,000) on streets of one postcode with M contacts (30,000: one
   per point, a second e-mail contact on every other point), bulk-inserted with Core
   executemany; an unplanned outage over the whole postcode, created through the service with
   publish=False. Timed: `fan_out_to_customers(outage, PUBLISHED, key, now)` + commit (the
   texts rendered in four languages, the matching, one e-mail row per contact and the SMS
   statement, which finds no SMS contacts here). Baseline: a raw `INSERT INTO email_outbox
   (same 12 columns) SELECT … FROM customer_contacts JOIN customer_delivery_points` of the same
   rows with constant texts of the same length, into the same table. Rounds alternate the two
   under fresh event keys, deleting their rows (and vacuuming) after each; figures are
   medians. Target (the issue): fan-out at most 2× the raw insert.
2. Dispatch. One dispatcher (service.mail.dispatcher.send_due_emails_for: one SMTP connection
   per batch of 200, outcomes recorded per message) sends the queued notices to an SMTP server
   (aiosmtpd, in a child process so it does not share the bench's interpreter) on loopback for
   S seconds. Messages the server accepted per second. Target: at least 300 a second. The
   server is two aiosmtpd processes sharing the port (SO_REUSEPORT), as an MTA's workers
   would: one Python process was the slower end of the wire, not the dispatcher.
   `dispatch_cpu_ms_per_message` is the dispatcher process's own CPU per message (all its
   threads), the figure that holds on a busy machine.

PostgreSQL is a throwaway cluster (tests/support/postgres.py); it is skipped with a note when
PostgreSQL is not installed. Only loopback addresses. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import HOST, database_names, free_port, log  # noqa: E402

POSTCODE = "00100"
STREETS = ("Kalevankatu", "Annankatu", "Fredrikinkatu", "Albertinkatu", "Eerikinkatu")
LANGUAGES = ("fi", "sv", "en", "pl")


# ---- the SMTP server, in a child process ----------------------------------------------------


def _serve_smtp(port: int, counter: Any, ready: Any) -> None:
    """One aiosmtpd server process; several share the port (SO_REUSEPORT) like an MTA's."""
    import asyncio

    from aiosmtpd.smtp import SMTP

    class Counting:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            with counter.get_lock():
                counter.value += 1
            return "250 2.0.0 OK"

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    handler = Counting()
    loop.run_until_complete(
        loop.create_server(
            lambda: SMTP(handler, hostname="bench.example", loop=loop),
            HOST,
            port,
            reuse_port=True,
        )
    )
    ready.set()
    loop.run_forever()


class SmtpChild:
    """SMTP_PROCESSES aiosmtpd processes on one loopback port, counting what they accept."""

    def __init__(self, processes: int = 2) -> None:
        self.port = free_port()
        self.counter = multiprocessing.Value("l", 0)
        self.processes = []
        for _ in range(processes):
            ready = multiprocessing.Event()
            process = multiprocessing.Process(
                target=_serve_smtp, args=(self.port, self.counter, ready), daemon=True
            )
            process.start()
            if not ready.wait(20):
                raise SystemExit("bench: the SMTP server did not start")
            self.processes.append(process)

    @property
    def received(self) -> int:
        return int(self.counter.value)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
            process.join(10)


# ---- the instance ----------------------------------------------------------------------------


def make_app(url: str, tmp: Path, smtp_port: int) -> Any:
    from config import load_settings
    from service.app import create_app

    environ = {
        "FAIRHEAT_ENV": "production",
        "FAIRHEAT_DATABASE_URL": url,
        "FAIRHEAT_SECRET_KEY": secrets.token_urlsafe(48),
        "FAIRHEAT_JURISDICTION": "FI",
        "FAIRHEAT_RUN_SCHEDULER": "0",
        "FAIRHEAT_EMAIL_BACKEND": "smtp",
        "FAIRHEAT_SMTP_HOST": HOST,
        "FAIRHEAT_SMTP_PORT": str(smtp_port),
        "FAIRHEAT_SMTP_SECURITY": "none",
    }
    settings = load_settings(environ, instance_path=tmp / "instance")
    return create_app({"FAIRHEAT": settings})


def migrate(app: Any) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


def insert_register(points: int, contacts: int) -> None:
    import sqlalchemy as sa

    from notifications.customers.models import CustomerContact, DeliveryPoint
    from service.extensions import db

    rows = [
        {
            "customer_number": f"B{n:06d}",
            "name": f"As Oy {n}",
            "postcode": POSTCODE,
            "street": STREETS[n % len(STREETS)],
            "street_key": STREETS[n % len(STREETS)].casefold(),
            "number": n // len(STREETS) + 1,
            "number_text": str(n // len(STREETS) + 1),
            "priority": "care_home" if n % 97 == 0 else "none",
            "dwellings": 10 + n % 50,
        }
        for n in range(points)
    ]
    for start in range(0, len(rows), 5000):
        db.session.execute(sa.insert(DeliveryPoint.__table__), rows[start : start + 5000])
    ids = list(db.session.scalars(sa.select(DeliveryPoint.id).order_by(DeliveryPoint.id)))
    people = []
    for n in range(contacts):
        point = ids[n % len(ids)]
        email = f"manager{n}@isannointi{n % 40}.example"
        people.append(
            {
                "delivery_point_id": point,
                "contact_key": email,
                "email": email,
                "phone": None,
                "language": LANGUAGES[n % len(LANGUAGES)],
                "role": "manager" if n < len(ids) else "caretaker",
                "by_email": True,
                "by_sms": False,
            }
        )
    for start in range(0, len(people), 5000):
        db.session.execute(sa.insert(CustomerContact.__table__), people[start : start + 5000])
    db.session.commit()


def create_outage() -> Any:
    from notifications import create_outage as create
    from notifications.schemas import OutageInputSchema
    from service.db import utcnow

    now = utcnow()
    return create(
        OutageInputSchema().load(
            {
                "kind": "unplanned",
                "impact": "heating_and_hot_water",
                "cause": "leak",
                "starts_at": (now.replace(microsecond=0)).isoformat(),
                "areas": [{"postcode": POSTCODE}],
            }
        )
    )


def delete_rows(prefix: str) -> None:
    import sqlalchemy as sa

    from service.extensions import db
    from service.mail.models import EmailMessage

    db.session.execute(sa.delete(EmailMessage).where(EmailMessage.event_key.startswith(prefix)))
    db.session.commit()
    # Dead rows reclaimed and statistics fresh, as autovacuum would between two outages (as
    # bench/fanout.py does): otherwise each round's fan-out wades through the last one's.
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE email_outbox"))
    else:
        with db.engine.begin() as conn:
            conn.execute(sa.text("ANALYZE email_outbox"))


def raw_insert(outage: Any, key: str, texts: Any) -> None:
    """The baseline: the same rows, constant texts of the same length, no CASE, no replace()."""
    import sqlalchemy as sa

    from notifications.customers.fanout import EMAIL_COLUMNS, Person, Point
    from service.db import utcnow
    from service.extensions import db
    from service.mail.models import EmailMessage

    now = utcnow()
    when = EmailMessage.__table__.c.next_attempt_at.type
    rows = (
        sa.select(
            sa.literal(f"{key}:contact:") + sa.cast(Person.c.id, sa.String),
            Person.c.email,
            Person.c.language,
            sa.literal(texts.subject[:300]),
            sa.literal(texts.text),
            sa.literal(texts.html),
            sa.literal("queued"),
            sa.literal(0),
            sa.literal(now, type_=when),
            sa.literal(now, type_=when),
            sa.literal(outage.id),
            Person.c.id,
        )
        .select_from(Person.join(Point, Point.c.id == Person.c.delivery_point_id))
        .where(Point.c.postcode == POSTCODE)
    )
    db.session.execute(sa.insert(EmailMessage.__table__).from_select(EMAIL_COLUMNS, rows))
    db.session.commit()


def measure_fanout(outage_id: int, rounds: int, contacts: int) -> dict[str, Any]:
    import sqlalchemy as sa

    from notifications.customers import fan_out_to_customers
    from notifications.customers.texts import notice_email
    from notifications.models import Outage
    from notifications.sms.texts import SmsEvent
    from service.extensions import db
    from service.mail.models import EmailMessage

    fanout_times, raw_times = [], []
    for n in range(rounds):
        for which in ("fanout", "raw") if n % 2 == 0 else ("raw", "fanout"):
            outage = db.session.get(Outage, outage_id)
            key = f"bench:{which}:{n}"
            started = time.perf_counter()
            if which == "fanout":
                queued, _ = fan_out_to_customers(outage, SmsEvent.PUBLISHED, key)
                db.session.commit()
                fanout_times.append(time.perf_counter() - started)
                if queued != contacts:
                    raise SystemExit(f"bench: fan-out queued {queued}, expected {contacts}")
            else:
                texts = notice_email(outage, SmsEvent.PUBLISHED, "fi")
                raw_insert(outage, key, texts)
                raw_times.append(time.perf_counter() - started)
            count = db.session.scalar(
                sa.select(sa.func.count()).where(EmailMessage.event_key.startswith(key + ":"))
            )
            if count != contacts:
                raise SystemExit(f"bench: {which} wrote {count} rows, expected {contacts}")
            delete_rows(key)
        log(f"round {n + 1}: fan-out {fanout_times[-1]:.3f} s, raw {raw_times[-1]:.3f} s")
    fanout, raw = statistics.median(fanout_times), statistics.median(raw_times)
    return {
        "fanout_seconds": round(fanout, 3),
        "raw_insert_seconds": round(raw, 3),
        "fanout_vs_raw": round(fanout / raw, 2),
        "fanout_target_met": fanout <= 2 * raw,
    }


def measure_dispatch(outage_id: int, smtp: SmtpChild, seconds: float) -> dict[str, Any]:
    from notifications.customers import fan_out_to_customers
    from notifications.models import Outage
    from notifications.sms.texts import SmsEvent
    from service.extensions import db
    from service.mail.dispatcher import send_due_emails_for

    outage = db.session.get(Outage, outage_id)
    fan_out_to_customers(outage, SmsEvent.PUBLISHED, "bench:dispatch")
    db.session.commit()
    send_due_emails_for(seconds=0.5)  # warm-up: connection, templates of the message
    before, started, cpu = smtp.received, time.perf_counter(), time.process_time()
    sent = send_due_emails_for(seconds=seconds)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    received = smtp.received - before
    if received != sent:
        log(f"dispatcher counted {sent} sent, the server {received} received")
    rate = received / elapsed
    return {
        "dispatch_messages": received,
        "dispatch_seconds": round(elapsed, 2),
        "dispatch_per_second": round(rate, 1),
        # The dispatcher's own CPU (all threads) per message: what bounds it on a busy machine.
        "dispatch_cpu_ms_per_message": round(1000 * cpu / max(received, 1), 2),
        "dispatch_target_met": rate >= 300,
    }


def bench_database(name: str, url: str, tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    from service.extensions import db

    smtp = SmtpChild()
    try:
        app = make_app(url, tmp, smtp.port)
        migrate(app)
        with app.app_context():
            log(f"{name}: inserting {args.points} delivery points, {args.contacts} contacts")
            insert_register(args.points, args.contacts)
            outage = create_outage()
            result: dict[str, Any] = {
                "delivery_points": args.points,
                "contacts": args.contacts,
            }
            result.update(measure_fanout(outage.id, args.rounds, args.contacts))
            result.update(measure_dispatch(outage.id, smtp, args.dispatch_seconds))
            db.session.remove()
            db.engine.dispose()
        return result
    finally:
        smtp.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=20_000)
    parser.add_argument("--contacts", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dispatch-seconds", type=float, default=10.0)
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated")
    args = parser.parse_args()
    databases = database_names(args.databases)
    tmp = Path(tempfile.mkdtemp(prefix="fairheat-bench-email-"))
    cluster = None
    results: dict[str, Any] = {"bench": "email_fanout"}
    try:
        for name in databases:
            if name == "sqlite":
                url = f"sqlite:///{tmp / 'bench.sqlite3'}"
            else:
                from tests.support.postgres import PostgresUnavailable, start_cluster

                try:
                    cluster = start_cluster()
                except PostgresUnavailable as error:
                    log(f"postgresql skipped: {error}")
                    continue
                url = cluster.create_database("fairheat_bench_email")
            results[name] = bench_database(name, url, tmp, args)
        print(json.dumps(results), flush=True)
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
