"""Building managers sign in without a password: a link by e-mail, signed, short-lived
(FAIRHEAT_CUSTOMERS_SIGN_IN_MINUTES) and used once.

The link carries a random nonce signed with the secret key (itsdangerous, salted for this
purpose); the nonce is stored with the address and marked used when the link is followed, so
a forwarded or replayed link does not work twice. Opening the link shows a button: the link is
spent by the POST it sends, not by the GET a mail scanner makes. Asking for a link answers the
same whether or not the address is a contact, so the form tells no one who is a customer.
"""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from config.mail_settings import is_email_address
from notifications.customers.models import CustomerContact, SignInLink
from notifications.customers.rows import has_control_characters
from service.db import utcnow
from service.errors import ValidationFailed
from service.extensions import db
from service.mail import enqueue_email
from service.settings import current_settings

_SALT = "fairheat.customers.sign-in"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def request_sign_in(email: str, lang: str, now: dt.datetime | None = None) -> None:
    """Mail a sign-in link when the address is a contact of some delivery point; commits."""
    email = (email or "").strip()
    if not is_email_address(email) or len(email) > 254 or has_control_characters(email):
        raise ValidationFailed({"email": [_("Enter an e-mail address.")]})
    known = db.session.scalar(
        sa.select(CustomerContact.id).where(CustomerContact.contact_key == email.lower()).limit(1)
    )
    if known is None:
        return
    conf = current_settings()
    now = now or utcnow()
    nonce = secrets.token_urlsafe(24)
    link = SignInLink(
        email=email.lower(),
        nonce=nonce,
        created_at=now,
        expires_at=now + dt.timedelta(minutes=conf.customers.sign_in_minutes),
    )
    db.session.add(link)
    token = _serializer().dumps(nonce)
    url = f"{conf.public_base_url}/{lang}/customers/sign-in/{token}"
    with force_locale(lang):
        subject = _("Your sign-in link to %(utility)s", utility=conf.utility_name)
        body = _(
            "Open this link to see your buildings and the interruption notices for them:\n"
            "%(url)s\n\nThe link works once, for %(minutes)d minutes. If you did not ask for "
            "it, you can ignore this message.",
            url=url,
            minutes=conf.customers.sign_in_minutes,
        )
    enqueue_email(
        event_key=f"customers:sign-in:{nonce}", to=email, subject=subject, body=body, language=lang
    )
    db.session.commit()


def sign_in(token: str, now: dt.datetime | None = None) -> str | None:
    """The address the link was for, spending the link; None when it is not valid (any more)."""
    try:
        nonce = _serializer().loads(token)
    except BadSignature:
        return None
    now = now or utcnow()
    spent = db.session.execute(
        sa.update(SignInLink)
        .where(
            SignInLink.nonce == str(nonce),
            SignInLink.used_at.is_(None),
            SignInLink.expires_at > now,
        )
        .values(used_at=now)
        .returning(SignInLink.email)
    ).scalar_one_or_none()
    db.session.commit()
    return spent
