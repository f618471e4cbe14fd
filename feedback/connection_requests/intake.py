"""Receiving a connection request (the public form, the API, or staff registering a paper one)
and the applicant adding missing items from the tracking link.

Files first, then rows: the documents are stored and checked (uploads.py) before the request is
written, and the request, its document rows and its acknowledgement are one transaction. The
form's one-time token makes a form sent twice (a double click, a retry after a timeout) one
application: the second submission stores nothing and gets the first one's receipt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from feedback.connection_requests import messages, uploads
from feedback.connection_requests.models import (
    ConnectionDocument,
    ConnectionRequest,
    DocumentKind,
    IntakeChannel,
    Status,
    StepKind,
)
from feedback.connection_requests.procedure import CLOSED
from feedback.connection_requests.references import reference, tracking_token
from feedback.connection_requests.transactions import add_step, audit_request, commit
from service.db import utcnow
from service.errors import Conflict, ValidationFailed
from service.extensions import db
from service.i18n import current_language, to_local
from service.settings import current_settings
from service.tracking import new_nonce

# What the applicant declares, stored as given (the public and the staff form send these too).
APPLICATION_COLUMNS = (
    "applicant_kind",
    "applicant_name",
    "pesel",
    "nip",
    "regon",
    "krs",
    "business_id",
    "email",
    "phone",
    "postal_address",
    "signatory",
    "proxy_name",
    "postcode",
    "street",
    "house_number",
    "city",
    "plot_number",
    "legal_title",
    "purpose",
    "new_building",
    "heated_area_m2",
    "cubature_m3",
    "heating_kw",
    "hot_water_kw",
    "ventilation_kw",
    "process_kw",
    "off_season_kw",
    "annual_mwh",
    "desired_start",
    "supply_temperature_c",
    "return_temperature_c",
)


@dataclass(frozen=True)
class Receipt:
    """What the applicant gets at once (read before the commit expires the row)."""

    request_id: int
    reference: str
    token: str
    language: str
    repeated: bool = False  # the same form sent again: the first submission's receipt


def _receipt(request: ConnectionRequest, repeated: bool = False) -> Receipt:
    return Receipt(
        request.id, reference(request), tracking_token(request), request.language, repeated
    )


def _by_token(key: str | None) -> ConnectionRequest | None:
    if not key:
        return None
    return db.session.scalar(
        sa.select(ConnectionRequest).where(ConnectionRequest.idempotency_key == key)
    )


def _document(saved: uploads.SavedDocument, **kw: Any) -> ConnectionDocument:
    return ConnectionDocument(
        kind=saved.kind,
        file_key=saved.stored.key,
        filename=saved.filename,
        size=saved.stored.size,
        sha256=saved.stored.sha256,
        content_type=saved.stored.content_type,
        **kw,
    )


def document_errors(data: Mapping[str, Any], kinds: set[DocumentKind]) -> dict[str, list[str]]:
    """A proxy needs a power of attorney (application forms of PL utilities)."""
    if data.get("proxy_name") and DocumentKind.POWER_OF_ATTORNEY not in kinds:
        return {"power_of_attorney": [_("A proxy applies: attach the power of attorney.")]}
    return {}


def submit_request(
    data: Mapping[str, Any],
    files: Sequence[uploads.Upload] = (),
    *,
    idempotency_key: str | None = None,
    channel: IntakeChannel = IntakeChannel.WEB,
    recorded_by: int | None = None,
) -> Receipt:
    """Register an application with its documents and acknowledge it; all or nothing."""
    existing = _by_token(idempotency_key)
    if existing is not None:
        return _receipt(existing, repeated=True)
    errors = document_errors(data, {upload.kind for upload in files})
    if errors:
        raise ValidationFailed(errors)
    saved = uploads.save_uploads(files)
    try:
        receipt = _write(data, saved, idempotency_key, channel, recorded_by)
    except IntegrityError:
        db.session.rollback()
        uploads.discard(saved)
        existing = _by_token(idempotency_key)
        if existing is None:
            raise
        return _receipt(existing, repeated=True)
    except BaseException:
        db.session.rollback()
        uploads.discard(saved)
        raise
    return receipt


def _write(
    data: Mapping[str, Any],
    saved: Sequence[uploads.SavedDocument],
    idempotency_key: str | None,
    channel: IntakeChannel,
    recorded_by: int | None,
) -> Receipt:
    now = utcnow()
    received: dt.datetime = data.get("received_at") or now
    settings = current_settings()
    request = ConnectionRequest(
        year=to_local(received).year,
        token_nonce=new_nonce(),
        idempotency_key=idempotency_key,
        jurisdiction=settings.jurisdiction.code,
        language=data.get("language") or current_language(),
        channel=channel,
        status=Status.RECEIVED,
        received_at=received,
        recorded_at=now,
        recorded_by_id=recorded_by,
        **{name: data.get(name) for name in APPLICATION_COLUMNS},
    )
    for doc in saved:
        request.documents.append(_document(doc, uploaded_by_id=recorded_by, uploaded_at=now))
    add_step(request, Status.RECEIVED.value, text=channel.value, actor_id=recorded_by, at=now)
    db.session.add(request)
    db.session.flush()
    uploads.claim(saved)
    messages.acknowledge(request)
    audit_request(
        "received",
        request,
        channel=channel.value,
        received_at=received,
        documents=[d.stored.sha256 for d in saved],
    )
    receipt = _receipt(request)
    db.session.commit()
    return receipt


def add_items(
    request: ConnectionRequest,
    answers: Mapping[int, str],
    files: Sequence[uploads.Upload],
    *,
    item_ids_for_files: Mapping[str, int] | None = None,
) -> int:
    """The applicant answers missing-item requests from the tracking link: text and/or files.
    An item is received when its document (or its answer) arrives; returns how many."""
    if request.status in CLOSED:
        raise Conflict(_("This request is closed: no further step can be taken."))
    open_items = {item.id: item for item in request.open_items}
    if not open_items:
        raise Conflict(_("Nothing is missing from this request."))
    links = dict(item_ids_for_files or {})
    if not any(text for text in answers.values()) and not files:
        raise ValidationFailed({"_schema": [_("Add a document or an answer first.")]})
    request_id = request.id
    saved = uploads.save_uploads(files)
    try:
        request = db.session.get(ConnectionRequest, request_id)  # type: ignore[assignment]
        open_items = {item.id: item for item in request.open_items}
        now = utcnow()
        done = 0
        for doc in saved:
            item_id = links.get(doc.field)
            item = open_items.get(item_id) if item_id else None
            request.documents.append(
                _document(doc, uploaded_at=now, missing_item_id=item.id if item else None)
            )
            if item is not None and item.received_at is None:
                item.received_at = now
                done += 1
        for item_id, text in answers.items():
            item = open_items.get(item_id)
            if item is not None and text and item.received_at is None:
                item.answer = text
                item.received_at = now
                done += 1
        add_step(request, StepKind.ITEM_RECEIVED.value, text=str(done), at=now)
        uploads.claim(saved)
        audit_request(
            "item_received", request, items=done, documents=[d.stored.sha256 for d in saved]
        )
        commit()
    except BaseException:
        db.session.rollback()
        uploads.discard(saved)
        raise
    return done
