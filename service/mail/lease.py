"""The e-mail dispatcher's lease, kept alive by a heartbeat (D17).

A batch is claimed under a short lease (LEASE) whose end is also the claim's token: the
dispatcher records outcomes only on rows that still carry it. While the batch is being sent a
thread renews the lease every third of it, giving the rows a new end; every end the batch ever
had stays a valid token of this claim (each is a microsecond timestamp taken by this process,
so another claim never has the same one), and the new one is added before the rows get it, so
an outcome recorded at the moment of a renewal always matches. A dispatcher that dies stops
renewing: its rows are claimed again within one lease instead of after ten minutes. One that
cannot renew (the database away) stops starting sends (`alive()`), so rows another dispatcher
may take over are not sent twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from typing import ClassVar

import sqlalchemy as sa
from flask import Flask

from service.db import utcnow
from service.extensions import db
from service.mail.models import EmailMessage, EmailStatus

log = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=9)


class BatchLease:
    _tokens: ClassVar[dict[dt.datetime, list[dt.datetime]]] = {}

    def __init__(self, app: Flask, ids: list[int], token: dt.datetime) -> None:
        self.app = app
        self.ids = ids
        self.token = token
        self._renewed_at = time.monotonic()  # a claim is a renewal
        self._stop = threading.Event()
        BatchLease._tokens[token] = [token]
        self._thread = threading.Thread(target=self._run, name="mail-lease", daemon=True)
        self._thread.start()

    @classmethod
    def tokens(cls, token: dt.datetime) -> list[dt.datetime]:
        """Every lease end the claim made at `token` has had (just `token` when not renewed)."""
        return list(cls._tokens.get(token, (token,)))

    def alive(self) -> bool:
        """True while the lease surely lasts long enough to start one more send."""
        left = LEASE.total_seconds() - (time.monotonic() - self._renewed_at)
        return left > LEASE.total_seconds() / 4

    def renew(self) -> int:
        started = time.monotonic()
        new = utcnow() + LEASE
        tokens = BatchLease._tokens[self.token]
        valid = list(tokens)
        tokens.append(new)  # before any row carries it
        with self.app.app_context(), db.engine.begin() as connection:
            renewed = connection.execute(
                sa.update(EmailMessage)
                .where(
                    EmailMessage.id.in_(self.ids),
                    EmailMessage.status == EmailStatus.SENDING,
                    EmailMessage.lease_until.in_(valid),
                )
                .values(lease_until=new)
            ).rowcount
        self._renewed_at = started
        return int(renewed or 0)

    def _run(self) -> None:
        while not self._stop.wait(LEASE.total_seconds() / 3):
            try:
                self.renew()
            except Exception:  # noqa: BLE001 - the database away: alive() turns False in time
                log.warning("e-mail lease renewal failed", exc_info=True)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        BatchLease._tokens.pop(self.token, None)
