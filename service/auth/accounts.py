"""Taking access back (D6): deactivating staff, changing roles and passwords, listing and
revoking API tokens. Each function owns its transaction and writes an audit entry; each change
that narrows access ends the user's sessions (D11)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from flask_babel import gettext as _

from service import audit
from service.auth.models import ApiToken, User
from service.auth.permissions import Role
from service.auth.services import MIN_PASSWORD_LENGTH, _hasher, end_sessions, normalize_email
from service.db import utcnow
from service.errors import NotFound, ValidationFailed
from service.extensions import db


def list_users() -> Sequence[User]:
    return db.session.scalars(sa.select(User).order_by(User.email)).all()


def get_user(email_or_id: str | int) -> User:
    if isinstance(email_or_id, int):
        user = db.session.get(User, email_or_id)
    else:
        user = db.session.scalar(sa.select(User).where(User.email == normalize_email(email_or_id)))
    if user is None:
        raise NotFound(_("No user with this e-mail address."))
    return user


def set_active(email_or_id: str | int, active: bool) -> User:
    """Deactivate (sessions and tokens stop working at once) or reactivate a user."""
    user = get_user(email_or_id)
    if user.active != active:
        user.active = active
        audit.record(
            "user.activated" if active else "user.deactivated",
            "user",
            user.id,
            before={"active": not active},
            after={"active": active},
        )
        end_sessions(user)
    db.session.commit()
    return user


def set_role(email_or_id: str | int, role: str) -> User:
    user = get_user(email_or_id)
    try:
        new_role = Role(role)
    except ValueError:
        raise ValidationFailed(
            {"role": [_("Choose one of: %(roles)s.", roles=", ".join(r.value for r in Role))]}
        ) from None
    if user.role != new_role:
        before = user.role
        user.role = new_role
        audit.record(
            "user.role_changed", "user", user.id, before={"role": before}, after={"role": new_role}
        )
        end_sessions(user)  # a session keeps no stale rights
    db.session.commit()
    return user


def set_password(email_or_id: str | int, password: str) -> User:
    """A new password; every session of the user ends (a password change after a lost laptop)."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            {
                "password": [
                    _(
                        "The password must be at least %(num)d characters long.",
                        num=MIN_PASSWORD_LENGTH,
                    )
                ]
            }
        )
    user = get_user(email_or_id)
    user.password_hash = _hasher.hash(password)
    audit.record("user.password_changed", "user", user.id)
    end_sessions(user)
    db.session.commit()
    return user


def list_tokens(email: str | None = None) -> Sequence[ApiToken]:
    """Every token (of one user when `email`), newest first; revoked ones too."""
    query = sa.select(ApiToken).join(User).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    if email:
        query = query.where(User.email == normalize_email(email))
    return db.session.scalars(query).all()


def revoke_token(token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(_("There is no such token."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(
            "token.revoked",
            "api_token",
            token.id,
            after={"user": token.user.email, "name": token.name},
        )
    db.session.commit()
    return token
