"""Declarative base with a constraint naming convention, and UTC timestamp helpers.

Timestamps are stored timezone-aware in UTC. SQLite has no time zone type, so UTCDateTime
stores naive UTC there and hands back aware datetimes on both databases; a naive datetime
given to it is a programming error and is refused rather than guessed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """SQLite in write-ahead-log mode: readers do not wait for the writer, and a commit costs
    one sync of the log instead of two of the database file. synchronous=NORMAL keeps every
    committed transaction across a crash of the application or the database process; only a
    power cut or an operating-system crash can lose the last few (never corrupt the file)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


# A pooled connection back from use within this many seconds is handed out again unchecked.
PING_AFTER_IDLE_SECONDS = 10.0


def ping_after_idle(engine: sa.Engine, idle_seconds: float = PING_AFTER_IDLE_SECONDS) -> None:
    """Check a pooled connection before reuse only when it has been idle a while.

    SQLAlchemy's pool_pre_ping pings on every checkout: one more round trip for every request
    and job (PostgreSQL). A connection that was in use a moment ago is alive; one that sat in
    the pool while the database restarted or a firewall dropped it is not, and is replaced here
    before anyone uses it. A connection lost in the middle of a busy second still fails that
    one statement, and SQLAlchemy then discards every pooled connection older than it.
    """

    @sa.event.listens_for(engine.pool, "checkin")
    def _returned(dbapi_connection: Any, record: Any) -> None:
        record.info["fairheat_idle_since"] = time.monotonic()

    @sa.event.listens_for(engine.pool, "checkout")
    def _check(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.get("fairheat_idle_since")
        if since is None or time.monotonic() - since < idle_seconds:
            return  # new, or back from use a moment ago
        # A dead one usually means the database restarted: every connection pooled before now is
        # dropped (InvalidatePoolError), and the pool hands out a new one.
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise sa.exc.InvalidatePoolError(f"idle connection lost: {error}") from error
        if not alive:
            raise sa.exc.InvalidatePoolError("idle connection lost")


_autocommit_engines: weakref.WeakKeyDictionary[sa.Engine, sa.Engine] = weakref.WeakKeyDictionary()
_autocommit_lock = threading.Lock()


def _autocommit_engine(engine: sa.Engine) -> sa.Engine:
    """Autocommit connections to `engine`'s PostgreSQL database: a small pool of their own,
    disposed of with `engine`. Not `engine.execution_options(isolation_level=...)`, which
    switches a shared connection to autocommit and back at every checkout (a fifth of the cost
    of a status callback)."""
    with _autocommit_lock:
        found = _autocommit_engines.get(engine)
        if found is None:
            found = sa.create_engine(engine.url, isolation_level="AUTOCOMMIT")
            ping_after_idle(found)
            sa.event.listen(engine, "engine_disposed", lambda _engine: found.dispose())
            _autocommit_engines[engine] = found
        return found


@contextlib.contextmanager
def single_statement_writes(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection for writes that are each whole in one statement (status callbacks, the
    shared send budget): on PostgreSQL each commits by itself, one round trip instead of BEGIN,
    statement, COMMIT; on SQLite, where a transaction costs no round trip, they run in one
    transaction committed at the end."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            yield connection
        return
    with _autocommit_engine(engine).connect() as connection:
        yield connection


def skip_locked(pick: sa.Select[Any], dialect: str) -> sa.Select[Any]:
    """A claim's SELECT: on PostgreSQL rows another dispatcher holds are skipped (FOR UPDATE SKIP
    LOCKED); SQLite has one writer at a time and no row locks, so the claim's conditional
    UPDATE decides there."""
    return pick.with_for_update(skip_locked=True) if dialect == "postgresql" else pick


def utcnow() -> dt.datetime:
    """Now, timezone-aware in UTC. Pass the function itself as a column default."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(sa.types.TypeDecorator[dt.datetime]):
    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def enum_column(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """An enum stored by its value (not its Python name) with a named CHECK constraint."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={dt.datetime: UTCDateTime()},
    )


class hours_between(sa.sql.functions.FunctionElement[float]):  # noqa: N801 (an SQL function)
    """SQL: hours from the first timestamp to the second, as a float, on both databases (for
    figures aggregated in the database: durations, answer times)."""

    type = sa.Float()
    inherit_cache = True


@compiles(hours_between, "sqlite")
def _hours_between_sqlite(element: hours_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 24.0)"


@compiles(hours_between, "postgresql")
def _hours_between_postgresql(element: hours_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 3600.0)"


def median(session: Any, values: sa.Select[Any]) -> float | None:
    """The median of a one-column query, computed by the database in two small queries (a
    count, then the middle one or two values), on both databases; None when there are none."""
    sub = values.subquery()
    column = sub.c[0]
    count = session.scalar(sa.select(sa.func.count(column)).select_from(sub))
    if not count:
        return None
    middle = session.scalars(
        sa.select(column)
        .where(column.is_not(None))
        .order_by(column)
        .offset((count - 1) // 2)
        .limit(2 - count % 2)
    ).all()
    return float(sum(middle)) / len(middle)
