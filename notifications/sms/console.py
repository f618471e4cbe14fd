"""The console SMS backend: messages are stored and listed at /dev/sms instead of being sent.

The default for `make run`, so a developer reads the code the subscribe form sent without a
phone. It writes through its own short transaction on the engine, not through the scoped ORM
session: the dispatcher's transaction is its own, and a "sent" message must stay recorded
whatever happens to it.
"""

from __future__ import annotations

import secrets
from concurrent.futures import Future, ThreadPoolExecutor

import sqlalchemy as sa
from flask import Flask

from notifications.sms.gateway import SendResult
from notifications.sms.models import ConsoleMessage
from service.extensions import db


class ConsoleGateway:
    name = "console"

    def __init__(self, app: Flask) -> None:
        with app.app_context():
            # Flask-SQLAlchemy creates one engine per app at init_app; take it once here so
            # send() needs no app context in the dispatcher's threads.
            self._engine: sa.Engine = db.engine
        self._table = ConsoleMessage.__table__
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="console-sms")

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> SendResult:
        """Store the message; the SID looks like Twilio's (SM + 32 hex) with a visible prefix."""
        sid = "SMcons" + secrets.token_hex(13)
        with self._engine.begin() as conn:
            conn.execute(sa.insert(self._table).values(sid=sid, to=to, body=body))
        return SendResult(provider_sid=sid, status="sent")

    def submit(
        self, to: str, body: str, *, status_callback: str | None = None
    ) -> Future[SendResult]:
        """Store on a thread of its own: never inside the caller's transaction (on SQLite a
        write of the caller's not yet committed would hold the lock this one waits for)."""
        return self._writer.submit(self.send, to, body, status_callback=status_callback)

    def close(self) -> None:
        """Only the writer thread to stop: the engine belongs to the app."""
        self._writer.shutdown(wait=True)


def recent_console_messages(limit: int = 200) -> list[ConsoleMessage]:
    """The newest console messages first, for /dev/sms (inside an app context)."""
    query = sa.select(ConsoleMessage).order_by(ConsoleMessage.id.desc()).limit(limit)
    return list(db.session.scalars(query))
