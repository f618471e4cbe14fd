"""Writing the customer register in bulk: what the CSV import and the API's bulk upsert share.

`upsert_points` compares the rows it is given with the register and writes only what changed,
set-based (INSERT/UPDATE executemany in chunks, not an ORM object per row), in the caller's
transaction: the caller commits once, so an import is all or nothing (docs/decisions
0009-contract-customers.md). The same rows twice change nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import sqlalchemy as sa

from notifications.customers.models import CustomerContact, DeliveryPoint
from notifications.customers.rows import ContactRow, PointRow
from notifications.sms.models import MessageStatus, OutboxMessage
from service.db import utcnow
from service.extensions import db
from service.mail.models import EmailMessage, EmailStatus

CHUNK = 1000
T = TypeVar("T")
POINT_FIELDS = (
    "name",
    "postcode",
    "street",
    "street_key",
    "number",
    "number_text",
    "priority",
    "dwellings",
)
CONTACT_FIELDS = ("email", "phone", "language", "role")


@dataclass
class Entry:
    """One delivery point of the input and its contacts, with the input line it started on."""

    line: int
    point: PointRow
    contacts: list[ContactRow] = field(default_factory=list)


@dataclass
class UpsertCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _point_values(point: PointRow) -> dict[str, object]:
    return {name: getattr(point, name) for name in ("customer_number", *POINT_FIELDS)}


def _stored(value: object) -> object:
    return getattr(value, "value", value)  # enums compare by their stored value


def cancel_queued_for_contacts(contact_ids: Sequence[int]) -> None:
    """Queued notices to contacts that no longer exist are not sent."""
    for chunk in _chunks(list(contact_ids)):
        db.session.execute(
            sa.update(OutboxMessage.__table__)
            .where(
                OutboxMessage.__table__.c.contact_id.in_(chunk),
                OutboxMessage.__table__.c.status == MessageStatus.QUEUED.value,
            )
            .values(status=MessageStatus.CANCELLED.value)
        )
        db.session.execute(
            sa.update(EmailMessage.__table__)
            .where(
                EmailMessage.__table__.c.contact_id.in_(chunk),
                EmailMessage.__table__.c.status == EmailStatus.QUEUED.value,
            )
            .values(status=EmailStatus.CANCELLED.value)
        )


def _delete_contacts(contact_ids: list[int]) -> None:
    cancel_queued_for_contacts(contact_ids)
    table = CustomerContact.__table__
    for chunk in _chunks(contact_ids):
        db.session.execute(sa.delete(table).where(table.c.id.in_(chunk)))


def upsert_points(
    entries: Sequence[Entry],
    *,
    prune: bool = False,
    progress: Callable[[int], None] | None = None,
) -> UpsertCounts:
    """Add, update (and with `prune` remove) delivery points and contacts to match `entries`.

    With `prune`, delivery points not among the entries are removed, and so are the contacts
    of the given points that the entries do not list. Without it nothing is removed. A
    contact's channel choice (by_email, by_sms), which the manager makes, is kept on update.
    """
    points, contacts = DeliveryPoint.__table__, CustomerContact.__table__
    counts = UpsertCounts()
    existing = {
        row.customer_number: row
        for row in db.session.execute(
            sa.select(points.c.id, points.c.customer_number, *[points.c[f] for f in POINT_FIELDS])
        )
    }
    new_points: list[dict[str, Any]] = []
    point_updates: list[dict[str, Any]] = []
    for entry in entries:
        found = existing.get(entry.point.customer_number)
        if found is None:
            new_points.append(_point_values(entry.point))
        elif any(
            _stored(getattr(entry.point, f)) != _stored(getattr(found, f)) for f in POINT_FIELDS
        ):
            point_updates.append(
                {"_id": found.id, **{f: getattr(entry.point, f) for f in POINT_FIELDS}}
            )
    for chunk in _chunks(new_points):
        db.session.execute(sa.insert(points), list(chunk))
    now = utcnow()
    for chunk in _chunks(point_updates):
        db.session.execute(
            sa.update(points)
            .where(points.c.id == sa.bindparam("_id"))
            .values({**{f: sa.bindparam(f) for f in POINT_FIELDS}, "updated_at": now}),
            list(chunk),
        )
    ids = dict(db.session.execute(sa.select(points.c.customer_number, points.c.id)).tuples().all())
    changed = {u["_id"] for u in point_updates}
    added = {ids[p["customer_number"]] for p in new_points}

    stored_contacts = {
        (row.delivery_point_id, row.contact_key): row
        for row in db.session.execute(
            sa.select(
                contacts.c.id,
                contacts.c.delivery_point_id,
                contacts.c.contact_key,
                *[contacts.c[f] for f in CONTACT_FIELDS],
            )
        )
    }
    new_contacts: list[dict[str, Any]] = []
    contact_updates: list[dict[str, Any]] = []
    seen: set[tuple[int, str]] = set()
    for done, entry in enumerate(entries, 1):
        point_id = ids[entry.point.customer_number]
        for contact in entry.contacts:
            key = (point_id, contact.contact_key)
            seen.add(key)
            found = stored_contacts.get(key)
            values = {f: getattr(contact, f) for f in CONTACT_FIELDS}
            if found is None:
                new_contacts.append(
                    {
                        "delivery_point_id": point_id,
                        "contact_key": contact.contact_key,
                        "by_email": contact.email is not None,
                        "by_sms": contact.phone is not None,
                        **values,
                    }
                )
                changed.add(point_id)
            elif any(_stored(values[f]) != _stored(getattr(found, f)) for f in CONTACT_FIELDS):
                contact_updates.append({"_id": found.id, **values})
                changed.add(point_id)
        if progress is not None and done % CHUNK == 0:
            progress(CHUNK)
    if progress is not None:
        progress(len(entries) % CHUNK)
    for chunk in _chunks(new_contacts):
        db.session.execute(sa.insert(contacts), list(chunk))
    for chunk in _chunks(contact_updates):
        db.session.execute(
            sa.update(contacts)
            .where(contacts.c.id == sa.bindparam("_id"))
            .values({**{f: sa.bindparam(f) for f in CONTACT_FIELDS}, "updated_at": now}),
            list(chunk),
        )

    if prune:
        given = {ids[e.point.customer_number] for e in entries}
        # Contacts of given points missing from the input, and every contact of a removed point.
        gone_contacts = [row.id for key, row in stored_contacts.items() if key not in seen]
        changed |= {key[0] for key, row in stored_contacts.items() if key not in seen} & given
        _delete_contacts(gone_contacts)
        gone_points = [point_id for point_id in ids.values() if point_id not in given]
        for chunk in _chunks(gone_points):
            db.session.execute(sa.delete(points).where(points.c.id.in_(chunk)))
        counts.removed = len(gone_points)

    counts.added = len(added)
    counts.updated = len(changed - added)
    counts.unchanged = len(entries) - counts.added - counts.updated
    return counts
