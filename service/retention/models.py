"""Legal holds: a record under one is kept whatever its retention period says."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service.db import utcnow
from service.extensions import db


class LegalHold(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "legal_holds"
    __table_args__ = (sa.Index("ix_legal_holds_record", "record_type", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(sa.String(40))
    record_id: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.String(300))
    placed_by: Mapped[str] = mapped_column(sa.String(200))
    placed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    released_at: Mapped[dt.datetime | None]
