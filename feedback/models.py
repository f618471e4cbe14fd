"""Feedback and complaint cases, their timeline, clock pauses, escalations and reply templates.

A case sent through Open311 names its client's key (feedback_case.open311_key_id); the key's
table belongs to feedback/open311/models.py.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from config.feedback_rules import Track
from service.db import enum_column, utcnow
from service.extensions import db


class CaseType(enum.StrEnum):
    FEEDBACK = "feedback"
    QUESTION = "question"
    COMPLAINT = "complaint"
    BILLING_COMPLAINT = "billing_complaint"
    DISCONNECTION_COMPLAINT = "disconnection_complaint"


COMPLAINT_TYPES = frozenset(
    {CaseType.COMPLAINT, CaseType.BILLING_COMPLAINT, CaseType.DISCONNECTION_COMPLAINT}
)


class SubjectArea(enum.StrEnum):
    HEAT_SUPPLY = "heat_supply"
    HOT_WATER = "hot_water"
    BILLING = "billing"
    CONNECTION = "connection"
    CUSTOMER_SERVICE = "customer_service"
    OTHER = "other"


class Channel(enum.StrEnum):
    """How the case reached the utility."""

    WEB = "web"
    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"
    IN_PERSON = "in_person"
    OPEN311 = "open311"


STAFF_CHANNELS = (Channel.PHONE, Channel.EMAIL, Channel.LETTER, Channel.IN_PERSON)


class ReplyChannel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"
    LETTER = "letter"


class CaseStatus(enum.StrEnum):
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    WAITING_FOR_CUSTOMER = "waiting_for_customer"
    CLOSED = "closed"


OPEN_STATUSES = frozenset(
    {CaseStatus.RECEIVED, CaseStatus.IN_PROGRESS, CaseStatus.WAITING_FOR_CUSTOMER}
)


class Outcome(enum.StrEnum):
    UPHELD = "upheld"
    PARTLY_UPHELD = "partly_upheld"
    REJECTED = "rejected"
    INFORMATIONAL = "informational"


class EventKind(enum.StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    ASSIGNED = "assigned"
    NOTE = "note"
    INFO_REQUESTED = "info_requested"
    CUSTOMER_REPLIED = "customer_replied"
    TRACK_CHANGED = "track_changed"
    ANSWERED = "answered"
    REOPENED = "reopened"
    SPAM = "spam"
    NOT_SPAM = "not_spam"
    DEEMED_ACCEPTED = "deemed_accepted"
    SURVEYED = "surveyed"


# What the customer sees of the timeline on the tracking page (internal notes stay inside).
CUSTOMER_VISIBLE_EVENTS = frozenset(
    {
        EventKind.RECEIVED,
        EventKind.INFO_REQUESTED,
        EventKind.CUSTOMER_REPLIED,
        EventKind.TRACK_CHANGED,
        EventKind.ANSWERED,
        EventKind.REOPENED,
    }
)


class EscalationLevel(enum.StrEnum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


class Case(db.Model):  # type: ignore[name-defined]
    __tablename__ = "feedback_case"
    __table_args__ = (
        sa.Index("ix_feedback_case_status_deadline", "status", "deadline_at"),
        sa.CheckConstraint(
            "email IS NOT NULL OR phone IS NOT NULL OR postal_address IS NOT NULL",
            name="has_contact",
        ),
        sa.CheckConstraint(
            "satisfaction_score IS NULL OR (satisfaction_score BETWEEN 1 AND 5)",
            name="score_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(sa.SmallInteger)  # of receipt, local: FH-<year>-<id>
    token_nonce: Mapped[str] = mapped_column(sa.String(32))  # see feedback/references.py
    type: Mapped[CaseType] = mapped_column(enum_column(CaseType, "case_type"))
    area: Mapped[SubjectArea] = mapped_column(enum_column(SubjectArea, "subject_area"))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "case_channel"))
    track: Mapped[Track] = mapped_column(enum_column(Track, "case_track"))
    status: Mapped[CaseStatus] = mapped_column(
        enum_column(CaseStatus, "case_status"), default=CaseStatus.RECEIVED
    )
    description: Mapped[str] = mapped_column(sa.Text)
    address: Mapped[str | None] = mapped_column(sa.String(200))
    customer_number: Mapped[str | None] = mapped_column(sa.String(40))
    name: Mapped[str | None] = mapped_column(sa.String(120))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(20))  # E.164
    postal_address: Mapped[str | None] = mapped_column(sa.String(300))
    reply_channel: Mapped[ReplyChannel] = mapped_column(enum_column(ReplyChannel, "reply_channel"))
    language: Mapped[str] = mapped_column(sa.String(2))
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)

    received_at: Mapped[dt.datetime] = mapped_column(index=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    open311_key_id: Mapped[int | None] = mapped_column(sa.ForeignKey("open311_key.id"))

    # The rule the deadline was computed by, as it stood then (evidence survives a rule change).
    rule_value: Mapped[int] = mapped_column()
    rule_unit: Mapped[str] = mapped_column(sa.String(20))
    rule_source: Mapped[str] = mapped_column(sa.String(300))
    base_deadline_at: Mapped[dt.datetime] = mapped_column()  # before pauses
    deadline_at: Mapped[dt.datetime] = mapped_column()  # with closed pauses added
    track_reason: Mapped[str | None] = mapped_column(sa.Text)
    acknowledgement_due_at: Mapped[dt.datetime | None] = mapped_column()
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column()

    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    answer_text: Mapped[str | None] = mapped_column(sa.Text)
    answer_action: Mapped[str | None] = mapped_column(sa.Text)
    outcome: Mapped[Outcome | None] = mapped_column(enum_column(Outcome, "case_outcome"))
    first_answered_at: Mapped[dt.datetime | None] = mapped_column()
    answered_at: Mapped[dt.datetime | None] = mapped_column()
    closed_at: Mapped[dt.datetime | None] = mapped_column()
    deemed_accepted_at: Mapped[dt.datetime | None] = mapped_column()

    is_spam: Mapped[bool] = mapped_column(default=False)
    satisfaction_score: Mapped[int | None] = mapped_column(sa.SmallInteger)
    satisfaction_comment: Mapped[str | None] = mapped_column(sa.Text)
    surveyed_at: Mapped[dt.datetime | None] = mapped_column()

    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.id", cascade="all, delete-orphan"
    )
    pauses: Mapped[list[CasePause]] = relationship(
        back_populates="case", order_by="CasePause.id", cascade="all, delete-orphan"
    )
    assignee = relationship("User", foreign_keys=[assignee_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def open_pause(self) -> CasePause | None:
        return next((p for p in self.pauses if p.ended_at is None), None)


class CaseEvent(db.Model):  # type: ignore[name-defined]
    """One line of the case's history: who did what when, and any text that went with it."""

    __tablename__ = "feedback_case_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("feedback_case.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind, "case_event_kind"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    text: Mapped[str | None] = mapped_column(sa.Text)
    detail: Mapped[str | None] = mapped_column(sa.String(300))

    case: Mapped[Case] = relationship(back_populates="events")
    actor = relationship("User")


class CasePause(db.Model):  # type: ignore[name-defined]
    """The clock stopped while the case waited for the customer."""

    __tablename__ = "feedback_case_pause"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("feedback_case.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[dt.datetime] = mapped_column()
    ended_at: Mapped[dt.datetime | None] = mapped_column()

    case: Mapped[Case] = relationship(back_populates="pauses")


class Escalation(db.Model):  # type: ignore[name-defined]
    """A back-office notice that a case is due soon or overdue; one per case, person, level."""

    __tablename__ = "feedback_escalation"
    __table_args__ = (sa.UniqueConstraint("case_id", "user_id", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("feedback_case.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    level: Mapped[EscalationLevel] = mapped_column(enum_column(EscalationLevel, "escalation_level"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column()

    case: Mapped[Case] = relationship()


class ReplyTemplate(db.Model):  # type: ignore[name-defined]
    __tablename__ = "feedback_reply_template"
    __table_args__ = (sa.UniqueConstraint("language", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(sa.String(2))
    title: Mapped[str] = mapped_column(sa.String(120))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
