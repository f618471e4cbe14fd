"""The incoming call's row, written off the request path: a per-process writer that batches.

The incoming-call webhook answers with the dial at once and hands the call's row to this
process's writer (`queue_call`). A daemon thread writes what is queued at most FLUSH_WITHIN
seconds after the first row of a batch arrived, or as soon as BATCH_ROWS are waiting, in one
transaction (INSERT … ON CONFLICT (twilio_call_sid) DO NOTHING for each row, so a Twilio retry,
even one queued beside the first, adds nothing). Decision 0009 §8.

What it guarantees, and where the guarantee comes from:

- One row per CallSid: the unique constraint, as before.
- Nothing lost for good: a row is queued only after the dial was decided (the dial never
  waited on the database). A batch the database refuses three times in 0.3 s (unreachable,
  restarting) is dropped with a log line naming its CallSids, and a row still queued when the
  process is killed (SIGKILL, power cut) is lost from memory; both are calls the reconciliation
  job fills in
  from Twilio's own call list within FAIRHEAT_EMERGENCY_RECONCILE_HOURS (decision 0009 §2), as
  it did for a call that rang while the database was down. A process that ends normally
  (gunicorn's SIGTERM, SIGQUIT, SIGINT or a worker timeout all end in sys.exit) writes what is
  queued first (atexit).
- Order: the later webhooks of a call (the dial's action, the status callback, the recording)
  call `flush` first, so a row this process queued is in the database before they look for it.
  A row another process queued was written within FLUSH_WITHIN of the ring, long before the
  greeting ends and the dial can report anything (voice.ensure_call covers the rest).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import logging
import os
import threading
import time
import weakref
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

log = logging.getLogger(__name__)

FLUSH_WITHIN = 0.05  # seconds between a row being queued and its batch being written
BATCH_ROWS = 100  # a batch is written at once when this many rows wait
IDLE_SECONDS = 30.0  # the writer's thread ends after this long with nothing to write
WRITE_ATTEMPTS = 3  # a batch refused by a busy or restarting database is tried again twice
RETRY_PAUSE = 0.1  # seconds before the second try, doubled before the third


class CallLogWriter:
    """Rows waiting to be written to one database, and the thread that writes them."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._pending: list[dict[str, Any]] = []
        self._first_at = 0.0
        self._changed = threading.Condition()
        self._writing = threading.Lock()  # one batch at a time: a flush waits for the thread's
        self._thread: threading.Thread | None = None

    def add(self, values: Mapping[str, Any]) -> None:
        with self._changed:
            if not self._pending:
                self._first_at = time.monotonic()
            self._pending.append(dict(values))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="emergency-call-log", daemon=True
                )
                self._thread.start()
            elif len(self._pending) == 1 or len(self._pending) >= BATCH_ROWS:
                self._changed.notify()

    def pending(self) -> int:
        with self._changed:
            return len(self._pending)

    def flush(self) -> int:
        """Write every queued row now, in the calling thread; how many were written (rows a
        retry repeated count once). Waits for a batch the thread is writing."""
        with self._writing:
            with self._changed:
                rows, self._pending = self._pending, []
            return self._write(rows)

    def abandon(self) -> list[dict[str, Any]]:
        """Forget what is queued, as a killed process does (tests)."""
        with self._writing, self._changed:
            rows, self._pending = self._pending, []
            return rows

    def _run(self) -> None:
        while True:
            with self._changed:
                idle_until = time.monotonic() + IDLE_SECONDS
                while not self._pending:
                    left = idle_until - time.monotonic()
                    if left <= 0:
                        self._thread = None
                        return
                    self._changed.wait(left)
                while len(self._pending) < BATCH_ROWS:
                    left = self._first_at + FLUSH_WITHIN - time.monotonic()
                    if left <= 0:
                        break
                    self._changed.wait(left)
            try:
                self.flush()
            except sa.exc.SQLAlchemyError:
                pass  # logged by _write, with the CallSids
            except Exception:  # noqa: BLE001 (the thread must go on)
                log.exception("emergency call log writer")

    def _write(self, rows: list[dict[str, Any]]) -> int:
        if not rows:
            return 0
        first: dict[str, dict[str, Any]] = {}
        for row in rows:
            first.setdefault(row["twilio_call_sid"], row)
        unique = list(first.values())
        try:
            for attempt in range(WRITE_ATTEMPTS):
                try:
                    with self._engine.begin() as connection:
                        connection.execute(insert_once(tuple(unique[0])), unique)
                    break
                except sa.exc.OperationalError:
                    # A busy SQLite file or a database restarting: worth a second try before
                    # the batch is left to reconciliation.
                    if attempt == WRITE_ATTEMPTS - 1:
                        raise
                    time.sleep(RETRY_PAUSE * 2**attempt)
        except sa.exc.SQLAlchemyError:
            log.exception(
                "%d incoming call(s) not logged (database); the reconciliation job fills them "
                "in from Twilio's call list: %s",
                len(unique),
                ", ".join(row["twilio_call_sid"] for row in unique),
            )
            raise
        return len(unique)


@functools.lru_cache(maxsize=8)
def insert_once(names: tuple[str, ...]) -> sa.TextClause:
    """INSERT … ON CONFLICT (twilio_call_sid) DO NOTHING (the same SQL on SQLite and PostgreSQL),
    built once: SQLAlchemy cannot cache the compiled form of its ON CONFLICT insert. The
    parameters keep their column types (UTC timestamps on SQLite)."""
    from feedback.emergency.models import EmergencyCall

    table: sa.Table = EmergencyCall.__table__  # type: ignore[assignment]
    sql = (
        f"INSERT INTO {table.name} ({', '.join(names)}) "
        f"VALUES ({', '.join(':' + name for name in names)}) "
        "ON CONFLICT (twilio_call_sid) DO NOTHING"
    )
    return sa.text(sql).bindparams(
        *(sa.bindparam(name, type_=table.c[name].type) for name in names)
    )


_writers: weakref.WeakKeyDictionary[sa.Engine, CallLogWriter] = weakref.WeakKeyDictionary()
_writers_lock = threading.Lock()
_pid = os.getpid()


def writer_for(engine: sa.Engine) -> CallLogWriter:
    """This process's writer for `engine` (a forked worker starts with none of its parent's)."""
    global _pid
    with _writers_lock:
        if os.getpid() != _pid:
            _writers.clear()
            _pid = os.getpid()
        found = _writers.get(engine)
        if found is None:
            found = _writers[engine] = CallLogWriter(engine)
        return found


def queue_call(engine: sa.Engine, values: Mapping[str, Any]) -> None:
    """Queue an incoming call's row for this process's writer (returns at once)."""
    writer_for(engine).add(values)


def flush(engine: sa.Engine) -> int:
    """Write this process's queued rows for `engine` now (the later webhooks call it first)."""
    with _writers_lock:
        found = _writers.get(engine) if os.getpid() == _pid else None
    return found.flush() if found is not None else 0


def _writers_now() -> Iterable[CallLogWriter]:
    with _writers_lock:
        return list(_writers.values()) if os.getpid() == _pid else []


@atexit.register
def _flush_at_exit() -> None:
    for writer in _writers_now():
        # A batch the database refuses is logged by _write; the reconciliation fills it in.
        with contextlib.suppress(Exception):
            writer.flush()
