"""Scheduled work of the contract-customer part."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from notifications.customers.models import SignInLink
from service.db import utcnow
from service.extensions import db


def purge_sign_in_links(now: dt.datetime | None = None) -> int:
    """Forget sign-in links a day after they ran out: they are personal data (an address)."""
    cutoff = (now or utcnow()) - dt.timedelta(days=1)
    result = db.session.execute(sa.delete(SignInLink).where(SignInLink.expires_at < cutoff))
    db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def purge_unconfirmed_email_subscriptions() -> int:
    """Forget e-mail subscriptions never confirmed (email_subscriptions.UNCONFIRMED_DAYS)."""
    from notifications.customers.email_subscriptions import purge_unconfirmed

    return purge_unconfirmed()
