"""Reading outage notices: lists, the address lookup, feeds' contents, the public state.

Read-only queries, separate from services.py (which owns the writes and their rules), so the
public side of the site reads from one place. Unpublished drafts are only ever returned with
public=False.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from notifications.areas import AddressRange, Match, best_match, house_number
from notifications.models import (
    FINISHED,
    ONGOING,
    Outage,
    OutageArea,
    OutageKind,
    OutageStatus,
    OutageUpdate,
)
from notifications.streets.queries import Resolver, resolver
from service.db import utcnow
from service.errors import NotFound
from service.extensions import db

# Calendars and feeds look back this far.
HISTORY = dt.timedelta(days=366)


def load_outage(outage_id: int, *, public: bool, with_updates: bool = False) -> Outage:
    query = sa.select(Outage).where(Outage.id == outage_id)
    if public:
        query = query.where(Outage.first_published_at.is_not(None))
    if with_updates:
        query = query.options(selectinload(Outage.updates))
    outage = db.session.scalar(query)
    if outage is None:
        raise NotFound(_("There is no interruption notice with this number."))
    return outage


def require_published(outage_id: int) -> None:
    """NotFound unless the notice is published: one primary-key lookup, no row loaded."""
    query = sa.select(Outage.id).where(
        Outage.id == outage_id, Outage.first_published_at.is_not(None)
    )
    if db.session.scalar(query) is None:
        raise NotFound(_("There is no interruption notice with this number."))


def get_outage(outage_id: int, *, public: bool = True) -> Outage:
    """One outage with its update history; unpublished drafts only for staff."""
    return load_outage(outage_id, public=public, with_updates=True)


def _status_clause(status: str, now: dt.datetime) -> sa.ColumnElement[bool]:
    if status == "draft":
        return Outage.first_published_at.is_(None)
    if status == "active":
        return sa.or_(
            Outage.status.in_(ONGOING),
            sa.and_(Outage.status == OutageStatus.SCHEDULED, Outage.starts_at <= now),
        )
    if status == "upcoming":
        return sa.and_(Outage.status == OutageStatus.SCHEDULED, Outage.starts_at > now)
    return Outage.status.in_(FINISHED)


def list_outages(
    *,
    status: str | None = None,
    postcode: str | None = None,
    street: str | None = None,
    number: str | None = None,
    public: bool = True,
    now: dt.datetime | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Outage]:
    """Outages by state (active | upcoming | past; draft for staff) and, when given, address."""
    now = now or utcnow()
    query = sa.select(Outage)
    if public:
        query = query.where(Outage.first_published_at.is_not(None))
    if status:
        query = query.where(_status_clause(status, now))
    if status == "past":
        query = query.order_by(sa.func.coalesce(Outage.ended_at, Outage.updated_at).desc())
    else:
        query = query.order_by(Outage.starts_at, Outage.id)
    if postcode:
        query = query.where(
            Outage.id.in_(sa.select(OutageArea.outage_id).where(OutageArea.postcode == postcode))
        )
    if postcode and (street or number):
        names = resolver([postcode])
        outages = [
            o
            for o in db.session.scalars(query)
            if _match(o, postcode, street, number, names) != Match.NO
        ]
        return outages[offset : offset + limit if limit else None]
    if limit:
        query = query.limit(limit).offset(offset)
    return list(db.session.scalars(query))


def _match(
    outage: Outage, postcode: str, street: str | None, number: str | None, names: Resolver
) -> Match:
    """How surely the address is in the outage, streets compared after alias resolution (a
    lookup by "Mannerheimvägen" finds what "Mannerheimintie" finds)."""
    ranges = [
        AddressRange(
            a.postcode,
            a.street,
            a.from_number,
            a.to_number,
            a.parity,
            canonical=names.key(a.postcode, a.street),
        )
        for a in outage.areas
    ]
    key = names.key(postcode, street)
    return best_match(ranges, postcode, street, house_number(number), key=key)


@dataclass(frozen=True)
class LookupResult:
    postcode: str
    street: str | None
    number: str | None
    outages: list[Outage]  # the address is inside these
    possibly_affected: list[Outage]  # part of the postcode or street; a house number would tell

    @property
    def affected(self) -> bool:
        return bool(self.outages)


def lookup_address(
    postcode: str, street: str | None = None, number: str | None = None
) -> LookupResult:
    """Is my address affected? Current and upcoming published outages at the address."""
    query = (
        sa.select(Outage)
        .where(
            Outage.first_published_at.is_not(None),
            Outage.status.not_in(FINISHED),
            Outage.id.in_(sa.select(OutageArea.outage_id).where(OutageArea.postcode == postcode)),
        )
        .order_by(Outage.starts_at, Outage.id)
    )
    sure: list[Outage] = []
    maybe: list[Outage] = []
    names = resolver([postcode])
    for outage in db.session.scalars(query):
        found = _match(outage, postcode, street, number, names)
        if found == Match.YES:
            sure.append(outage)
        elif found == Match.PARTLY:
            maybe.append(outage)
    return LookupResult(postcode, street, number, sure, maybe)


def public_state(now: dt.datetime | None = None) -> tuple[Any, ...]:
    """Everything the public pages depend on, in one cheap query.

    The last change to any published notice, how many there are, and the next moment a
    scheduled one starts (when it moves from "upcoming" to "current" without any change being
    saved). Pages rendered under the same state are identical, so the state keys the page cache
    and the ETag, and a 304 or a cached page costs this one query.
    """
    now = now or utcnow()
    row = db.session.execute(
        sa.select(
            sa.func.max(Outage.updated_at),
            sa.func.count(Outage.id),
            sa.func.min(
                sa.case(
                    (
                        sa.and_(Outage.status == OutageStatus.SCHEDULED, Outage.starts_at > now),
                        Outage.starts_at,
                    )
                )
            ),
        ).where(Outage.first_published_at.is_not(None))
    ).one()
    latest, count, next_start = row
    return (
        latest.isoformat() if latest else None,
        count,
        next_start.isoformat() if next_start else None,
    )


FEED_SIZE = 100


def recent_updates(limit: int = FEED_SIZE) -> list[OutageUpdate]:
    """The newest updates of published notices, newest first (the Atom feed's entries)."""
    return list(
        db.session.scalars(
            sa.select(OutageUpdate)
            .options(selectinload(OutageUpdate.outage))
            .order_by(OutageUpdate.created_at.desc(), OutageUpdate.id.desc())
            .limit(limit)
        )
    )


def planned_for_calendar(now: dt.datetime | None = None) -> list[Outage]:
    """Published planned interruptions from the last year on, cancelled ones included."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            sa.select(Outage)
            .where(
                Outage.kind == OutageKind.PLANNED,
                Outage.first_published_at.is_not(None),
                Outage.starts_at >= now - HISTORY,
            )
            .order_by(Outage.starts_at, Outage.id)
        )
    )
