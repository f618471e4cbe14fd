"""The api_keys of Open311 clients (city apps, partners); only a key's hash is stored."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service.db import utcnow
from service.extensions import db


class Open311Key(db.Model):  # type: ignore[name-defined]
    """An api_key for an Open311 client (a city app); only its hash is stored."""

    __tablename__ = "open311_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column()
