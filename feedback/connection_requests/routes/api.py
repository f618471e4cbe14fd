"""JSON API /api/v1/connection-requests (OpenAPI at /api/openapi.json; Bearer token).

GET the list (filters status, from, to) and one request (received_at, complete_at,
conditions_due_at, status, steps); one POST per staff step. A step out of order is a 409 with
the reason in the caller's language (Accept-Language); bad input a 422 naming the field.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Flask, g, request
from flask_babel import gettext as _

from feedback.connection_requests import queries, steps
from feedback.connection_requests.models import ConnectionRequest, Status
from feedback.connection_requests.references import reference
from feedback.connection_requests.schemas import (
    AgreementSchema,
    ConditionsSchema,
    DeliveredSchema,
    ExtensionSchema,
    LetterSentSchema,
    MissingItemSchema,
    ReasonSchema,
    RefusalSchema,
    StepQuerySchema,
)
from service.api import ApiBlueprint, api_of
from service.auth import Permission, requires
from service.errors import ValidationFailed

bp = ApiBlueprint(
    "api_connection_requests",
    __name__,
    url_prefix="/api/v1/connection-requests",
    description="Connection requests (Ciepło Systemowe A5; the Finnish heat contract)",
)
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
HANDLE = Permission.HANDLE_CONNECTIONS


class StepOutSchema(ma.Schema):
    at = ma.fields.AwareDateTime()
    kind = ma.fields.String()
    from_status = ma.fields.String(allow_none=True)
    to_status = ma.fields.String(allow_none=True)
    text = ma.fields.String(allow_none=True)


class MissingItemOutSchema(ma.Schema):
    id = ma.fields.Integer()
    document_kind = ma.fields.String(allow_none=True)
    description = ma.fields.String()
    requested_at = ma.fields.AwareDateTime()
    due_at = ma.fields.AwareDateTime()
    received_at = ma.fields.AwareDateTime(allow_none=True)


class ConnectionRequestOutSchema(ma.Schema):
    reference = ma.fields.Function(lambda r: reference(r))
    status = ma.fields.Function(lambda r: r.status.value)
    jurisdiction = ma.fields.String()
    applicant_kind = ma.fields.Function(lambda r: r.applicant_kind.value)
    preliminary = ma.fields.Boolean()
    postcode = ma.fields.String()
    total_kw = ma.fields.Decimal(as_string=True)
    received_at = ma.fields.AwareDateTime()
    complete_at = ma.fields.AwareDateTime(allow_none=True)
    conditions_due_at = ma.fields.AwareDateTime(allow_none=True)
    rule_days = ma.fields.Integer(allow_none=True)
    rule_source = ma.fields.String(allow_none=True)
    extension_reason = ma.fields.String(allow_none=True)
    decided_at = ma.fields.AwareDateTime(allow_none=True)
    conditions_set_on = ma.fields.Date(allow_none=True)
    conditions_delivered_on = ma.fields.Date(allow_none=True)
    expiry_counted_from = ma.fields.String(allow_none=True)
    expires_on = ma.fields.Date(allow_none=True)
    agreement_signed_at = ma.fields.AwareDateTime(allow_none=True)
    supply_started_at = ma.fields.AwareDateTime(allow_none=True)
    connected_at = ma.fields.AwareDateTime(allow_none=True)
    fee_suspended_at = ma.fields.AwareDateTime(allow_none=True)
    steps = ma.fields.List(ma.fields.Nested(StepOutSchema))
    missing_items = ma.fields.List(ma.fields.Nested(MissingItemOutSchema))


class ConnectionRequestSummarySchema(ConnectionRequestOutSchema):
    class Meta:
        exclude = ("steps", "missing_items")


def _user_id() -> int:
    return int(g.staff_user.id)


def _found(ref: str) -> ConnectionRequest:
    return queries.by_reference(ref)


def _version() -> int | None:
    """An optional If-Match: "<version>" guards a step against a concurrent change."""
    value = request.headers.get("If-Match", "").strip().strip('"').removeprefix("W/").strip('"')
    return int(value) if value.isdigit() else None


@bp.route("", methods=["GET"])
@requires(HANDLE)
@bp.arguments(StepQuerySchema, location="query")
@bp.response(200, ConnectionRequestSummarySchema(many=True))
@bp.doc(security=BEARER)
def list_(query: dict[str, Any]) -> Any:
    """Requests received in [from, to] (local dates), by status."""
    status = None
    if query.get("status"):
        try:
            status = Status(query["status"])
        except ValueError:
            raise ValidationFailed(
                {
                    "status": [
                        _("Choose one of: %(choices)s.", choices=", ".join(s.value for s in Status))
                    ]
                }
            ) from None
    return queries.api_list(status, query.get("from_"), query.get("to"))


@bp.route("/<ref>", methods=["GET"])
@requires(HANDLE)
@bp.response(200, ConnectionRequestOutSchema)
@bp.doc(security=BEARER)
def get(ref: str) -> Any:
    """One request with its dates and steps."""
    return _found(ref)


def _done(ref: str) -> Any:
    from service.extensions import db

    db.session.expire_all()
    return _found(ref)


@bp.route("/<ref>/complete", methods=["POST"])
@requires(HANDLE)
@bp.response(200, ConnectionRequestOutSchema)
@bp.doc(security=BEARER)
def complete(ref: str) -> Any:
    """Mark the application complete: the decision deadline runs from the last missing item's
    arrival (from receipt when nothing was missing)."""
    steps.mark_complete(_found(ref).id, _version(), _user_id())
    return _done(ref)


@bp.route("/<ref>/missing-items", methods=["POST"])
@requires(HANDLE)
@bp.arguments(MissingItemSchema)
@bp.response(200, ConnectionRequestOutSchema)
@bp.doc(security=BEARER)
def missing_item(data: dict[str, Any], ref: str) -> Any:
    """Ask the applicant for a missing item with its own due date."""
    steps.request_item(_found(ref).id, _version(), data, _user_id())
    return _done(ref)


@bp.route("/<ref>/extend", methods=["POST"])
@requires(HANDLE)
@bp.arguments(ExtensionSchema)
@bp.response(200, ConnectionRequestOutSchema)
@bp.doc(security=BEARER)
def extend(data: dict[str, Any], ref: str) -> Any:
    """Extend the decision deadline, with the reason; the applicant is told."""
    steps.extend_deadline(_found(ref).id, _version(), data["days"], data["reason"], _user_id())
    return _done(ref)


@bp.route("/<ref>/conditions", methods=["POST"])
@requires(HANDLE)
@bp.arguments(ConditionsSchema)
@bp.response(200, ConnectionRequestOutSchema)
@bp.doc(security=BEARER)
def conditions(data: dict[str, Any], ref: str) -> Any:
    """Issue the conditions (in Finland the connection offer); the draft PDF is made from them."""
    steps.issue_conditions(_found(ref).id, _version(), data, actor_id=_user_id())
    return _done(ref)


@bp.route("/<ref>/preliminary-conditions", methods=["POST"])
@requires(HANDLE)
@bp.arguments(ConditionsSchema)
@bp.response(200, ConnectionRequestOutSchema)
@bp.doc(security=BEARER)
def preliminary_conditions(data: dict[str, Any], ref: str) -> Any:
    """Issue preliminary conditions (an applicant without legal title; valid 1 year)."""
    steps.issue_conditions(_found(ref).id, _version(), data, preliminary=True, actor_id=_user_id())
    return _done(ref)


@bp.route("/<ref>/delivered", methods=["POST"])
@requires(HANDLE)
@bp.arguments(DeliveredSchema)
@bp.response(200, ConnectionRequestOutSchema)
@bp.doc(security=BEARER)
def delivered(data: dict[str, Any], ref: str) -> Any:
    """Record the date the conditions were delivered (the expiry may count from it)."""
    steps.mark_delivered(_found(ref).id, _version(), data["delivered_on"], _user_id())
    return _done(ref)


@bp.route("/<ref>/refuse", methods=["POST"])
@requires(HANDLE)
@bp.arguments(RefusalSchema)
@bp.response(200, ConnectionRequestOutSchema)
@bp.doc(security=BEARER)
def refuse(data: dict[str, Any], ref: str) -> Any:
    """Refuse, with the category and reasons (PL: letters to the applicant and URE follow)."""
    steps.refuse(_found(ref).id, _version(), data, _user_id())
    return _done(ref)


@bp.route("/<ref>/letters", methods=["POST"])
@requires(HANDLE)
@bp.arguments(LetterSentSchema)
@bp.response(200, ConnectionRequestOutSchema)
@bp.doc(security=BEARER)
def letter_sent(data: dict[str, Any], ref: str) -> Any:
    """Record the date a letter was sent (refusal to the applicant, notice to URE)."""
    steps.record_letter_sent(_found(ref).id, data["kind"], data["sent_on"], _user_id())
    return _done(ref)


def _plain(target: Status, doc: str) -> Any:
    def view(ref: str) -> Any:
        steps.advance(_found(ref).id, _version(), target, actor_id=_user_id())
        return _done(ref)

    view.__doc__ = doc
    view.__name__ = f"step_{target.value}"
    return view


for _target, _path, _doc in (
    (Status.AGREEMENT_OFFERED, "agreement-offered", "Offer the connection agreement (PL)."),
    (Status.WORKS, "works", "Connection works started."),
    (Status.SUPPLY_STARTED, "supply-started", "Supply started (the protocol signed by both)."),
    (Status.CONNECTED, "connected", "Connected."),
):
    bp.route(f"/<ref>/{_path}", methods=["POST"])(
        requires(HANDLE)(
            bp.response(200, ConnectionRequestOutSchema)(
                bp.doc(security=BEARER)(_plain(_target, _doc))
            )
        )
    )


@bp.route("/<ref>/agreement-signed", methods=["POST"])
@requires(HANDLE)
@bp.arguments(AgreementSchema)
@bp.response(200, ConnectionRequestOutSchema)
@bp.doc(security=BEARER)
def agreement_signed(data: dict[str, Any], ref: str) -> Any:
    """The agreement (FI: the heat contract) signed; in Finland the fee, date and instalments."""
    steps.advance(
        _found(ref).id, _version(), Status.AGREEMENT_SIGNED, actor_id=_user_id(), agreement=data
    )
    return _done(ref)


@bp.route("/<ref>/withdraw", methods=["POST"])
@requires(HANDLE)
@bp.arguments(ReasonSchema)
@bp.response(200, ConnectionRequestOutSchema)
@bp.doc(security=BEARER)
def withdraw(data: dict[str, Any], ref: str) -> Any:
    """The applicant withdrew the request (with what they said)."""
    steps.advance(
        _found(ref).id, _version(), Status.WITHDRAWN, actor_id=_user_id(), text=data["text"]
    )
    return _done(ref)


@bp.route("/<ref>/cancel", methods=["POST"])
@requires(HANDLE)
@bp.arguments(ReasonSchema)
@bp.response(200, ConnectionRequestOutSchema)
@bp.doc(security=BEARER)
def cancel(data: dict[str, Any], ref: str) -> Any:
    """Cancel the request (with the reason)."""
    steps.advance(
        _found(ref).id, _version(), Status.CANCELLED, actor_id=_user_id(), text=data["text"]
    )
    return _done(ref)


def register(app: Flask) -> None:
    api_of(app).register_blueprint(bp)
