"""Street names per postcode area: every name a street goes by, and the one it resolves to.

One row per (postcode, alias key). The row whose `key` equals its `street_key` is the street's
canonical name (the Finnish one in a bilingual Finnish municipality, the name column of a
name/alias file); the others are its names in other languages (`language` fi/sv) or spellings
people use (`language` empty). Keys are notifications.areas.street_key of the name, so case,
diacritics and Polish "ul."/"al."/"pl." never need rows of their own.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db


class StreetAlias(db.Model):  # type: ignore[name-defined,misc]
    """One name of a street in a postcode area, and the key of the street it names."""

    __tablename__ = "street_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    postcode: Mapped[str] = mapped_column(sa.String(8))
    key: Mapped[str] = mapped_column(sa.String(200))  # street_key(name)
    street_key: Mapped[str] = mapped_column(sa.String(200))  # the canonical name's key
    name: Mapped[str] = mapped_column(sa.String(200))  # as the file wrote it
    language: Mapped[str | None] = mapped_column(sa.String(2))  # fi | sv, or None

    __table_args__ = (
        sa.UniqueConstraint("postcode", "key"),
        sa.Index("ix_street_aliases_street", "postcode", "street_key"),
    )
