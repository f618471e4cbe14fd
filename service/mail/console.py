"""The console e-mail backend: nothing leaves the machine; messages are listed at /dev/mail.

The default for `make run`, so a developer reads what a resident would receive without a mail
server. The outbox row itself is the record (marked sent as with a real server), so this
backend keeps no table of its own; each message is also logged.
"""

from __future__ import annotations

import logging
from email.message import Message

import sqlalchemy as sa

from service.extensions import db
from service.mail.gateway import RawEmail
from service.mail.models import EmailMessage as OutboxEmail

log = logging.getLogger(__name__)


class ConsoleGateway:
    name = "console"

    def send(self, message: Message | RawEmail) -> None:
        log.info("console e-mail to %s: %s", message["To"], message["Subject"])

    def close(self) -> None:
        """Nothing to release."""


def recent_emails(limit: int = 200) -> list[OutboxEmail]:
    """The newest outbox messages first, whatever their status, for /dev/mail."""
    query = sa.select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(limit)
    return list(db.session.scalars(query))
