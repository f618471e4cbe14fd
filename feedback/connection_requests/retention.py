"""Connection requests over time (service/retention/hooks.py; record type `connection_request`).

A request is closed when it is refused (its decision date), connected, withdrawn, cancelled or
its conditions expired (the date of that step). One left incomplete — information requested,
an item still missing — counts as closed at the last due date or arrival of its missing items:
nobody can act on it any more, so its period runs from there. Any other request is open.

Retention: a request closed before the cutoff loses what identifies a natural person and keeps
what the compliance evidence counts (evidence.py: every date of the procedure, deadlines and
their rule, status, legal title, refusal category, letters' kinds and dates sent, capacities,
site postcode and city, jurisdiction, fee and instalments); its figures for any period are the
same before and after.

- Always removed: e-mail, phone, postal address (left "", the table wants a contact: "" says
  anonymised), signatory, proxy, the free texts (reasons, notes, the applicant's answers, the
  conditions' wording, which names the place, letters' texts) and every uploaded or generated
  document, its row and its file (document_removal.py: the files go once the transaction
  commits; a rollback keeps them).
- Removed for a person and for a company: the applicant's name, PESEL, NIP, REGON, KRS,
  Y-tunnus and the site's street, number and plot (a person's home and land register entry).
  A "company" may be a sole trader, whose business name is their own name and whose NIP or
  Y-tunnus identifies them (CEIDG, toiminimi): the form cannot tell, so a company is treated as
  a person. A cooperative, housing community or municipality is never a natural person: its
  name, identifiers and site address are not personal data and stay.

Data-subject requests find requests by e-mail (any case) or phone. Erasure anonymises requests
past their period at once; an open request is kept until it is closed, a closed one until its
period ends (the date and the rule are said), one under a legal hold until the hold is released.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from feedback.connection_requests.document_removal import remove_documents
from feedback.connection_requests.models import (
    ApplicantKind,
    ConnectionLetter,
    ConnectionRequest,
    ConnectionStep,
    MissingItem,
    Status,
    StepKind,
)
from feedback.connection_requests.references import reference
from service.db import utcnow
from service.extensions import db
from service.retention import Erasure, Kept, Subject, why_kept
from service.retention.holds import held_ids
from service.settings import current_settings

RECORD_TYPE = "connection_request"
BATCH = 500
R = ConnectionRequest

# The date each final status was reached.
CLOSED_AT: dict[Status, str] = {
    Status.REFUSED: "decided_at",
    Status.CONNECTED: "connected_at",
    Status.WITHDRAWN: "withdrawn_at",
    Status.CANCELLED: "cancelled_at",
    Status.EXPIRED: "expired_at",
}

# Applicants that may be natural persons (see the module's docstring).
NATURAL = (ApplicantKind.PERSON, ApplicantKind.COMPANY)

# Steps whose text the service writes itself (a channel, a count, a date, a letter's kind, a
# user id): kept. Every other step's text was typed by someone and is removed.
_MACHINE_STEPS = frozenset(
    {
        Status.RECEIVED.value,
        StepKind.ITEM_RECEIVED.value,
        StepKind.CONDITIONS_DELIVERED.value,
        StepKind.LETTER_SENT.value,
        StepKind.EXPIRY_REMINDER.value,
        StepKind.ASSIGNED.value,
        StepKind.FEE_SUSPENDED.value,
        StepKind.FEE_RESUMED.value,
    }
)

_ANONYMOUS: dict[str, Any] = {
    "email": None,
    "phone": None,
    "postal_address": "",
    "signatory": None,
    "proxy_name": None,
    "extension_reason": None,
    "refusal_text": None,
    "closing_reason": None,
    "connection_point": None,
    "heat_carrier": None,
    "boundary": None,
    "metering": None,
}
_NATURAL_PERSON: dict[str, Any] = {
    "applicant_name": "",
    "pesel": None,
    "nip": None,
    "regon": None,
    "krs": None,
    "business_id": None,
    "street": "",
    "house_number": "",
    "plot_number": None,
}


def _not_anonymised() -> Any:
    return sa.or_(R.postal_address.is_(None), R.postal_address != "")


def _anonymise(ids: Sequence[int]) -> int:
    if not ids:
        return 0
    remove_documents(ids)
    quiet = {"synchronize_session": False}
    db.session.execute(
        sa.update(ConnectionStep)
        .where(ConnectionStep.request_id.in_(ids), ConnectionStep.kind.not_in(_MACHINE_STEPS))
        .values(text=None)
        .execution_options(**quiet)
    )
    db.session.execute(
        sa.update(MissingItem)
        .where(MissingItem.request_id.in_(ids))
        .values(description="", answer=None)
        .execution_options(**quiet)
    )
    db.session.execute(
        sa.update(ConnectionLetter)
        .where(ConnectionLetter.request_id.in_(ids))
        .values(text=None)
        .execution_options(**quiet)
    )
    db.session.execute(
        sa.update(R)
        .where(R.id.in_(ids), R.applicant_kind.in_(NATURAL))
        .values(**_NATURAL_PERSON)
        .execution_options(**quiet)
    )
    # A new version: a form opened on the request before now is refused (409), not saved back.
    result = db.session.execute(
        sa.update(R)
        .where(R.id.in_(ids))
        .values(version=R.version + 1, **_ANONYMOUS)
        .execution_options(**quiet)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _anonymise_in_batches(ids: Sequence[int]) -> int:
    return sum(_anonymise(ids[i : i + BATCH]) for i in range(0, len(ids), BATCH))


def _left_incomplete_before(cutoff: dt.datetime) -> Any:
    """Requests waiting for a missing item whose last due date and arrival are before cutoff."""
    last = (
        sa.select(MissingItem.request_id)
        .group_by(MissingItem.request_id)
        .having(
            sa.func.count(MissingItem.id).filter(MissingItem.received_at.is_(None)) > 0,
            sa.func.max(MissingItem.due_at) < cutoff,
            sa.or_(
                sa.func.max(MissingItem.received_at).is_(None),
                sa.func.max(MissingItem.received_at) < cutoff,
            ),
        )
    )
    return sa.and_(R.status == Status.INFO_REQUESTED, R.id.in_(last))


def expire_requests(cutoff: dt.datetime, held: frozenset[int]) -> int:
    """Anonymise the requests closed before `cutoff` (not yet anonymised, not held)."""
    closed = [
        sa.and_(R.status == status, sa.func.coalesce(getattr(R, column), R.updated_at) < cutoff)
        for status, column in CLOSED_AT.items()
    ]
    query = (
        sa.select(R.id)
        .where(sa.or_(*closed, _left_incomplete_before(cutoff)), _not_anonymised())
        .order_by(R.id)
    )
    ids = [request_id for request_id in db.session.scalars(query) if request_id not in held]
    return _anonymise_in_batches(ids)


def closed_at(request: ConnectionRequest, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the request closed (or was left incomplete); None while it is open."""
    if request.status in CLOSED_AT:
        return getattr(request, CLOSED_AT[request.status]) or request.updated_at
    if request.status is Status.INFO_REQUESTED and request.open_items:
        moments = [item.due_at for item in request.missing_items]
        moments += [item.received_at for item in request.missing_items if item.received_at]
        last = max(moments)
        return last if last < (now or utcnow()) else None
    return None


def _requests_of(subject: Subject) -> Sequence[ConnectionRequest]:
    who = []
    if subject.email:
        who.append(sa.func.lower(R.email) == subject.email.lower())
    if subject.phone:
        who.append(R.phone == subject.phone)
    if not who:
        return []
    return db.session.scalars(sa.select(R).where(sa.or_(*who)).order_by(R.id)).all()


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _number(value: Any) -> float | None:
    return float(value) if value is not None else None


def _export(request: ConnectionRequest) -> dict[str, Any]:
    return {
        "reference": reference(request),
        "status": request.status.value,
        "jurisdiction": request.jurisdiction,
        "language": request.language,
        "channel": request.channel.value,
        "received_at": _iso(request.received_at),
        "closed_at": _iso(closed_at(request)),
        "applicant": {
            "kind": request.applicant_kind.value,
            "name": request.applicant_name,
            "pesel": request.pesel,
            "nip": request.nip,
            "regon": request.regon,
            "krs": request.krs,
            "business_id": request.business_id,
            "email": request.email,
            "phone": request.phone,
            "postal_address": request.postal_address,
            "signatory": request.signatory,
            "proxy": request.proxy_name,
        },
        "site": {
            "street": request.street,
            "house_number": request.house_number,
            "postcode": request.postcode,
            "city": request.city,
            "plot_number": request.plot_number,
            "legal_title": request.legal_title.value,
        },
        "building": {
            "purpose": request.purpose.value,
            "new_building": request.new_building,
            "heated_area_m2": _number(request.heated_area_m2),
            "cubature_m3": _number(request.cubature_m3),
        },
        "demand": {
            "heating_kw": _number(request.heating_kw),
            "hot_water_kw": _number(request.hot_water_kw),
            "ventilation_kw": _number(request.ventilation_kw),
            "process_kw": _number(request.process_kw),
            "off_season_kw": _number(request.off_season_kw),
            "annual_mwh": _number(request.annual_mwh),
            "desired_start": _iso(request.desired_start),
            "supply_temperature_c": request.supply_temperature_c,
            "return_temperature_c": request.return_temperature_c,
        },
        "procedure": {
            "complete_at": _iso(request.complete_at),
            "conditions_due_at": _iso(request.conditions_due_at),
            "extension_reason": request.extension_reason,
            "decided_at": _iso(request.decided_at),
            "conditions_set_on": _iso(request.conditions_set_on),
            "conditions_delivered_on": _iso(request.conditions_delivered_on),
            "expires_on": _iso(request.expires_on),
            "connection_point": request.connection_point,
            "conditions_capacity_kw": _number(request.conditions_capacity_kw),
            "heat_carrier": request.heat_carrier,
            "boundary": request.boundary,
            "metering": request.metering,
            "refusal_category": (
                request.refusal_category.value if request.refusal_category else None
            ),
            "refusal_text": request.refusal_text,
            "agreement_offered_at": _iso(request.agreement_offered_at),
            "agreement_signed_at": _iso(request.agreement_signed_at),
            "supply_started_at": _iso(request.supply_started_at),
            "connected_at": _iso(request.connected_at),
            "withdrawn_at": _iso(request.withdrawn_at),
            "cancelled_at": _iso(request.cancelled_at),
            "closing_reason": request.closing_reason,
            "connection_fee": _number(request.connection_fee),
            "agreed_connection_on": _iso(request.agreed_connection_on),
        },
        "documents": [
            {
                "name": doc.filename,
                "kind": doc.kind.value,
                "type": doc.content_type,
                "size": doc.size,
                "uploaded_at": _iso(doc.uploaded_at),
            }
            for doc in request.documents
        ],
        "missing_items": [
            {
                "description": item.description,
                "requested_at": _iso(item.requested_at),
                "due_at": _iso(item.due_at),
                "received_at": _iso(item.received_at),
                "answer": item.answer,
            }
            for item in request.missing_items
        ],
        "letters": [
            {"kind": letter.kind.value, "sent_on": _iso(letter.sent_on), "text": letter.text}
            for letter in request.letters
        ],
        "history": [
            {"at": _iso(step.at), "kind": step.kind, "text": step.text}
            for step in request.steps
            if step.text
        ],
    }


def find_requests(subject: Subject) -> list[dict[str, Any]]:
    """Art. 15: every request made from this e-mail address or phone number, as held."""
    return [_export(request) for request in _requests_of(subject)]


def erase_requests(subject: Subject) -> Erasure:
    """Art. 17: anonymise what is past its period; say what the law keeps, until when."""
    rule = current_settings().security.retention.get(RECORD_TYPE)
    held = held_ids(RECORD_TYPE)
    now = utcnow()
    erasure = Erasure()
    erase: list[int] = []
    for request in _requests_of(subject):
        why = why_kept(
            closed_at(request),
            held=request.id in held,
            still_open="still open: needed to decide on it and connect",
            rule=rule,
            now=now,
        )
        if why is None:
            erase.append(request.id)
        else:
            erasure.kept.append(Kept(f"{RECORD_TYPE} {reference(request)}", why))
    erasure.erased = _anonymise_in_batches(erase)
    return erasure
