"""Connection requests: the application, its documents, missing items, steps, letters, fee
instalments (Finland) and escalations.

One row per application holds what the applicant declared (applicant, site, building, demand)
and every date of the procedure; the steps table keeps the history with who and when, so the
evidence survives any later change. Documents are rows pointing at stored files
(service/files): a row is written in the same transaction as the request, and a file whose
row was rolled back is an orphan the `remove_orphan_files` job deletes.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import enum_column, utcnow
from service.extensions import db


class Status(enum.StrEnum):
    RECEIVED = "received"  # the completeness check is due
    INFO_REQUESTED = "info_requested"
    COMPLETE = "complete"  # the clock runs from complete_at
    CONDITIONS_ISSUED = "conditions_issued"  # FI: the connection offer (liittymistarjous)
    PRELIMINARY_CONDITIONS = "preliminary_conditions"
    REFUSED = "refused"
    AGREEMENT_OFFERED = "agreement_offered"  # PL only
    AGREEMENT_SIGNED = "agreement_signed"  # FI: the heat contract (lämpösopimus)
    WORKS = "works"
    SUPPLY_STARTED = "supply_started"
    CONNECTED = "connected"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class IntakeChannel(enum.StrEnum):
    WEB = "web"
    PAPER = "paper"  # registered by staff with its real date received


class ApplicantKind(enum.StrEnum):
    PERSON = "person"
    COMPANY = "company"
    COOPERATIVE = "cooperative"  # housing cooperative or community (spółdzielnia, wspólnota)
    MUNICIPALITY = "municipality"


class LegalTitle(enum.StrEnum):
    OWNER = "owner"
    PERPETUAL_USUFRUCT = "perpetual_usufruct"
    MANAGER = "manager"
    NONE = "none"  # no title: the request is for preliminary conditions (art. 7 ust. 1 PE)


class BuildingPurpose(enum.StrEnum):
    RESIDENTIAL = "residential"
    PUBLIC = "public"
    COMMERCIAL = "commercial"
    INDUSTRIAL = "industrial"
    OTHER = "other"


class DocumentKind(enum.StrEnum):
    TITLE_PROOF = "title_proof"
    SITE_PLAN = "site_plan"
    FLOOR_PLAN = "floor_plan"  # with the substation room
    POWER_OF_ATTORNEY = "power_of_attorney"
    CONDITIONS = "conditions"
    AGREEMENT = "agreement"
    SUPPLY_PROTOCOL = "supply_protocol"
    LETTER = "letter"
    OTHER = "other"


APPLICANT_DOCUMENTS = (
    DocumentKind.TITLE_PROOF,
    DocumentKind.SITE_PLAN,
    DocumentKind.FLOOR_PLAN,
    DocumentKind.POWER_OF_ATTORNEY,
    DocumentKind.OTHER,
)


class RefusalCategory(enum.StrEnum):
    TECHNICAL = "technical"
    ECONOMIC = "economic"
    NO_LEGAL_TITLE = "no_legal_title"
    OTHER = "other"


class LetterKind(enum.StrEnum):
    REFUSAL_TO_APPLICANT = "refusal_to_applicant"
    REFUSAL_TO_URE = "refusal_to_ure"  # the President of URE (art. 7 ust. 1 PE)
    EXTENSION_NOTICE = "extension_notice"
    CONDITIONS = "conditions"


class StepKind(enum.StrEnum):
    """A line of the history: a status change (its new status), or one of these."""

    NOTE = "note"
    ITEM_REQUESTED = "item_requested"
    ITEM_RECEIVED = "item_received"
    DEADLINE_EXTENDED = "deadline_extended"
    CONDITIONS_DELIVERED = "conditions_delivered"
    LETTER_SENT = "letter_sent"
    EXPIRY_REMINDER = "expiry_reminder"
    FEE_SUSPENDED = "fee_suspended"
    FEE_RESUMED = "fee_resumed"
    ASSIGNED = "assigned"


class EscalationLevel(enum.StrEnum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


class ConnectionRequest(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "connection_request"
    __table_args__ = (
        sa.Index("ix_connection_request_status_due", "status", "conditions_due_at"),
        sa.CheckConstraint(
            "email IS NOT NULL OR phone IS NOT NULL OR postal_address IS NOT NULL",
            name="has_contact",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(sa.SmallInteger)  # of receipt, local: PR-<year>-<id>
    token_nonce: Mapped[str] = mapped_column(sa.String(32))
    # The form's one-time token: the same form sent twice makes one application.
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    jurisdiction: Mapped[str] = mapped_column(sa.String(2))
    language: Mapped[str] = mapped_column(sa.String(2))
    channel: Mapped[IntakeChannel] = mapped_column(enum_column(IntakeChannel, "cr_channel"))
    status: Mapped[Status] = mapped_column(
        enum_column(Status, "cr_status"), default=Status.RECEIVED
    )

    # The applicant, who signs, and a proxy.
    applicant_kind: Mapped[ApplicantKind] = mapped_column(
        enum_column(ApplicantKind, "cr_applicant_kind")
    )
    applicant_name: Mapped[str] = mapped_column(sa.String(200))
    pesel: Mapped[str | None] = mapped_column(sa.String(11))
    nip: Mapped[str | None] = mapped_column(sa.String(10))
    regon: Mapped[str | None] = mapped_column(sa.String(14))
    krs: Mapped[str | None] = mapped_column(sa.String(10))
    business_id: Mapped[str | None] = mapped_column(sa.String(9))  # FI Y-tunnus
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(20))  # E.164
    postal_address: Mapped[str | None] = mapped_column(sa.String(300))
    signatory: Mapped[str | None] = mapped_column(sa.String(200))
    proxy_name: Mapped[str | None] = mapped_column(sa.String(200))

    # The site, addressed as outages are (postcode, street, number), and its plot (PL).
    postcode: Mapped[str] = mapped_column(sa.String(8), index=True)
    street: Mapped[str] = mapped_column(sa.String(200))
    house_number: Mapped[str] = mapped_column(sa.String(20))
    city: Mapped[str] = mapped_column(sa.String(120))
    plot_number: Mapped[str | None] = mapped_column(sa.String(60))
    legal_title: Mapped[LegalTitle] = mapped_column(enum_column(LegalTitle, "cr_legal_title"))

    # The building.
    purpose: Mapped[BuildingPurpose] = mapped_column(enum_column(BuildingPurpose, "cr_purpose"))
    new_building: Mapped[bool] = mapped_column()
    heated_area_m2: Mapped[Decimal] = mapped_column(sa.Numeric(10, 1))
    cubature_m3: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 1))

    # The demand, in kW (ordered capacity) and MWh a year.
    heating_kw: Mapped[Decimal] = mapped_column(sa.Numeric(10, 1))
    hot_water_kw: Mapped[Decimal] = mapped_column(sa.Numeric(10, 1))
    ventilation_kw: Mapped[Decimal] = mapped_column(sa.Numeric(10, 1))
    process_kw: Mapped[Decimal] = mapped_column(sa.Numeric(10, 1))
    off_season_kw: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 1))
    annual_mwh: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 1))
    desired_start: Mapped[dt.date] = mapped_column(sa.Date)
    supply_temperature_c: Mapped[int | None] = mapped_column(sa.SmallInteger)
    return_temperature_c: Mapped[int | None] = mapped_column(sa.SmallInteger)

    # Every date of the procedure.
    received_at: Mapped[dt.datetime] = mapped_column(index=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    complete_at: Mapped[dt.datetime | None] = mapped_column()
    # The conditions deadline: the rule as it stood, the first due date and the current one.
    rule_days: Mapped[int | None] = mapped_column(sa.SmallInteger)
    rule_source: Mapped[str | None] = mapped_column(sa.String(300))
    base_due_at: Mapped[dt.datetime | None] = mapped_column()
    conditions_due_at: Mapped[dt.datetime | None] = mapped_column()
    extension_reason: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[dt.datetime | None] = mapped_column()  # conditions, preliminary or refusal
    conditions_set_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    conditions_delivered_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    expiry_counted_from: Mapped[str | None] = mapped_column(sa.String(9))  # set | delivered
    expires_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    expiry_reminded_at: Mapped[dt.datetime | None] = mapped_column()
    expired_at: Mapped[dt.datetime | None] = mapped_column()

    # What the conditions (or the Finnish offer) say.
    connection_point: Mapped[str | None] = mapped_column(sa.Text)
    conditions_capacity_kw: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 1))
    heat_carrier: Mapped[str | None] = mapped_column(sa.Text)
    boundary: Mapped[str | None] = mapped_column(sa.Text)
    metering: Mapped[str | None] = mapped_column(sa.Text)

    refusal_category: Mapped[RefusalCategory | None] = mapped_column(
        enum_column(RefusalCategory, "cr_refusal_category")
    )
    refusal_text: Mapped[str | None] = mapped_column(sa.Text)

    agreement_offered_at: Mapped[dt.datetime | None] = mapped_column()
    agreement_signed_at: Mapped[dt.datetime | None] = mapped_column()
    works_started_at: Mapped[dt.datetime | None] = mapped_column()
    supply_started_at: Mapped[dt.datetime | None] = mapped_column()  # the start-of-supply protocol
    connected_at: Mapped[dt.datetime | None] = mapped_column()
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column()
    cancelled_at: Mapped[dt.datetime | None] = mapped_column()
    closing_reason: Mapped[str | None] = mapped_column(sa.Text)

    # Finland: the connection fee, the agreed connection date and the fee held back while late
    # (ET T1/2010 § 10: the customer may withhold the fee until supply starts).
    connection_fee: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    agreed_connection_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    fee_suspended_at: Mapped[dt.datetime | None] = mapped_column()
    fee_resumed_at: Mapped[dt.datetime | None] = mapped_column()

    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    documents: Mapped[list[ConnectionDocument]] = relationship(
        back_populates="request", order_by="ConnectionDocument.id", cascade="all, delete-orphan"
    )
    missing_items: Mapped[list[MissingItem]] = relationship(
        back_populates="request", order_by="MissingItem.id", cascade="all, delete-orphan"
    )
    steps: Mapped[list[ConnectionStep]] = relationship(
        back_populates="request", order_by="ConnectionStep.id", cascade="all, delete-orphan"
    )
    letters: Mapped[list[ConnectionLetter]] = relationship(
        back_populates="request", order_by="ConnectionLetter.id", cascade="all, delete-orphan"
    )
    instalments: Mapped[list[FeeInstalment]] = relationship(
        back_populates="request", order_by="FeeInstalment.position", cascade="all, delete-orphan"
    )
    assignee = relationship("User", foreign_keys=[assignee_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def preliminary(self) -> bool:
        return self.legal_title is LegalTitle.NONE

    @property
    def total_kw(self) -> Decimal:
        return self.heating_kw + self.hot_water_kw + self.ventilation_kw + self.process_kw

    @property
    def open_items(self) -> list[MissingItem]:
        return [item for item in self.missing_items if item.received_at is None]


class ConnectionDocument(db.Model):  # type: ignore[name-defined,misc]
    """A stored file of a request: sent by the applicant, or the utility's conditions, letters."""

    __tablename__ = "connection_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("connection_request.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind, "cr_document_kind"))
    file_key: Mapped[str] = mapped_column(sa.String(40), unique=True)
    filename: Mapped[str] = mapped_column(sa.String(200))  # the base name only, made safe
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content_type: Mapped[str] = mapped_column(sa.String(40))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    missing_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("connection_missing_item.id"))

    request: Mapped[ConnectionRequest] = relationship(back_populates="documents")


class MissingItem(db.Model):  # type: ignore[name-defined,misc]
    """Something the completeness check found missing, asked of the applicant with a due date."""

    __tablename__ = "connection_missing_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("connection_request.id", ondelete="CASCADE"), index=True
    )
    document_kind: Mapped[DocumentKind | None] = mapped_column(
        enum_column(DocumentKind, "cr_item_document_kind")
    )
    description: Mapped[str] = mapped_column(sa.Text)
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    due_at: Mapped[dt.datetime] = mapped_column()
    received_at: Mapped[dt.datetime | None] = mapped_column()
    answer: Mapped[str | None] = mapped_column(sa.Text)

    request: Mapped[ConnectionRequest] = relationship(back_populates="missing_items")


class ConnectionStep(db.Model):  # type: ignore[name-defined,misc]
    """One line of the history: a status change (from → to) or another step, who and when."""

    __tablename__ = "connection_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("connection_request.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(sa.String(30))  # a Status or a StepKind value
    from_status: Mapped[str | None] = mapped_column(sa.String(30))
    to_status: Mapped[str | None] = mapped_column(sa.String(30))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    text: Mapped[str | None] = mapped_column(sa.Text)
    visible: Mapped[bool] = mapped_column(default=True)  # shown on the tracking page

    request: Mapped[ConnectionRequest] = relationship(back_populates="steps")
    actor = relationship("User")


class ConnectionLetter(db.Model):  # type: ignore[name-defined,misc]
    """A letter the procedure requires, and the date it was sent (recorded by staff)."""

    __tablename__ = "connection_letter"
    __table_args__ = (sa.UniqueConstraint("request_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("connection_request.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[LetterKind] = mapped_column(enum_column(LetterKind, "cr_letter_kind"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    text: Mapped[str | None] = mapped_column(sa.Text)

    request: Mapped[ConnectionRequest] = relationship(back_populates="letters")


class FeeInstalment(db.Model):  # type: ignore[name-defined,misc]
    """One instalment of the Finnish connection fee (often: 1 month before, 12 months after)."""

    __tablename__ = "connection_fee_instalment"
    __table_args__ = (sa.UniqueConstraint("request_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("connection_request.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(sa.SmallInteger)
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    due_on: Mapped[dt.date] = mapped_column(sa.Date)
    paid_on: Mapped[dt.date | None] = mapped_column(sa.Date)

    request: Mapped[ConnectionRequest] = relationship(back_populates="instalments")


class ConnectionEscalation(db.Model):  # type: ignore[name-defined,misc]
    """A notice to the handler or a lead that a deadline is near or past; one per request,
    person, level and deadline (an extension starts a new round)."""

    __tablename__ = "connection_escalation"
    __table_args__ = (sa.UniqueConstraint("request_id", "user_id", "level", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("connection_request.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    level: Mapped[EscalationLevel] = mapped_column(
        enum_column(EscalationLevel, "cr_escalation_level")
    )
    due_at: Mapped[dt.datetime] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PendingFile(db.Model):  # type: ignore[name-defined,misc]
    """A stored file not yet claimed by a document row: written (and committed on a connection
    of its own) as soon as the file is saved, deleted in the transaction that writes the
    document row. One left behind by a failed request names an orphan file for the
    `remove_orphan_files` job."""

    __tablename__ = "connection_pending_file"

    file_key: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    saved_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
