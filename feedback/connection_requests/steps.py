"""The staff's steps through the procedure, each a guarded transition in one transaction.

Every function takes the request id and the version the staff member saw (None from a job),
checks that the step may follow the current one (procedure.require_step: a 409 with a clear
message otherwise), writes the dates, a history step and an audit entry, tells the applicant in
their language, and commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from feedback.connection_requests import deadlines, messages, uploads
from feedback.connection_requests.conditions_pdf import conditions_stream
from feedback.connection_requests.intake import _document
from feedback.connection_requests.models import (
    ConnectionLetter,
    ConnectionRequest,
    DocumentKind,
    FeeInstalment,
    LetterKind,
    MissingItem,
    Status,
    StepKind,
)
from feedback.connection_requests.procedure import EXPIRING, require_step
from feedback.connection_requests.transactions import (
    add_step,
    audit_request,
    commit,
    request_for_update,
)
from service.db import utcnow
from service.errors import Conflict, ValidationFailed
from service.extensions import db
from service.i18n import to_local

S = Status


def _today() -> dt.date:
    return to_local(utcnow()).date()


def request_item(
    request_id: int,
    version: int | None,
    data: Mapping[str, Any],
    actor_id: int | None = None,
) -> MissingItem:
    """Ask the applicant for a missing item, with its own due date."""
    request = request_for_update(request_id, version)
    require_step(request, S.INFO_REQUESTED)
    kind = data.get("document_kind")
    if kind:
        try:
            kind = DocumentKind(kind)
        except ValueError:
            raise ValidationFailed({"document_kind": [_("Choose a document.")]}) from None
    now = utcnow()
    item = MissingItem(
        document_kind=kind or None,
        description=data["description"],
        requested_at=now,
        requested_by_id=actor_id,
        due_at=deadlines.item_due(now, data.get("due_days")),
    )
    request.missing_items.append(item)
    add_step(
        request,
        S.INFO_REQUESTED.value,
        to_status=S.INFO_REQUESTED,
        text=item.description,
        actor_id=actor_id,
        at=now,
    )
    db.session.flush()
    messages.ask_for_item(request, item)
    audit_request("item_requested", request, item=item.id, due_at=item.due_at)
    commit()
    return item


def mark_complete(
    request_id: int, version: int | None, actor_id: int | None = None
) -> ConnectionRequest:
    """The application is complete: the clock starts at the last missing item's arrival (or at
    receipt, when nothing was missing: a complete application's time runs from when it came)."""
    request = request_for_update(request_id, version)
    require_step(request, S.COMPLETE)
    if request.open_items:
        raise Conflict(_("Items are still missing: wait for them first."))
    arrivals = [item.received_at for item in request.missing_items if item.received_at]
    complete_at = max(arrivals) if arrivals else request.received_at
    deadlines.start_clock(request, complete_at)
    step = add_step(request, S.COMPLETE.value, to_status=S.COMPLETE, actor_id=actor_id)
    db.session.flush()
    messages.tell_step(request, step.id, messages.deadline_sentence(request))
    audit_request(
        "complete",
        request,
        complete_at=complete_at,
        conditions_due_at=request.conditions_due_at,
        rule=f"{request.rule_days} days: {request.rule_source}",
    )
    commit()
    return request


def extend_deadline(
    request_id: int, version: int | None, days: int, reason: str, actor_id: int | None = None
) -> ConnectionRequest:
    """Only in specially justified cases: a recorded reason and a notice to the applicant."""
    request = request_for_update(request_id, version)
    if request.status is not S.COMPLETE or request.conditions_due_at is None:
        raise Conflict(
            _("Only the deadline of a complete application awaiting a decision can be extended.")
        )
    request.conditions_due_at = deadlines.conditions_deadline(request.conditions_due_at, days)
    request.extension_reason = reason
    step = add_step(request, StepKind.DEADLINE_EXTENDED.value, text=reason, actor_id=actor_id)
    db.session.flush()
    messages.tell_extension(request, step.id)
    audit_request(
        "deadline_extended", request, conditions_due_at=request.conditions_due_at, reason=reason
    )
    commit()
    return request


def issue_conditions(
    request_id: int,
    version: int | None,
    data: Mapping[str, Any],
    signed: uploads.Upload | None = None,
    *,
    preliminary: bool = False,
    actor_id: int | None = None,
) -> ConnectionRequest:
    """Conditions (preliminary ones without legal title; in Finland the connection offer): the
    signed document uploaded, or a draft PDF made from the fields in the applicant's language."""
    request = request_for_update(request_id, version)
    target = S.PRELIMINARY_CONDITIONS if preliminary else S.CONDITIONS_ISSUED
    require_step(request, target)
    if preliminary and not request.preliminary:
        raise Conflict(
            _(
                "The applicant has legal title to the building: "
                "issue conditions, not preliminary ones."
            )
        )
    if not preliminary and request.preliminary:
        raise Conflict(
            _(
                "The applicant has no legal title to the building: "
                "only preliminary conditions can be issued."
            )
        )
    request.connection_point = data["connection_point"]
    request.conditions_capacity_kw = data["capacity_kw"]
    request.heat_carrier = data["heat_carrier"]
    request.boundary = data["boundary"]
    request.metering = data["metering"]
    if data.get("connection_fee") is not None:
        request.connection_fee = data["connection_fee"]
    request.conditions_set_on = data.get("set_on") or _today()
    request.conditions_delivered_on = data.get("delivered_on")
    deadlines.set_expiry(request)
    now = utcnow()
    request.decided_at = now
    request_version = request.version
    if signed is None:
        signed = uploads.Upload(
            "conditions",
            DocumentKind.CONDITIONS,
            "conditions-draft.pdf",
            conditions_stream(request),
        )
    saved = uploads.save_uploads([signed])
    try:
        request = request_for_update(request_id, request_version)
        request.documents.append(_document(saved[0], uploaded_by_id=actor_id, uploaded_at=now))
        step = add_step(request, target.value, to_status=target, actor_id=actor_id, at=now)
        uploads.claim(saved)
        db.session.flush()
        messages.tell_step(request, step.id, _expiry_sentence(request))
        audit_request(
            target.value,
            request,
            decided_at=now,
            conditions_due_at=request.conditions_due_at,
            on_time=bool(request.conditions_due_at and now <= request.conditions_due_at),
            expires_on=request.expires_on,
            document=saved[0].stored.sha256,
        )
        commit()
    except BaseException:
        db.session.rollback()
        uploads.discard(saved)
        raise
    return request


def _expiry_sentence(request: ConnectionRequest) -> str | None:
    from service.i18n import format_date

    if request.expires_on is None:
        return _("The conditions are valid from the day they are delivered to you.")
    return _("Valid until %(date)s.", date=format_date(request.expires_on, request.language))


def mark_delivered(
    request_id: int, version: int | None, delivered_on: dt.date, actor_id: int | None = None
) -> ConnectionRequest:
    request = request_for_update(request_id, version)
    if request.status not in EXPIRING or request.conditions_set_on is None:
        raise Conflict(_("There are no conditions to deliver."))
    if delivered_on < request.conditions_set_on:
        raise ValidationFailed(
            {"delivered_on": [_("The conditions cannot be delivered before they were set.")]}
        )
    request.conditions_delivered_on = delivered_on
    deadlines.set_expiry(request)
    add_step(
        request,
        StepKind.CONDITIONS_DELIVERED.value,
        text=delivered_on.isoformat(),
        actor_id=actor_id,
    )
    audit_request("delivered", request, delivered_on=delivered_on, expires_on=request.expires_on)
    commit()
    return request


def refuse(
    request_id: int, version: int | None, data: Mapping[str, Any], actor_id: int | None = None
) -> ConnectionRequest:
    """A refusal with its category and reasons; in Poland a letter to the applicant and a notice
    to the President of URE, each recorded with the date it is sent (art. 7 ust. 1 PE)."""
    request = request_for_update(request_id, version)
    require_step(request, S.REFUSED)
    request.refusal_category = data["category"]
    request.refusal_text = data["text"]
    request.decided_at = utcnow()
    if request.jurisdiction == "PL":
        for kind in (LetterKind.REFUSAL_TO_APPLICANT, LetterKind.REFUSAL_TO_URE):
            request.letters.append(ConnectionLetter(kind=kind, text=data["text"]))
    step = add_step(
        request, S.REFUSED.value, to_status=S.REFUSED, text=data["text"], actor_id=actor_id
    )
    db.session.flush()
    messages.tell_step(request, step.id, data["text"])
    audit_request(
        "refused", request, category=request.refusal_category, decided_at=request.decided_at
    )
    commit()
    return request


def record_letter_sent(
    request_id: int, kind: LetterKind, sent_on: dt.date, actor_id: int | None = None
) -> ConnectionLetter:
    request = request_for_update(request_id)
    letter = next((item for item in request.letters if item.kind is kind), None)
    if letter is None:
        raise Conflict(_("This request has no such letter to send."))
    if sent_on > _today():
        raise ValidationFailed({"sent_on": [_("The date sent cannot be in the future.")]})
    letter.sent_on = sent_on
    letter.recorded_by_id = actor_id
    add_step(
        request,
        StepKind.LETTER_SENT.value,
        text=f"{kind.value} {sent_on.isoformat()}",
        actor_id=actor_id,
        visible=False,
    )
    audit_request("letter_sent", request, kind=kind, sent_on=sent_on)
    commit()
    return letter


_DATE_OF = {
    S.AGREEMENT_OFFERED: "agreement_offered_at",
    S.AGREEMENT_SIGNED: "agreement_signed_at",
    S.WORKS: "works_started_at",
    S.SUPPLY_STARTED: "supply_started_at",
    S.CONNECTED: "connected_at",
    S.WITHDRAWN: "withdrawn_at",
    S.CANCELLED: "cancelled_at",
}


def advance(
    request_id: int,
    version: int | None,
    target: Status,
    *,
    actor_id: int | None = None,
    text: str | None = None,
    document: uploads.Upload | None = None,
    agreement: Mapping[str, Any] | None = None,
) -> ConnectionRequest:
    """A step that records its date: agreement offered or signed, works, supply started (with
    the protocol), connected, withdrawn or cancelled (with the reason)."""
    if target not in _DATE_OF:
        raise ValueError(f"not a plain step: {target}")
    request = request_for_update(request_id, version)
    require_step(request, target)
    if target in {S.WITHDRAWN, S.CANCELLED} and not text:
        raise ValidationFailed({"text": [_("Give the reason.")]})
    saved = uploads.save_uploads([document]) if document is not None else []
    try:
        request = request_for_update(request_id, version)
        now = utcnow()
        setattr(request, _DATE_OF[target], now)
        if target in {S.WITHDRAWN, S.CANCELLED}:
            request.closing_reason = text
        if target is S.AGREEMENT_SIGNED and agreement:
            _record_fee(request, agreement)
        if target is S.SUPPLY_STARTED and request.fee_suspended_at and not request.fee_resumed_at:
            request.fee_resumed_at = now
            add_step(request, StepKind.FEE_RESUMED.value, at=now, visible=True)
        for doc in saved:
            request.documents.append(_document(doc, uploaded_by_id=actor_id, uploaded_at=now))
        step = add_step(
            request, target.value, to_status=target, text=text, actor_id=actor_id, at=now
        )
        uploads.claim(saved)
        db.session.flush()
        messages.tell_step(request, step.id, text if target is S.CANCELLED else None)
        audit_request(target.value, request, at=now, documents=[d.stored.sha256 for d in saved])
        commit()
    except BaseException:
        db.session.rollback()
        uploads.discard(saved)
        raise
    return request


def _record_fee(request: ConnectionRequest, data: Mapping[str, Any]) -> None:
    """Finland: the connection fee, the agreed connection date and the instalments (by default
    two: one month before the agreed date and twelve months after it)."""
    given = data.get("connection_fee")
    fee = Decimal(str(given)) if given is not None else request.connection_fee
    request.connection_fee = fee
    request.agreed_connection_on = data.get("agreed_connection_on")
    count = data.get("instalments") or 0
    if fee is None or not count or request.agreed_connection_on is None:
        return
    agreed = request.agreed_connection_on
    share = (fee / count).quantize(Decimal("0.01"))
    request.instalments.clear()
    for position in range(count):
        due = (
            agreed - dt.timedelta(days=30)
            if position == 0
            else deadlines.add_years(agreed, 1)
            if count == 2
            else agreed + dt.timedelta(days=30 * position)
        )
        amount = fee - share * (count - 1) if position == count - 1 else share
        request.instalments.append(FeeInstalment(position=position + 1, amount=amount, due_on=due))


def add_note(request_id: int, text: str, actor_id: int | None = None) -> None:
    request = request_for_update(request_id)
    add_step(request, StepKind.NOTE.value, text=text, actor_id=actor_id, visible=False)
    audit_request("note", request)
    commit()


def assign(request_id: int, user_id: int | None, actor_id: int | None = None) -> None:
    request = request_for_update(request_id)
    request.assignee_id = user_id
    add_step(
        request, StepKind.ASSIGNED.value, text=str(user_id or ""), actor_id=actor_id, visible=False
    )
    audit_request("assigned", request, assignee=user_id)
    commit()
