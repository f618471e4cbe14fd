"""What the compliance export keeps: the database's identity, the bundles made, and the manual
evidence a utility declares for what the service cannot see."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service.db import utcnow
from service.extensions import db


class DatabaseIdentity(db.Model):  # type: ignore[name-defined,misc]
    """One row: a random id made once per database, named in every manifest and checkpoint, so
    a bundle checked against another database (a restored copy, a test system) says so."""

    __tablename__ = "compliance_database"

    id: Mapped[int] = mapped_column(primary_key=True)
    database_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class BundleRun(db.Model):  # type: ignore[name-defined,misc]
    """One export: asked for on the staff page or by the schedule, made by the worker."""

    __tablename__ = "compliance_bundles"

    id: Mapped[int] = mapped_column(primary_key=True)
    mark: Mapped[str] = mapped_column(sa.String(20))
    period: Mapped[str] = mapped_column(sa.String(23))  # "2026-01-01..2026-12-31"
    language: Mapped[str] = mapped_column(sa.String(2))
    with_personal_data: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(10), default="queued", index=True)
    progress: Mapped[int] = mapped_column(default=0)  # percent
    step: Mapped[str | None] = mapped_column(sa.String(80))
    requested_by: Mapped[str] = mapped_column(sa.String(200))
    scheduled_for: Mapped[dt.datetime | None] = mapped_column(unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    file_key: Mapped[str | None] = mapped_column(sa.String(200))
    file_name: Mapped[str | None] = mapped_column(sa.String(200))
    size: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    error: Mapped[str | None] = mapped_column(sa.Text)


class Declaration(db.Model):  # type: ignore[name-defined,misc]
    """Manual evidence for one item and period, shown as "declared by the utility"."""

    __tablename__ = "compliance_declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(sa.String(23))
    item: Mapped[str] = mapped_column(sa.String(40))
    text: Mapped[str] = mapped_column(sa.Text)
    attachment_key: Mapped[str | None] = mapped_column(sa.String(200))
    attachment_name: Mapped[str | None] = mapped_column(sa.String(200))
    attachment_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    declared_by: Mapped[str] = mapped_column(sa.String(200))
    declared_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("period", "item"),)
