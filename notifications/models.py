"""Interruptions of heat supply (outages), their affected areas and their numbered updates."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import enum_column, utcnow
from service.extensions import db


class OutageKind(enum.StrEnum):
    PLANNED = "planned"
    UNPLANNED = "unplanned"


class Impact(enum.StrEnum):
    HEATING_AND_HOT_WATER = "heating_and_hot_water"
    HEATING = "heating"
    HOT_WATER = "hot_water"
    REDUCED_SUPPLY = "reduced_supply"


class Cause(enum.StrEnum):
    MAINTENANCE = "maintenance"
    NETWORK_REPAIR = "network_repair"
    LEAK = "leak"
    PRODUCTION_FAULT = "production_fault"
    CONNECTION_WORK = "connection_work"
    OTHER = "other"


class OutageStatus(enum.StrEnum):
    # planned: scheduled → in_progress → completed | cancelled
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    # unplanned: investigating → repairing → restored (cancelled when posted in error)
    INVESTIGATING = "investigating"
    REPAIRING = "repairing"
    RESTORED = "restored"


class Parity(enum.StrEnum):
    ALL = "all"
    ODD = "odd"
    EVEN = "even"


INITIAL_STATUS = {
    OutageKind.PLANNED: OutageStatus.SCHEDULED,
    OutageKind.UNPLANNED: OutageStatus.INVESTIGATING,
}
TRANSITIONS: dict[OutageStatus, frozenset[OutageStatus]] = {
    OutageStatus.SCHEDULED: frozenset(
        {OutageStatus.IN_PROGRESS, OutageStatus.COMPLETED, OutageStatus.CANCELLED}
    ),
    OutageStatus.IN_PROGRESS: frozenset({OutageStatus.COMPLETED}),
    OutageStatus.INVESTIGATING: frozenset(
        {OutageStatus.REPAIRING, OutageStatus.RESTORED, OutageStatus.CANCELLED}
    ),
    OutageStatus.REPAIRING: frozenset({OutageStatus.RESTORED, OutageStatus.CANCELLED}),
    OutageStatus.COMPLETED: frozenset(),
    OutageStatus.CANCELLED: frozenset(),
    OutageStatus.RESTORED: frozenset(),
}
STATUSES_BY_KIND = {
    OutageKind.PLANNED: (
        OutageStatus.SCHEDULED,
        OutageStatus.IN_PROGRESS,
        OutageStatus.COMPLETED,
        OutageStatus.CANCELLED,
    ),
    OutageKind.UNPLANNED: (
        OutageStatus.INVESTIGATING,
        OutageStatus.REPAIRING,
        OutageStatus.RESTORED,
        OutageStatus.CANCELLED,
    ),
}
ONGOING = frozenset({OutageStatus.IN_PROGRESS, OutageStatus.INVESTIGATING, OutageStatus.REPAIRING})
FINISHED = frozenset({OutageStatus.COMPLETED, OutageStatus.RESTORED, OutageStatus.CANCELLED})
ENDED_OK = frozenset({OutageStatus.COMPLETED, OutageStatus.RESTORED})


class Outage(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "outages"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OutageKind] = mapped_column(enum_column(OutageKind, "kind"))
    impact: Mapped[Impact] = mapped_column(enum_column(Impact, "impact"))
    cause: Mapped[Cause] = mapped_column(enum_column(Cause, "cause"))
    status: Mapped[OutageStatus] = mapped_column(enum_column(OutageStatus, "status"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(index=True)
    expected_end_at: Mapped[dt.datetime | None]
    ended_at: Mapped[dt.datetime | None]
    affected_buildings: Mapped[int | None]
    polygon: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    # Staff free text per language, {"fi": "…"}; a language without one shows the template alone.
    texts: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    first_published_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    # Set when a planned notice is first published: the rule in force then, and the verdict.
    required_notice_days: Mapped[int | None]
    notice_late: Mapped[bool] = mapped_column(default=False)
    late_notice_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    created_by: Mapped[str] = mapped_column(sa.String(200))
    version: Mapped[int] = mapped_column(default=1)

    areas: Mapped[list[OutageArea]] = relationship(
        back_populates="outage",
        cascade="all, delete-orphan",
        order_by="OutageArea.position",
        lazy="selectin",
    )
    updates: Mapped[list[OutageUpdate]] = relationship(
        back_populates="outage",
        cascade="all, delete-orphan",
        order_by="OutageUpdate.number",
        lazy="raise_on_sql",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def published(self) -> bool:
        return self.first_published_at is not None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def is_active(self, now: dt.datetime) -> bool:
        """In effect now: ongoing, or scheduled and already past its start."""
        if self.status in ONGOING:
            return True
        return self.status == OutageStatus.SCHEDULED and self.starts_at <= now


class OutageArea(db.Model):  # type: ignore[name-defined,misc]
    """One address range: a whole postcode, a whole street in it, or a run of house numbers."""

    __tablename__ = "outage_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    outage_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outages.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    postcode: Mapped[str] = mapped_column(sa.String(8), index=True)
    street: Mapped[str | None] = mapped_column(sa.String(200))
    street_key: Mapped[str | None] = mapped_column(sa.String(200))
    from_number: Mapped[int | None]
    to_number: Mapped[int | None]
    parity: Mapped[Parity] = mapped_column(enum_column(Parity, "parity"), default=Parity.ALL)

    outage: Mapped[Outage] = relationship(back_populates="areas")


class OutageUpdate(db.Model):  # type: ignore[name-defined,misc]
    """A numbered change to a published notice, kept forever with the text shown at the time."""

    __tablename__ = "outage_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    outage_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outages.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(sa.String(200))
    change: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[OutageStatus] = mapped_column(enum_column(OutageStatus, "update_status"))
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # {"fi": {"title": …, "body": …}, …}: exactly what the public saw after this update.
    texts: Mapped[dict[str, dict[str, str]]] = mapped_column(sa.JSON, default=dict)

    outage: Mapped[Outage] = relationship(back_populates="updates")

    __table_args__ = (sa.UniqueConstraint("outage_id", "number"),)
