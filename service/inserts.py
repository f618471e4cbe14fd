"""INSERTs on the busiest write path, sent with as little machinery as a correct write needs.

Complaint intake writes five rows per request (the case, its events, the acknowledgements, the
audit entry) and reads back only the case's id. Through SQLAlchemy each statement costs about
0.1 ms of CPU before the driver sees it (cache key, execution context, result object), against
0.02 ms on the driver's cursor (bench/intake.py; decision 0018). On psycopg the rows therefore go
straight to the driver's cursor:

- the INSERT is compiled once per table, column set and dialect, by SQLAlchemy, so its SQL, its
  casts and its parameter conversion are the ones `session.execute` would use: the column types'
  bind processors (enums, JSON, time zones) run on every value and Python-side column defaults
  fill the columns not given;
- the engine's `before_cursor_execute` / `after_cursor_execute` listeners are called as
  SQLAlchemy calls them (tracing and the tests' statement counts see every statement);
- the statement runs on the connection of the session's transaction, so it commits or rolls
  back with everything else the request wrote.

Other drivers (SQLite) take the ordinary `session.execute`. `pipelined()` sends everything
written inside it, and optionally the COMMIT, in one round trip on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from service.extensions import db


@dataclass(frozen=True)
class _Compiled:
    sql: str
    processors: Mapping[str, Callable[[Any], Any]]
    defaults: tuple[tuple[str, Callable[[], Any]], ...]  # Python-side defaults of absent columns


_CACHE: dict[tuple[str, sa.Table, tuple[str, ...], bool], _Compiled] = {}


def _default(column: sa.Column[Any]) -> Callable[[], Any]:
    """The column's Python-side default as a function of nothing. SQLAlchemy hands callables an
    execution context; there is none here, so a default that reads one (none of the tables
    written this way has such) would fail on its first row, in the tests."""
    default = column.default
    if default is None or not (default.is_scalar or default.is_callable):
        raise ValueError(f"{column} has no Python-side default the fast INSERT can compute")
    if default.is_scalar:
        value = default.arg  # type: ignore[attr-defined]
        return lambda: value
    function = default.arg  # type: ignore[attr-defined]  # wrapped by SQLAlchemy: takes a context
    return lambda: function(None)


def _compiled(
    dialect: sa.Dialect, table: sa.Table, keys: tuple[str, ...], returning: bool
) -> _Compiled:
    cache_key = (dialect.name, table, keys, returning)
    found = _CACHE.get(cache_key)
    if found is None:
        statement = sa.insert(table)
        statement = statement.returning(table.c.id) if returning else statement.inline()
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        absent = tuple(c for c in compiled.insert_prefetch if c.key not in keys)
        found = _Compiled(
            sql=str(compiled),
            processors={  # the column types' own conversions (a tuple type's list: none here)
                key: process
                for key, process in compiled._bind_processors.items()
                if callable(process)
            },
            defaults=tuple((c.key, _default(c)) for c in absent),
        )
        _CACHE[cache_key] = found
    return found


@dataclass(frozen=True)
class _Pipeline:
    session: Any
    connection: Any  # SQLAlchemy's connection of the session's transaction
    cursor: Any  # a psycopg cursor on it, in pipeline mode


_ACTIVE: ContextVar[_Pipeline | None] = ContextVar("fairheat_pipeline", default=None)


def _driver_cursor(session: Any) -> tuple[Any, Any] | None:
    """(SQLAlchemy connection, psycopg cursor) of the session's transaction, or None."""
    active = _ACTIVE.get()
    if active is not None and active.session is session:
        return active.connection, active.cursor
    connection = session.connection()
    if connection.dialect.driver != "psycopg":
        return None
    return connection, connection.connection.driver_connection.cursor()


def _parameters(compiled: _Compiled, row: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(row)
    for key, default in compiled.defaults:
        values[key] = default()
    for key, process in compiled.processors.items():
        if key in values:
            values[key] = process(values[key])
    return values


def _run(connection: Any, cursor: Any, sql: str, parameters: Any, many: bool) -> None:
    dispatch = connection.dispatch
    for listener in dispatch.before_cursor_execute:
        listener(connection, cursor, sql, parameters, None, many)
    if many:
        cursor.executemany(sql, parameters)
    else:
        cursor.execute(sql, parameters)
    for listener in dispatch.after_cursor_execute:
        listener(connection, cursor, sql, parameters, None, many)


def insert_rows(table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT `rows` (each with the same keys) in the session's transaction; nothing is read back.
    Inside `pipelined()` on PostgreSQL the statement waits to go out with the rest."""
    if not rows:
        return
    session = db.session
    found = _driver_cursor(session)
    if found is None:
        session.execute(sa.insert(table).inline(), list(rows) if len(rows) > 1 else rows[0])
        return
    connection, cursor = found
    compiled = _compiled(connection.dialect, table, tuple(rows[0]), returning=False)
    parameters = [_parameters(compiled, row) for row in rows]
    if len(parameters) == 1:
        _run(connection, cursor, compiled.sql, parameters[0], many=False)
    else:
        _run(connection, cursor, compiled.sql, parameters, many=True)


def insert_returning_id(table: sa.Table, row: Mapping[str, Any]) -> int:
    """INSERT one row in the session's transaction and return its new id."""
    session = db.session
    found = _driver_cursor(session)
    if found is None:
        return int(session.execute(sa.insert(table).returning(table.c.id), dict(row)).scalar_one())
    connection, cursor = found
    compiled = _compiled(connection.dialect, table, tuple(row), returning=True)
    _run(connection, cursor, compiled.sql, _parameters(compiled, row), many=False)
    return int(cursor.fetchone()[0])


@contextmanager
def pipelined(session: Any, *, commit: bool = False) -> Iterator[None]:
    """On PostgreSQL (psycopg), the INSERTs inside go out together and their results come back
    together at the end of the block: one round trip instead of one each. With `commit`, the
    COMMIT goes out in that same round trip (the caller's `session.commit()` afterwards only
    closes SQLAlchemy's side of the transaction). A failed statement raises at the end of the
    block, wrapped as SQLAlchemy wraps the driver's errors, and nothing is committed: the
    statements after a failed one in a pipeline are not run.

    Only for statements whose results nobody reads inside the block (`insert_rows`, or Core
    INSERTs without RETURNING): whatever the session has pending is flushed before the pipeline
    starts, and the block must add no ORM objects. Elsewhere the block does nothing but, with
    `commit`, commit the session at its end.
    """
    session.flush()
    connection = session.connection()
    driver = connection.connection.driver_connection
    dialect = connection.dialect
    if dialect.driver != "psycopg" or not hasattr(driver, "pipeline"):
        yield
        if commit:
            session.commit()
        return
    try:
        with driver.pipeline():
            cursor = driver.cursor()
            token = _ACTIVE.set(_Pipeline(session, connection, cursor))
            try:
                yield
            finally:
                _ACTIVE.reset(token)
            if commit:
                # Queued like the INSERTs (psycopg's own commit() would sync the pipeline
                # first: a round trip more); the pipeline's closing sync carries them all.
                cursor.execute("COMMIT")
    except dialect.loaded_dbapi.Error as error:
        # Raised by the pipeline's sync, outside SQLAlchemy: wrapped as SQLAlchemy wraps the
        # driver's errors everywhere else (an IntegrityError stays an IntegrityError).
        raise sa.exc.DBAPIError.instance(
            None, None, error, dialect.loaded_dbapi.Error, dialect=dialect
        ) from error
    if commit:
        session.commit()  # the driver's transaction is over: SQLAlchemy only closes its side
