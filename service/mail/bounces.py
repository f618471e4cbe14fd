"""Bounces that come after the SMTP server accepted a message (a delivery status notification
from a later hop), recorded per message by its Message-ID.

The dispatcher records refusals at RCPT or DATA time itself (FAILED with the server's reply);
this is the later path: a DSN's Original-Message-ID (or the bounced copy's Message-ID) names the
outbox row, `fairheat mail bounce MESSAGE-ID` or a mailbox poller calls `record_bounce`.
"""

from __future__ import annotations

import hashlib
import re

import sqlalchemy as sa

from service.db import utcnow
from service.extensions import db
from service.mail.models import EmailMessage, EmailStatus

_OURS = re.compile(r"<?fairheat\.(\d+)\.([0-9a-f]{16})@[^>]+>?")


def record_bounce(message_id: str, reason: str = "") -> bool:
    """Mark the sent message with this Message-ID bounced; False when it is not one of ours.

    The digest in the Message-ID must match the row's event key, so a guessed number cannot
    mark another message. Idempotent: a second report of one bounce changes nothing. Commits.
    """
    found = _OURS.fullmatch(message_id.strip())
    if found is None:
        return False
    row = db.session.get(EmailMessage, int(found[1]))
    if row is None or hashlib.sha256(row.event_key.encode()).hexdigest()[:16] != found[2]:
        return False
    if row.status == EmailStatus.SENT and row.bounced_at is None:
        db.session.execute(
            sa.update(EmailMessage)
            .where(EmailMessage.id == row.id)
            .values(bounced_at=utcnow(), last_error=(reason or "bounced")[:300])
        )
        db.session.commit()
    return True
