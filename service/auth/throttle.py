"""Failed staff sign-ins, counted in the database so every web process sees the same count (D10).

Three limits over a sliding window (FAIRHEAT_SIGNIN_*), checked before the password is:

- per address: an address that failed `signin_address_limit` times waits out the window,
  whatever account it tries (one machine guessing many accounts);
- per address and account: an address that failed `signin_pair_limit` times on one account
  waits out the window for that account (one machine guessing one password);
- per account: an account that failed `signin_account_limit` times from anywhere (many machines
  guessing one password) takes one try per `signin_account_interval_seconds` from addresses
  its owner never signed in from. The owner, at an address they signed in from before, is
  not slowed: a stranger can slow an account down, never lock its owner out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math

import sqlalchemy as sa

from service.auth.models import KnownSignInAddress, SignInFailure, User
from service.db import utcnow
from service.extensions import db
from service.settings import current_settings


def account_key(email: str) -> str:
    """A hash of the e-mail given: a stranger's typo is counted without being stored."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _wait(oldest: dt.datetime | None, window: dt.timedelta, now: dt.datetime) -> int:
    if oldest is None:
        return 1
    return max(1, math.ceil((oldest + window - now).total_seconds()))


def seconds_to_wait(address: str, email: str) -> int | None:
    """None when a sign-in from `address` for `email` may be tried now, else seconds to wait."""
    conf = current_settings().security
    now = utcnow()
    window = dt.timedelta(minutes=conf.signin_window_minutes)
    since = now - window
    account = account_key(email)
    recent = sa.and_(SignInFailure.at >= since)
    by_address = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(SignInFailure.at)).where(
            SignInFailure.address == address, recent
        )
    ).one()
    if by_address[0] >= conf.signin_address_limit:
        return _wait(by_address[1], window, now)
    pair = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(SignInFailure.at)).where(
            SignInFailure.address == address, SignInFailure.account == account, recent
        )
    ).one()
    if pair[0] >= conf.signin_pair_limit:
        return _wait(pair[1], window, now)
    on_account = db.session.execute(
        sa.select(sa.func.count(), sa.func.max(SignInFailure.at)).where(
            SignInFailure.account == account, recent
        )
    ).one()
    if on_account[0] < conf.signin_account_limit or _known(email, address):
        return None
    interval = dt.timedelta(seconds=conf.signin_account_interval_seconds)
    if on_account[1] is not None and now - on_account[1] < interval:
        return max(1, math.ceil((on_account[1] + interval - now).total_seconds()))
    return None


def _known(email: str, address: str) -> bool:
    return (
        db.session.scalar(
            sa.select(KnownSignInAddress.address)
            .join(User, User.id == KnownSignInAddress.user_id)
            .where(User.email == email.strip().lower(), KnownSignInAddress.address == address)
        )
        is not None
    )


def record_failure(address: str, email: str) -> None:
    """Count one failure (and forget this key's failures older than the window); commits."""
    now = utcnow()
    account = account_key(email)
    since = now - dt.timedelta(minutes=current_settings().security.signin_window_minutes)
    for key in (SignInFailure.address == address, SignInFailure.account == account):
        db.session.execute(sa.delete(SignInFailure).where(key, SignInFailure.at < since))
    db.session.add(SignInFailure(at=now, address=address[:64], account=account))
    db.session.commit()


def record_success(user: User, address: str) -> None:
    """Remember the address the owner signed in from; commits."""
    known = db.session.get(KnownSignInAddress, (user.id, address[:64]))
    if known is None:
        db.session.add(KnownSignInAddress(user_id=user.id, address=address[:64], last_at=utcnow()))
    else:
        known.last_at = utcnow()
    db.session.commit()


# An address the owner has not signed in from for this long is forgotten (it is personal data).
KNOWN_ADDRESS_DAYS = 90


def purge_failures(now: dt.datetime | None = None) -> None:
    """Delete failures older than the window and addresses not used for KNOWN_ADDRESS_DAYS
    (the nightly retention job); the caller commits."""
    now = now or utcnow()
    since = now - dt.timedelta(minutes=current_settings().security.signin_window_minutes)
    db.session.execute(sa.delete(SignInFailure).where(SignInFailure.at < since))
    stale = now - dt.timedelta(days=KNOWN_ADDRESS_DAYS)
    db.session.execute(sa.delete(KnownSignInAddress).where(KnownSignInAddress.last_at < stale))
