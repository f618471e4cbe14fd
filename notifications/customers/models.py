"""The contract-customer register: delivery points (one building's heat connection) and the
people to tell about it, and the one-use sign-in links of building managers.

A delivery point's address uses the outage model's parts (canonical postcode, street and its
comparison key, the building number parsed from what was written), so the fan-out matches it
against an outage's address ranges in SQL exactly as it matches SMS subscribers.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import enum_column, utcnow
from service.extensions import db


class Priority(enum.StrEnum):
    """Who is told first: the fan-out orders the outbox by this (care homes, hospitals first)."""

    NONE = "none"
    CARE_HOME = "care_home"
    HOSPITAL = "hospital"
    SCHOOL = "school"
    CRITICAL_INDUSTRY = "critical_industry"


# Outbox priority per delivery-point priority (the SMS outbox's priority subscribers get 10).
PRIORITY_RANK = {
    Priority.CARE_HOME: 10,
    Priority.HOSPITAL: 10,
    Priority.SCHOOL: 5,
    Priority.CRITICAL_INDUSTRY: 5,
    Priority.NONE: 0,
}


class Role(enum.StrEnum):
    OWNER = "owner"
    MANAGER = "manager"  # isännöitsijä, disponent, zarządca nieruchomości
    CARETAKER = "caretaker"


class DeliveryPoint(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "customer_delivery_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))  # the customer: a housing company, a city
    postcode: Mapped[str] = mapped_column(sa.String(8))
    street: Mapped[str] = mapped_column(sa.String(200))
    street_key: Mapped[str] = mapped_column(sa.String(200))
    number: Mapped[int | None]  # the building number, parsed from number_text
    number_text: Mapped[str] = mapped_column(sa.String(20))  # as written: "12 B"
    priority: Mapped[Priority] = mapped_column(
        enum_column(Priority, "customer_priority"), default=Priority.NONE
    )
    # Dwellings (or customers) behind the point: interruption hours per customer count these.
    dwellings: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    contacts: Mapped[list[CustomerContact]] = relationship(
        back_populates="delivery_point",
        cascade="all, delete-orphan",
        order_by="CustomerContact.id",
        passive_deletes=True,
    )

    __table_args__ = (
        sa.Index("ix_customer_delivery_points_match", "postcode", "street_key"),
        sa.CheckConstraint("dwellings >= 0", name="dwellings_not_negative"),
    )

    @property
    def address(self) -> str:
        return f"{self.street} {self.number_text}, {self.postcode}"


class CustomerContact(db.Model):  # type: ignore[name-defined,misc]
    """One person to tell about one delivery point: an e-mail address and/or a mobile number.

    `contact_key` (the e-mail in lower case, else the phone) identifies the contact within its
    delivery point, so an import of the same file finds the same row. A manager of several
    buildings is one contact row per building with the same e-mail address.
    """

    __tablename__ = "customer_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_point_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customer_delivery_points.id", ondelete="CASCADE"), index=True
    )
    contact_key: Mapped[str] = mapped_column(sa.String(254))
    email: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(20))  # E.164 mobile
    language: Mapped[str] = mapped_column(sa.String(2))
    role: Mapped[Role] = mapped_column(enum_column(Role, "contact_role"), default=Role.MANAGER)
    by_email: Mapped[bool] = mapped_column(default=True)
    by_sms: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    delivery_point: Mapped[DeliveryPoint] = relationship(back_populates="contacts")

    __table_args__ = (
        sa.UniqueConstraint("delivery_point_id", "contact_key"),
        sa.CheckConstraint("email IS NOT NULL OR phone IS NOT NULL", name="email_or_phone"),
    )


class SignInLink(db.Model):  # type: ignore[name-defined,misc]
    """A building manager's sign-in link: signed, short-lived, and used once (used_at)."""

    __tablename__ = "customer_sign_in_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    nonce: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]


__all__ = [
    "PRIORITY_RANK",
    "CustomerContact",
    "DeliveryPoint",
    "EmailSubscription",
    "Priority",
    "Role",
    "SignInLink",
]


class EmailSubscription(db.Model):  # type: ignore[name-defined,misc]
    """A resident's e-mail subscription to notices for one address (double opt-in).

    The address is a whole postcode (no street), a street, or one building, matched as the SMS
    subscribers' addresses are. `token` (random, unguessable) is the key of the confirmation,
    manage and one-click unsubscribe links; nothing else identifies the subscriber.
    """

    __tablename__ = "email_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    language: Mapped[str] = mapped_column(sa.String(2))
    postcode: Mapped[str] = mapped_column(sa.String(8))
    street: Mapped[str | None] = mapped_column(sa.String(200))
    street_key: Mapped[str | None] = mapped_column(sa.String(200))
    number: Mapped[int | None]
    number_text: Mapped[str | None] = mapped_column(sa.String(20))
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    verified_at: Mapped[dt.datetime | None]

    __table_args__ = (sa.Index("ix_email_subscriptions_match", "postcode", "street_key"),)
