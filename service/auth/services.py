"""Staff accounts: creation, sign-in and API tokens. Each function owns its transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import time

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import session
from flask_babel import gettext as _

from service import audit
from service.auth.models import ApiToken, User
from service.auth.permissions import Role
from service.db import utcnow
from service.errors import Conflict, NotFound, ValidationFailed
from service.extensions import db
from service.settings import current_settings

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MIN_PASSWORD_LENGTH = 12
TOKEN_PREFIX = "fh_"


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def create_user(email: str, role: str, password: str, name: str = "") -> User:
    email = normalize_email(email)
    errors: dict[str, list[str]] = {}
    if not _EMAIL.fullmatch(email):
        errors["email"] = [_("Enter a valid e-mail address.")]
    try:
        role_value = Role(role)
    except ValueError:
        errors["role"] = [_("Choose one of: %(roles)s.", roles=", ".join(r.value for r in Role))]
    if len(password or "") < MIN_PASSWORD_LENGTH:
        errors["password"] = [
            _("The password must be at least %(num)d characters long.", num=MIN_PASSWORD_LENGTH)
        ]
    if errors:
        raise ValidationFailed(errors)
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise Conflict(_("A user with this e-mail address already exists."))
    user = User(
        email=email, name=name.strip(), role=role_value, password_hash=_hasher.hash(password)
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.created", "user", user.id, after={"email": email, "role": role_value, "name": name}
    )
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Records the attempt in the audit log."""
    email = normalize_email(email)
    user = db.session.scalar(sa.select(User).where(User.email == email)) if email else None
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password or "")
        ok = user is not None and user.active
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None:
        audit.record("auth.login_failed", "user", user.id if user else None, after={"email": email})
        db.session.commit()
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    audit.record("auth.login", "user", user.id, actor=f"user:{user.id}:{user.email}")
    db.session.commit()
    return user


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(email: str, name: str = "", expires_at: dt.datetime | None = None) -> str:
    """Create a token for the user and return it; it is never retrievable again. A token with
    `expires_at` stops working then (D6); one without lasts until it is revoked."""
    user = db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise NotFound(_("No user with this e-mail address."))
    if expires_at is not None and expires_at <= utcnow():
        raise ValidationFailed({"expires_at": [_("Choose a time in the future.")]})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user=user,
        name=name,
        token_hash=_token_digest(token),
        prefix=token[:10],
        expires_at=expires_at,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "token.created",
        "api_token",
        row.id,
        after={"user": user.email, "name": name, "expires_at": expires_at},
    )
    db.session.commit()
    return token


def user_for_token(token: str) -> User | None:
    now = utcnow()
    row = db.session.scalar(
        sa.select(ApiToken).where(
            ApiToken.token_hash == _token_digest(token),
            ApiToken.revoked_at.is_(None),
            sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
        )
    )
    if row is None or not row.user.active:
        return None
    # Record use at most every five minutes: an API client must not turn reads into writes.
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=5):
        row.last_used_at = now
        db.session.commit()
    return row.user


SESSION_GENERATION = "_fh_generation"
SESSION_SINCE = "_fh_since"


def start_session(user: User) -> None:
    """Mark the signed-in session with the user's generation and its start (after login_user)."""
    session[SESSION_GENERATION] = user.session_generation
    session[SESSION_SINCE] = int(time.time())


def end_sessions(user: User, action: str | None = None) -> None:
    """End every session of the user, on every device (sessions are signed cookies that the
    server cannot delete: one signed with an older generation is no longer accepted; D11).
    In the caller's transaction."""
    db.session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(session_generation=User.session_generation + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user)
    if action:
        audit.record(action, "user", user.id, actor=f"user:{user.id}:{user.email}")


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the session's user while that session is valid — the user is
    active, the session's generation is current, and it began less than the absolute session
    lifetime ago (FAIRHEAT_SESSION_LIFETIME_HOURS), whatever the activity since."""
    try:
        user = db.session.get(User, int(user_id))
    except ValueError:
        return None
    if user is None or not user.active:
        return None
    if session.get(SESSION_GENERATION) != user.session_generation:
        return None
    since = session.get(SESSION_SINCE)
    lifetime = current_settings().security.session_lifetime_hours * 3600
    if not isinstance(since, int) or not 0 <= time.time() - since < lifetime:
        return None
    return user
