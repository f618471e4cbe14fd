"""Residents' e-mail subscriptions: subscribe with double opt-in, manage and erase by link.

As for SMS (REGULATION.md, personal data): the purpose is said at collection, nothing is sent
before the address is confirmed by the link mailed to it, the subscriber leaves and is erased
with one click (the link in every notice, and RFC 8058 one-click List-Unsubscribe), and an
unconfirmed subscription is forgotten after UNCONFIRMED_DAYS.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from config.mail_settings import is_email_address
from notifications.areas import house_number, street_key
from notifications.customers.models import EmailSubscription
from notifications.customers.rows import has_control_characters
from service import audit
from service.db import utcnow
from service.errors import NotFound, ValidationFailed
from service.extensions import db
from service.mail import enqueue_email
from service.mail.models import EmailMessage, EmailStatus
from service.settings import current_settings

UNCONFIRMED_DAYS = 2


def manage_url(token: str, lang: str) -> str:
    return f"{current_settings().public_base_url}/{lang}/email-notices/{token}"


def subscribe(data: Mapping[str, Any], lang: str) -> None:
    """Record an unconfirmed subscription and mail the confirmation link; commits.

    Answers the same whether or not the address already follows this place (no enumeration).
    """
    conf = current_settings()
    errors: dict[str, list[str]] = {}
    for name in ("email", "postcode", "street", "number"):
        if has_control_characters(str(data.get(name) or "")):
            errors[name] = [_("This value is not valid.")]
    if errors:
        raise ValidationFailed(errors)
    email = str(data.get("email") or "").strip()
    if not is_email_address(email) or len(email) > 254:
        errors["email"] = [_("Enter an e-mail address.")]
    postcode = conf.jurisdiction.normalize_postcode(str(data.get("postcode") or ""))
    if postcode is None:
        errors["postcode"] = [_("Enter a postcode.")]
    if errors:
        raise ValidationFailed(errors)
    street = str(data.get("street") or "").strip()[:200] or None
    number_text = (str(data.get("number") or "").strip()[:20] or None) if street else None
    token = secrets.token_urlsafe(32)
    db.session.add(
        EmailSubscription(
            email=email,
            language=lang if lang in conf.languages else conf.default_language,
            postcode=postcode,
            street=street,
            street_key=street_key(street),
            number=house_number(number_text),
            number_text=number_text,
            token=token,
        )
    )
    confirm_url = manage_url(token, lang) + "/confirm"
    with force_locale(lang):
        subject = _("Confirm your e-mail notices from %(utility)s", utility=conf.utility_name)
        body = _(
            "Confirm that you want e-mail notices about interruptions in heat supply at "
            "%(place)s:\n%(url)s\n\nIf you did not ask for this, ignore this message: nothing "
            "will be sent and your address is forgotten in %(days)d days.",
            place=" ".join(p for p in (street, number_text, postcode) if p),
            url=confirm_url,
            days=UNCONFIRMED_DAYS,
        )
    enqueue_email(
        event_key=f"email-subscription:{token}:confirm",
        to=email,
        subject=subject,
        body=body,
        language=lang,
    )
    db.session.commit()


def find(token: str) -> EmailSubscription:
    found = db.session.scalar(sa.select(EmailSubscription).where(EmailSubscription.token == token))
    if found is None:
        raise NotFound(_("This link is not valid any more."))
    return found


def confirm(token: str) -> EmailSubscription:
    subscription = find(token)
    if subscription.verified_at is None:
        subscription.verified_at = utcnow()
        audit.record("email_subscription.confirmed", "email_subscription", subscription.id)
        db.session.commit()
    return subscription


def erase(token: str) -> None:
    """Unsubscribe and forget the address: the row goes, queued notices to it are cancelled."""
    subscription = find(token)
    db.session.execute(
        sa.update(EmailMessage)
        .where(
            EmailMessage.to_address == subscription.email,
            EmailMessage.event_key.like("%:subscription:" + str(subscription.id)),
            EmailMessage.status == EmailStatus.QUEUED,
        )
        .values(status=EmailStatus.CANCELLED)
    )
    audit.record("email_subscription.erased", "email_subscription", subscription.id)
    db.session.delete(subscription)
    db.session.commit()


def purge_unconfirmed(now: dt.datetime | None = None) -> int:
    cutoff = (now or utcnow()) - dt.timedelta(days=UNCONFIRMED_DAYS)
    result = db.session.execute(
        sa.delete(EmailSubscription).where(
            EmailSubscription.verified_at.is_(None), EmailSubscription.created_at < cutoff
        )
    )
    db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
