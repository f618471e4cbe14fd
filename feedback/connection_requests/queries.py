"""Reading requests: by tracking link, the staff inbox by deadline, the API list, the checklist."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from feedback.connection_requests.models import (
    ApplicantKind,
    ConnectionDocument,
    ConnectionRequest,
    DocumentKind,
    LegalTitle,
    Status,
)
from feedback.connection_requests.procedure import OPEN
from feedback.connection_requests.references import parse_reference, token_matches
from service.errors import NotFound
from service.extensions import db

INBOX_LIMIT = 200


def by_reference(text: str) -> ConnectionRequest:
    parsed = parse_reference(text)
    request = db.session.get(ConnectionRequest, parsed[1]) if parsed else None
    if request is None or parsed is None or request.year != parsed[0]:
        raise NotFound(_("There is no such connection request."))
    return request


def for_tracking(text: str, token: str) -> ConnectionRequest:
    """The request behind a tracking link; a wrong reference or token is the same 404."""
    try:
        request = by_reference(text)
    except NotFound:
        raise NotFound() from None
    if not token_matches(request, token):
        raise NotFound()
    return request


def document_of(request: ConnectionRequest, document_id: int) -> ConnectionDocument:
    document = next((d for d in request.documents if d.id == document_id), None)
    if document is None:
        raise NotFound()
    return document


def inbox(show_closed: bool = False) -> list[ConnectionRequest]:
    """Open requests, the nearest decision deadline first, then the oldest received."""
    query = sa.select(ConnectionRequest)
    if not show_closed:
        query = query.where(ConnectionRequest.status.in_(list(OPEN)))
    query = query.order_by(
        ConnectionRequest.conditions_due_at.is_(None),
        ConnectionRequest.conditions_due_at,
        ConnectionRequest.received_at,
    ).limit(INBOX_LIMIT)
    return list(db.session.scalars(query))


def api_list(
    status: Status | None, first: dt.date | None, last: dt.date | None
) -> list[ConnectionRequest]:
    """Requests received from local day `first` to `last` (both included), by id."""
    from service.i18n import from_local

    query = sa.select(ConnectionRequest).order_by(ConnectionRequest.id)
    if status is not None:
        query = query.where(ConnectionRequest.status == status)
    if first is not None and first.year >= 1900:  # earlier: no bound (and no overflow)
        start = from_local(dt.datetime.combine(first, dt.time()))
        query = query.where(ConnectionRequest.received_at >= start)
    if last is not None and last.year < 9000:
        end = from_local(dt.datetime.combine(last + dt.timedelta(days=1), dt.time()))
        query = query.where(ConnectionRequest.received_at < end)
    return list(db.session.scalars(query.limit(1000)))


@dataclass(frozen=True)
class CheckItem:
    key: str
    label: str
    ok: bool


def checklist(request: ConnectionRequest) -> list[CheckItem]:
    """The completeness check of the jurisdiction (PL utilities' application forms; the Finnish
    heat contract needs the owner's consent when the customer is not the owner)."""
    from feedback.connection_requests.labels import cr_label

    kinds = {d.kind for d in request.documents}
    items = [
        CheckItem("contact", _("Contact: e-mail or phone"), bool(request.email or request.phone)),
    ]
    if request.jurisdiction == "PL":
        ident = request.pesel if request.applicant_kind is ApplicantKind.PERSON else request.nip
        items += [
            CheckItem(
                "identifier", _("Identifier (PESEL or NIP) with a valid checksum"), bool(ident)
            ),
            CheckItem("plot_number", _("Plot number"), bool(request.plot_number)),
        ]
    elif request.jurisdiction == "FI" and request.applicant_kind is not ApplicantKind.PERSON:
        items.append(
            CheckItem("identifier", _("Business ID (Y-tunnus)"), bool(request.business_id))
        )
    if request.applicant_kind is not ApplicantKind.PERSON:
        items.append(
            CheckItem("signatory", _("Who signs for the applicant"), bool(request.signatory))
        )
    items.append(CheckItem("demand", _("Ordered capacity and desired start"), request.total_kw > 0))
    needed = [DocumentKind.SITE_PLAN, DocumentKind.FLOOR_PLAN]
    if request.legal_title is not LegalTitle.NONE:
        needed.insert(0, DocumentKind.TITLE_PROOF)
    if request.proxy_name:
        needed.append(DocumentKind.POWER_OF_ATTORNEY)
    items += [CheckItem(kind.value, cr_label(kind), kind in kinds) for kind in needed]
    return items


def staff_members() -> list[Any]:
    from service.auth.models import User

    return list(
        db.session.scalars(sa.select(User).where(User.active.is_(True)).order_by(User.name))
    )
