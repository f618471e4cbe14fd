"""Contract customers' and residents' personal data over time (service/retention/hooks.py).

Data-subject requests (`fairheat subject export|erase --phone --email`):

- `email_subscriptions` (by e-mail): a resident's e-mail notice subscriptions — address, place,
  language, when asked and confirmed. Erasure deletes them: a resident can always unsubscribe
  and no law makes us keep them. Queued notices to them are cancelled (the e-mail outbox's own
  hook then anonymises the messages sent to the address).
- `customer_contacts` (by e-mail or mobile): the contacts of contract customers' delivery points
  — which customer (number, name, the point's address), role, channels chosen, language — and
  the manager sign-in links of the address. A contact is a business contact named by the
  customer to be told about interruptions under the heat supply contract. Erasure deletes the
  contact row (its queued notices cancelled) where the delivery point keeps another contact;
  the point's last contact is kept, and the answer says so: the contract needs someone to tell,
  and the customer must name another contact first (then a new request erases it). A contact
  under a legal hold (`fairheat retention hold customer_contact ID`) is kept too. Sign-in links
  of the address are always deleted. The register is imported from the customer system
  (`fairheat customers import`): an erased contact must be removed there too, or the next
  import brings it back.

Retention: nothing here outlives its use, so no record type is registered. Unconfirmed
subscriptions are forgotten after email_subscriptions.UNCONFIRMED_DAYS and sign-in links a day
after they ran out (the part's hourly jobs); an unsubscribed subscription is deleted at once;
a contact leaves with its delivery point or when the customer removes it (import with --prune,
the staff page), and no notice goes to it after.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from notifications.customers.models import (
    CustomerContact,
    DeliveryPoint,
    EmailSubscription,
    SignInLink,
)
from notifications.customers.register import cancel_queued_for_contacts
from service.extensions import db
from service.mail.models import EmailMessage, EmailStatus
from service.retention import UNDER_HOLD, Erasure, Kept, Subject
from service.retention.holds import held_ids

CONTACT = "customer_contact"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


# Residents' e-mail subscriptions


def _subscriptions_of(subject: Subject) -> Sequence[EmailSubscription]:
    if not subject.email:
        return []
    return db.session.scalars(
        sa.select(EmailSubscription)
        .where(sa.func.lower(EmailSubscription.email) == subject.email)
        .order_by(EmailSubscription.id)
    ).all()


def find_email_subscriptions(subject: Subject) -> list[dict[str, Any]]:
    return [
        {
            "record": "email_subscription",
            "email": row.email,
            "language": row.language,
            "postcode": row.postcode,
            "street": row.street,
            "number": row.number_text,
            "created_at": _iso(row.created_at),
            "confirmed_at": _iso(row.verified_at),
        }
        for row in _subscriptions_of(subject)
    ]


def erase_email_subscriptions(subject: Subject) -> Erasure:
    ids = [row.id for row in _subscriptions_of(subject)]
    if not ids:
        return Erasure()
    db.session.execute(
        sa.update(EmailMessage)
        .where(
            sa.or_(*(EmailMessage.event_key.like(f"%:subscription:{i}") for i in ids)),
            EmailMessage.status == EmailStatus.QUEUED,
        )
        .values(status=EmailStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )
    result = db.session.execute(
        sa.delete(EmailSubscription)
        .where(EmailSubscription.id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    return Erasure(erased=_count(result))


# Contract customers' contacts


def _contacts_of(subject: Subject) -> Sequence[CustomerContact]:
    who = []
    if subject.email:
        who.append(sa.func.lower(CustomerContact.email) == subject.email)
    if subject.phone:
        who.append(CustomerContact.phone == subject.phone)
    if not who:
        return []
    return db.session.scalars(
        sa.select(CustomerContact).where(sa.or_(*who)).order_by(CustomerContact.id)
    ).all()


def _sign_in_links_of(subject: Subject) -> Sequence[SignInLink]:
    if not subject.email:
        return []
    return db.session.scalars(
        sa.select(SignInLink).where(SignInLink.email == subject.email).order_by(SignInLink.id)
    ).all()


def find_customer_contacts(subject: Subject) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for contact in _contacts_of(subject):
        point = contact.delivery_point
        found.append(
            {
                "record": CONTACT,
                "customer_number": point.customer_number,
                "customer": point.name,
                "delivery_point": point.address,
                "role": contact.role.value,
                "email": contact.email,
                "phone": contact.phone,
                "language": contact.language,
                "by_email": contact.by_email,
                "by_sms": contact.by_sms,
                "created_at": _iso(contact.created_at),
                "updated_at": _iso(contact.updated_at),
            }
        )
    found.extend(
        {
            "record": "customer_sign_in_link",
            "email": link.email,
            "created_at": _iso(link.created_at),
            "expires_at": _iso(link.expires_at),
            "used_at": _iso(link.used_at),
        }
        for link in _sign_in_links_of(subject)
    )
    return found


def _others_on(point_ids: set[int], mine: set[int]) -> set[int]:
    """The delivery points (of `point_ids`) that keep a contact besides the subject's."""
    if not point_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(CustomerContact.delivery_point_id)
            .where(
                CustomerContact.delivery_point_id.in_(point_ids),
                CustomerContact.id.not_in(mine),
            )
            .distinct()
        )
    )


def erase_customer_contacts(subject: Subject) -> Erasure:
    erasure = Erasure()
    contacts = _contacts_of(subject)
    held = held_ids(CONTACT)
    covered = _others_on({c.delivery_point_id for c in contacts}, {c.id for c in contacts})
    erase: list[int] = []
    # Held contacts first: a point keeping one of them keeps a contact.
    for contact in sorted(contacts, key=lambda c: c.id not in held):
        point: DeliveryPoint = contact.delivery_point
        name = f"{CONTACT} {contact.id}"
        if contact.id in held:
            erasure.kept.append(Kept(name, UNDER_HOLD))
            covered.add(point.id)
        elif point.id in covered:
            erase.append(contact.id)
        else:
            # The point's last contact: keep this one (the same person's other rows on the
            # point, e.g. one by e-mail and one by mobile, can go).
            covered.add(point.id)
            erasure.kept.append(
                Kept(
                    name,
                    f"the only contact of contract customer {point.customer_number} "
                    f"({point.name}, {point.address}): the heat supply contract needs someone "
                    "to tell about interruptions; kept until the customer names another "
                    "contact, then it can be erased",
                )
            )
    if erase:
        cancel_queued_for_contacts(erase)
        result = db.session.execute(
            sa.delete(CustomerContact)
            .where(CustomerContact.id.in_(erase))
            .execution_options(synchronize_session=False)
        )
        erasure.erased += _count(result)
    if subject.email:
        result = db.session.execute(
            sa.delete(SignInLink)
            .where(SignInLink.email == subject.email)
            .execution_options(synchronize_session=False)
        )
        erasure.erased += _count(result)
    return erasure
