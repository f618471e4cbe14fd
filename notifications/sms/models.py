"""SMS subscribers, their addresses, one-time codes, the outbox, and the console backend's log.

The outbox is the contract between the web process and the dispatcher: a message is a row
written in the same transaction as the event that causes it, unique per (event, subscriber), so
one event never reaches one number twice whatever crashes or retries. The dispatcher moves rows
forward through MessageStatus; Twilio's status callbacks move them further, never back.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import enum_column, utcnow
from service.extensions import db


class MessageStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting in the outbox (possibly until morning, or for a retry)
    SENDING = "sending"  # claimed by a dispatcher under a lease
    SENT = "sent"  # accepted by the gateway
    DELIVERED = "delivered"  # the handset received it (status callback)
    UNDELIVERED = "undelivered"  # the carrier gave up (status callback)
    FAILED = "failed"  # permanent failure: never retried
    EXPIRED = "expired"  # no longer relevant before it could be sent
    CANCELLED = "cancelled"  # the subscriber left before it was sent


# Forward-only order for status callbacks: a late "sent" never overwrites "delivered".
STATUS_RANK = {
    MessageStatus.QUEUED: 0,
    MessageStatus.SENDING: 1,
    MessageStatus.SENT: 2,
    MessageStatus.DELIVERED: 3,
    MessageStatus.UNDELIVERED: 3,
    MessageStatus.FAILED: 3,
    MessageStatus.EXPIRED: 3,
    MessageStatus.CANCELLED: 3,
}
FINAL_STATUSES = frozenset(s for s, rank in STATUS_RANK.items() if rank == 3)


class MessageKind(enum.StrEnum):
    NOTICE = "notice"  # an interruption notice or reminder to a subscriber
    CODE = "code"  # a one-time code
    REPLY = "reply"  # a reply that could not go back as TwiML
    CASE = "case"  # about a feedback case: acknowledgement, question, answer


class Subscriber(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "sms_subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(sa.String(20), unique=True)  # E.164
    language: Mapped[str] = mapped_column(sa.String(2))
    wants_planned: Mapped[bool] = mapped_column(default=True)
    wants_unplanned: Mapped[bool] = mapped_column(default=True)
    source: Mapped[str] = mapped_column(sa.String(10), default="web")  # web | sms | staff
    verified_at: Mapped[dt.datetime | None]
    opted_out_at: Mapped[dt.datetime | None]
    priority: Mapped[bool] = mapped_column(default=False)  # hospitals, care homes: sent first
    priority_note: Mapped[str | None] = mapped_column(sa.String(200))
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    quarantined_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    addresses: Mapped[list[SubscriberAddress]] = relationship(
        back_populates="subscriber", cascade="all, delete-orphan", order_by="SubscriberAddress.id"
    )

    @property
    def active(self) -> bool:
        return (
            self.verified_at is not None
            and self.opted_out_at is None
            and self.quarantined_at is None
        )


class SubscriberAddress(db.Model):  # type: ignore[name-defined,misc]
    """An address followed: a whole postcode (no street), or a street and house number."""

    __tablename__ = "sms_subscriber_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(
        sa.ForeignKey("sms_subscribers.id", ondelete="CASCADE"), index=True
    )
    postcode: Mapped[str] = mapped_column(sa.String(8))
    street: Mapped[str | None] = mapped_column(sa.String(200))
    street_key: Mapped[str | None] = mapped_column(sa.String(200))
    number: Mapped[int | None]  # the building number, parsed from number_text
    number_text: Mapped[str | None] = mapped_column(sa.String(20))  # as typed: "12 B", "10/2"

    subscriber: Mapped[Subscriber] = relationship(back_populates="addresses")

    __table_args__ = (sa.Index("ix_sms_subscriber_addresses_match", "postcode", "street_key"),)


class VerificationCode(db.Model):  # type: ignore[name-defined,misc]
    """A one-time code sent by SMS: 6 digits, valid 15 minutes, at most 5 tries."""

    __tablename__ = "sms_verification_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(sa.String(20), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(20))  # subscribe | manage
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    payload: Mapped[dict | None] = mapped_column(sa.JSON)  # the pending subscription (web)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    client_ip: Mapped[str | None] = mapped_column(sa.String(45), index=True)


class OutboxMessage(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "sms_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_key: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[MessageKind] = mapped_column(enum_column(MessageKind, "message_kind"))
    subscriber_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sms_subscribers.id", ondelete="SET NULL"), index=True
    )
    outage_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outages.id", ondelete="SET NULL"), index=True
    )
    # A contract customer's contact instead of a subscriber (notifications/customers/fanout.py);
    # unique with event_key like subscriber_id, by the index below. A plain id (no foreign
    # key): removing a contact cancels its queued rows (notifications/customers/register.py).
    contact_id: Mapped[int | None]
    phone: Mapped[str] = mapped_column(sa.String(20))
    language: Mapped[str] = mapped_column(sa.String(2))
    body: Mapped[str] = mapped_column(sa.Text)
    encoding: Mapped[str] = mapped_column(sa.String(5))
    segments: Mapped[int]
    priority: Mapped[int] = mapped_column(default=0)  # higher first
    status: Mapped[MessageStatus] = mapped_column(
        enum_column(MessageStatus, "message_status"), default=MessageStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    not_before: Mapped[dt.datetime] = mapped_column(default=utcnow)  # quiet hours, backoff
    expires_at: Mapped[dt.datetime | None]
    lease_until: Mapped[dt.datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(sa.String(80))
    provider_sid: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    error_code: Mapped[str | None] = mapped_column(sa.String(20))
    error_message: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]
    status_at: Mapped[dt.datetime | None]

    __table_args__ = (
        sa.UniqueConstraint("event_key", "subscriber_id"),
        sa.Index("ix_sms_outbox_due", "status", "not_before"),
        sa.Index("ix_sms_outbox_event_key_contact", "event_key", "contact_id", unique=True),
    )


# The dispatcher's claim walks this in its order (priority first, then oldest) and stops at a
# batch: without it, a fan-out of 100,000 messages meant sorting every due row for each batch of
# 200 (35 ms a claim on PostgreSQL, against 0.3). Partial: sent and final rows are not in it.
CLAIMABLE = (MessageStatus.QUEUED, MessageStatus.SENDING)
sa.Index(
    "ix_sms_outbox_claim",
    OutboxMessage.priority.desc(),
    OutboxMessage.id,
    postgresql_where=OutboxMessage.status.in_(CLAIMABLE),
    sqlite_where=OutboxMessage.status.in_(CLAIMABLE),
)


class ConsoleMessage(db.Model):  # type: ignore[name-defined,misc]
    """What the console backend "sent": shown at /dev/sms in development instead of a phone."""

    __tablename__ = "sms_console_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    sid: Mapped[str] = mapped_column(sa.String(64), unique=True)
    to: Mapped[str] = mapped_column(sa.String(20), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SendBudget(db.Model):  # type: ignore[name-defined,misc]
    """The send rate shared by every dispatcher process (notifications/sms/budget.py)."""

    __tablename__ = "sms_send_budget"

    name: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    micro_tokens: Mapped[int] = mapped_column(sa.BigInteger)  # a message costs 1,000,000
    refilled_ms: Mapped[int] = mapped_column(sa.BigInteger)  # Unix time, milliseconds
    last_grant: Mapped[int] = mapped_column()


__all__ = [
    "ConsoleMessage",
    "SendBudget",
    "MessageKind",
    "MessageStatus",
    "OutboxMessage",
    "Subscriber",
    "SubscriberAddress",
    "VerificationCode",
]
