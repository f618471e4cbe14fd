"""The send rate shared by every dispatcher process: a token bucket kept in the database.

FAIRHEAT_SMS_RATE_PER_SECOND is the utility's rate at Twilio however many `fairheat worker`
processes run (each runs a dispatcher). Every dispatcher paces itself with its own TokenBucket
and also takes tokens from this shared bucket, one row of `sms_send_budget`, in whole chunks of
a twentieth of a second's worth (a dispatcher waits for a whole chunk rather than asking again
for a few tokens): one short UPDATE per chunk, about twenty a second per dispatcher at any rate.

The refill, the grant and the new level are one conditional UPDATE … RETURNING in integer
arithmetic (micro-tokens, milliseconds), so it is atomic on PostgreSQL and SQLite alike with no
lock held between statements. It runs on its own connection, outside the dispatcher's session,
and on PostgreSQL commits by itself (service.db.single_statement_writes): one round trip.
Clocks: each process uses its own (hosts keep time with NTP); a clock behind the stored time
refills nothing instead of taking tokens back, and at most a minute of refill counts at once.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from notifications.sms.models import SendBudget
from service.db import single_statement_writes

MICRO = 1_000_000
MAX_REFILL_MS = 60_000
BUDGET_NAME = "sms"


def _least(a: sa.ColumnElement[int], b: sa.ColumnElement[int]) -> sa.ColumnElement[int]:
    return sa.case((a < b, a), else_=b)


class SharedBudget:
    """`rate` tokens a second across all processes, bursts up to a tenth of a second's worth."""

    def __init__(
        self,
        engine: sa.Engine,
        rate: float,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.engine = engine
        self.rate = rate
        self.chunk = max(1, math.floor(rate / 20))
        self.capacity = max(self.chunk, math.floor(rate / 10))
        self._per_ms = max(1, round(rate * 1000))  # micro-tokens a millisecond
        self._clock = clock
        self._sleep = sleep
        self._granted = 0
        self._lock = threading.Lock()
        table = SendBudget.__table__
        now, want = sa.bindparam("now", type_=sa.BigInteger), sa.bindparam("want", type_=sa.Integer)
        waited = sa.case((now > table.c.refilled_ms, now - table.c.refilled_ms), else_=0)
        refill = _least(waited, sa.literal(MAX_REFILL_MS, sa.BigInteger)) * self._per_ms
        level = _least(
            table.c.micro_tokens + refill, sa.literal(self.capacity * MICRO, sa.BigInteger)
        )
        # All or nothing: a dispatcher waits for a whole chunk instead of asking again for the
        # few tokens that came in since, so the database sees one UPDATE per chunk.
        grant = sa.case((level >= want * MICRO, want), else_=0)
        self._take = (
            sa.update(table)
            .where(table.c.name == BUDGET_NAME)
            .values(
                last_grant=grant,
                micro_tokens=level - grant * MICRO,
                refilled_ms=sa.case((now > table.c.refilled_ms, now), else_=table.c.refilled_ms),
            )
            .returning(table.c.last_grant, table.c.micro_tokens)
        )

    def _create_row(self, connection: sa.Connection) -> None:
        insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
        connection.execute(
            insert(SendBudget.__table__)
            .values(name=BUDGET_NAME, micro_tokens=0, refilled_ms=0, last_grant=0)
            .on_conflict_do_nothing()
        )

    def take(self, want: int) -> tuple[int, float]:
        """`want` tokens from the shared bucket, or none; and how many are left (fractional)."""
        params = {"now": round(self._clock() * 1000), "want": want}
        with single_statement_writes(self.engine) as connection:
            row = connection.execute(self._take, params).first()
            if row is None:  # first use of this database
                self._create_row(connection)
                row = connection.execute(self._take, params).first()
        assert row is not None
        return int(row[0]), row[1] / MICRO

    def acquire(self) -> None:
        """Wait for one token of the shared rate."""
        with self._lock:
            while self._granted == 0:
                self._granted, left = self.take(self.chunk)
                if self._granted == 0:  # wait until a whole chunk has come in
                    self._sleep(max((self.chunk - left) / self.rate, 0.001))
            self._granted -= 1
