"""E-mail delivery rows over time (service/retention/hooks.py).

`email_message`: a message sent, failed or cancelled before the cutoff keeps its event key,
status, times and what it was about (outage, contact: the compliance figures) and loses the
address, subject and text. A data-subject request finds and anonymises the messages to an
address; a message still queued is cancelled first (nothing more goes to an erased address).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from service.extensions import db
from service.mail.models import EmailMessage, EmailStatus
from service.retention import Erasure, Kept, Subject

FINAL = (EmailStatus.SENT, EmailStatus.FAILED, EmailStatus.CANCELLED)
ERASED = ""


def _anonymise(*where: sa.ColumnElement[bool]) -> int:
    changed = db.session.scalars(
        sa.update(EmailMessage)
        .where(EmailMessage.status.in_(FINAL), EmailMessage.to_address != ERASED, *where)
        .values(to_address=ERASED, subject=ERASED, body=ERASED)
        .returning(EmailMessage.id)
        .execution_options(synchronize_session=False)
    ).all()
    return len(changed)


def expire_emails(cutoff: dt.datetime, held: frozenset[int]) -> int:
    where = [sa.func.coalesce(EmailMessage.sent_at, EmailMessage.created_at) < cutoff]
    if held:
        where.append(EmailMessage.id.not_in(held))
    return _anonymise(*where)


def find_emails(subject: Subject) -> list[dict[str, Any]]:
    if not subject.email:
        return []
    rows = db.session.execute(
        sa.select(
            EmailMessage.created_at,
            EmailMessage.status,
            EmailMessage.subject,
            EmailMessage.body,
            EmailMessage.reference,
        )
        .where(sa.func.lower(EmailMessage.to_address) == subject.email)
        .order_by(EmailMessage.id)
    ).all()
    return [
        {
            "created_at": created.isoformat(),
            "status": str(status.value),
            "subject": title,
            "text": body,
            "reference": ref,
        }
        for created, status, title, body, ref in rows
    ]


def erase_emails(subject: Subject) -> Erasure:
    erasure = Erasure()
    if not subject.email:
        return erasure
    mine = sa.func.lower(EmailMessage.to_address) == subject.email
    db.session.execute(
        sa.update(EmailMessage)
        .where(mine, EmailMessage.status == EmailStatus.QUEUED)
        .values(status=EmailStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )
    erasure.erased = _anonymise(mine)
    sending = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(EmailMessage)
        .where(mine, EmailMessage.status == EmailStatus.SENDING)
    )
    if sending:
        erasure.kept.append(
            Kept(f"email_message × {sending}", "being sent now: anonymised by the nightly run")
        )
    return erasure
