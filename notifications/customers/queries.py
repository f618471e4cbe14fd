"""Reading the customer register."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from notifications.customers.models import CustomerContact, DeliveryPoint
from notifications.models import Outage
from notifications.queries import lookup_address
from service.errors import NotFound
from service.extensions import db
from service.mail.models import EmailMessage


def served_postcodes() -> list[str]:
    """The postcodes with at least one delivery point, sorted (the area the utility serves)."""
    query = sa.select(DeliveryPoint.postcode).distinct().order_by(DeliveryPoint.postcode)
    return list(db.session.scalars(query))


def search_points(
    q: str | None = None, postcode: str | None = None, limit: int = 100, offset: int = 0
) -> list[DeliveryPoint]:
    """Delivery points by customer number, name, street or a contact's e-mail; by postcode."""
    query = sa.select(DeliveryPoint).options(selectinload(DeliveryPoint.contacts))
    if postcode:
        query = query.where(DeliveryPoint.postcode == postcode)
    if q:
        pattern = f"%{q.casefold()}%"
        query = query.where(
            sa.or_(
                DeliveryPoint.customer_number == q,
                sa.func.lower(DeliveryPoint.name).like(pattern),
                DeliveryPoint.street_key.like(pattern),
                DeliveryPoint.id.in_(
                    sa.select(CustomerContact.delivery_point_id).where(
                        CustomerContact.contact_key.like(pattern)
                    )
                ),
            )
        )
    query = query.order_by(DeliveryPoint.customer_number).limit(limit).offset(offset)
    return list(db.session.scalars(query))


def get_point(point_id: int) -> DeliveryPoint:
    point = db.session.get(DeliveryPoint, point_id)
    if point is None:
        raise NotFound(_("No such delivery point."))
    return point


def points_of(email: str) -> list[DeliveryPoint]:
    """The delivery points where this e-mail address is a contact (a manager's buildings)."""
    ids = sa.select(CustomerContact.delivery_point_id).where(
        CustomerContact.contact_key == email.lower()
    )
    query = (
        sa.select(DeliveryPoint)
        .where(DeliveryPoint.id.in_(ids))
        .options(selectinload(DeliveryPoint.contacts))
        .order_by(DeliveryPoint.street_key, DeliveryPoint.number, DeliveryPoint.customer_number)
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class PointNotices:
    point: DeliveryPoint
    outages: list[Outage]  # published, not finished, at the building (or maybe at it)
    sent: list[EmailMessage]  # the notices e-mailed to the point's contacts, newest first


def notices_for(point: DeliveryPoint, limit: int = 20) -> PointNotices:
    found = lookup_address(point.postcode, point.street, point.number_text)
    contact_ids = [c.id for c in point.contacts]
    sent = list(
        db.session.scalars(
            sa.select(EmailMessage)
            .where(EmailMessage.contact_id.in_(contact_ids))
            .order_by(EmailMessage.id.desc())
            .limit(limit)
        )
    )
    return PointNotices(point, [*found.outages, *found.possibly_affected], sent)


def outage_at_point(point: DeliveryPoint, outage_id: int) -> Outage:
    """A published outage for the staircase notice of this building."""
    outage = db.session.get(Outage, outage_id)
    if outage is None or outage.first_published_at is None:
        raise NotFound(_("No such interruption notice."))
    return outage
