"""The e-mail outbox: one row per message, written in the transaction of the event that causes it.

`event_key` is unique, so one event never mails twice whatever crashes or retries happen; the
dispatcher (service/mail/dispatcher.py) moves a row forward through EmailStatus.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service.db import enum_column, utcnow
from service.extensions import db


class EmailStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting in the outbox (possibly for a retry at next_attempt_at)
    SENDING = "sending"  # claimed by a dispatcher under a lease
    SENT = "sent"  # accepted by the SMTP server (or kept by the console backend)
    FAILED = "failed"  # refused permanently, or out of attempts: never retried
    CANCELLED = "cancelled"  # no longer to be sent


class EmailMessage(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "email_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))  # RFC 5321's longest path
    language: Mapped[str] = mapped_column(sa.String(2))  # fi | sv | en | pl
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)  # plain text
    html: Mapped[str | None] = mapped_column(sa.Text)  # an HTML alternative of the same text
    # RFC 2369/8058 List-Unsubscribe URL, for people who asked for notices (not customers).
    list_unsubscribe: Mapped[str | None] = mapped_column(sa.String(500))
    # What a notice is about and to whom (contract customers, issue 12): plain ids, not foreign
    # keys, so the shell's table does not depend on a domain's; the evidence counts by them.
    outage_id: Mapped[int | None] = mapped_column(index=True)
    contact_id: Mapped[int | None] = mapped_column(index=True)
    reference: Mapped[str | None] = mapped_column(sa.String(40))  # e.g. "FH-2026-000123"
    status: Mapped[EmailStatus] = mapped_column(
        enum_column(EmailStatus, "email_status"), default=EmailStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]
    # A bounce reported after the server accepted the message (DSN, by Message-ID); refusals
    # while sending are FAILED with last_error instead.
    bounced_at: Mapped[dt.datetime | None]

    __table_args__ = (sa.Index("ix_email_outbox_due", "status", "next_attempt_at"),)


__all__ = ["EmailMessage", "EmailStatus"]
