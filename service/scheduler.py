"""APScheduler wiring: each domain's jobs and workers (service/domains.py), run in an app context.

Exactly one scheduler runs in production. On PostgreSQL the worker that holds a session-level
advisory lock is the leader; a standby worker waits on the lock and takes over when the leader's
connection dies. On SQLite (one host by definition) the single worker simply runs.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from service.domains import domains_of

log = logging.getLogger(__name__)

LEADER_LOCK_KEY = 0x66686C64  # "fhld"
LEADER_RETRY_SECONDS = 10


def start_workers(app: Flask, stop: threading.Event) -> list[threading.Thread]:
    """Every domain's long-running worker (the SMS dispatcher) in its own daemon thread."""
    threads = []
    for worker in [w for domain in domains_of(app) for w in domain.workers]:
        thread = threading.Thread(
            target=worker, args=(app, stop), name=worker.__name__, daemon=True
        )
        thread.start()
        threads.append(thread)
    return threads


def _in_app_context(app: Flask, func: Callable[[], Any]) -> Callable[[], None]:
    def run() -> None:
        with app.app_context():
            try:
                func()
            except Exception:
                log.exception("job %s failed", func.__name__)
                from service.extensions import db

                db.session.rollback()
            finally:
                from service.extensions import db

                db.session.remove()

    run.__name__ = func.__name__
    run.__qualname__ = func.__qualname__
    return run


def build_scheduler(app: Flask) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True})
    for func, trigger in [job for domain in domains_of(app) for job in domain.jobs]:
        scheduler.add_job(
            _in_app_context(app, func),
            id=f"{func.__module__}.{func.__name__}",
            max_instances=1,
            **trigger,
        )
    return scheduler


def start_in_process(app: Flask) -> BackgroundScheduler | None:
    """For `make run`: one scheduler inside the web process (not in the reloader's parent)."""
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return None
    scheduler = build_scheduler(app)
    scheduler.start()
    app.extensions["fairheat_scheduler"] = scheduler
    start_workers(app, threading.Event())
    return scheduler


def _wait_for_leadership(app: Flask, stop: threading.Event) -> sa.Connection | None:
    """The connection holding the leader's lock (PostgreSQL), once this worker has it; None on
    SQLite, or when told to stop while standing by."""
    from service.extensions import db

    if db.engine.dialect.name != "postgresql":
        return None
    connection = db.engine.connect()
    while not connection.scalar(sa.select(sa.func.pg_try_advisory_lock(LEADER_LOCK_KEY))):
        connection.rollback()
        log.info("another worker leads the scheduler; standing by")
        if stop.wait(LEADER_RETRY_SECONDS):
            connection.close()
            return None
    connection.commit()
    log.info("this worker leads the scheduler")
    return connection


def run_forever(app: Flask) -> None:
    """`fairheat worker`: dispatch SMS at once; lead the scheduler (or wait to) until stopped.

    SIGTERM (a service manager stopping or restarting it, a release) and SIGINT stop it
    gracefully: the dispatcher records the sends it has in flight before the process ends, so a
    restart sends nothing twice (a hard kill leaves them to be sent again when their lease ends).
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    threads = start_workers(app, stop)
    scheduler = None
    leader_connection = None
    try:
        leader_connection = _wait_for_leadership(app, stop)
        if not stop.is_set():
            scheduler = build_scheduler(app)
            scheduler.start()
        while not stop.wait(5):
            if leader_connection is not None:
                # A broken connection means the lock is gone: stop and let a standby lead.
                leader_connection.scalar(sa.select(1))
    finally:
        stop.set()
        log.info("stopping: finishing the sends in flight")
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        for thread in threads:
            thread.join(timeout=60)
        if leader_connection is not None:
            leader_connection.close()
        log.info("stopped")
