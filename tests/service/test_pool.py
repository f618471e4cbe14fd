"""Pooled PostgreSQL connections are checked before reuse only after an idle spell
(service.db.ping_after_idle): a dead one is replaced unseen, a busy one costs no round trip."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from service.db import ping_after_idle
from service.extensions import db


@pytest.fixture
def engine(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a SQLite file has no server connection to lose: PostgreSQL only")
    engine = sa.create_engine(db.engine.url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def backend_pid(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(sa.text("SELECT pg_backend_pid()")))


def terminate(pid: int) -> None:
    with db.engine.connect() as connection:
        connection.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        connection.commit()


def test_a_connection_lost_while_idle_is_replaced_before_use(engine):
    ping_after_idle(engine, idle_seconds=0.05)
    first = backend_pid(engine)
    terminate(first)  # the database restarted, or a firewall dropped the idle connection
    time.sleep(0.1)

    second = backend_pid(engine)  # no error reaches the caller

    assert second != first


def test_a_connection_back_from_use_a_moment_ago_is_not_pinged(engine, monkeypatch):
    pings = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(
        engine.dialect, "do_ping", lambda connection: pings.append(1) or real_ping(connection)
    )
    ping_after_idle(engine, idle_seconds=60)

    pids = {backend_pid(engine) for _ in range(20)}

    assert len(pids) == 1  # the same pooled connection every time
    assert pings == []
