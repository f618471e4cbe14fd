"""Staff users and their API tokens."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.auth.permissions import Role
from service.db import enum_column, utcnow
from service.extensions import db


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None]
    # Raised by sign-out, deactivation, a role or password change: every session signed with an
    # older generation ends (sessions are signed cookies; D11).
    session_generation: Mapped[int] = mapped_column(default=0)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def display_name(self) -> str:
        return self.name or self.email


class ApiToken(db.Model):  # type: ignore[name-defined,misc]
    """A token is shown once at creation; only its SHA-256 is stored (it has 256 bits of entropy,
    so a slow password hash would add nothing)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100), default="")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    expires_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")


class SignInFailure(db.Model):  # type: ignore[name-defined,misc]
    """One failed staff sign-in, counted by every web process alike (D10). `account` is a hash
    of the e-mail given, so the table holds no address of a stranger's typo; rows older than the
    counting window are deleted as new ones come."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        sa.Index("ix_sign_in_failures_address_at", "address", "at"),
        sa.Index("ix_sign_in_failures_account_at", "account", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    address: Mapped[str] = mapped_column(sa.String(64))
    account: Mapped[str] = mapped_column(sa.String(32))


class KnownSignInAddress(db.Model):  # type: ignore[name-defined,misc]
    """An address a user signed in from successfully: an attack on their account from elsewhere
    does not slow them down there."""

    __tablename__ = "sign_in_known_addresses"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    address: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    last_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
