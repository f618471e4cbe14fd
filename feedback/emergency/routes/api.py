"""JSON API /api/v1/emergency/calls (OpenAPI at /api/openapi.json), Bearer token.

Dispatchers log and change calls; customer service reads them; a viewer sees the list and a call
without personal data (CallSchema.PERSONAL_FIELDS). Every change goes through the audit log
(services.py).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request

from feedback.emergency import queries, services
from feedback.emergency.schemas import CallInputSchema, CallQuerySchema, CallSchema
from service.api import ApiBlueprint, api_of
from service.auth import Permission, requires

bp = ApiBlueprint(
    "api_emergency", __name__, url_prefix="/api/v1/emergency", description="Emergency line log"
)
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def _if_match() -> int | None:
    value = request.headers.get("If-Match", "").strip().strip('"').removeprefix("W/").strip('"')
    return int(value) if value.isdigit() else None


@bp.route("/calls", methods=["GET"])
@requires(Permission.VIEW_BACK_OFFICE)
@bp.arguments(CallQuerySchema, location="query")
@bp.response(200, CallSchema(many=True))
@bp.doc(security=BEARER)
def list_calls(query: dict[str, Any]) -> Any:
    """Calls received from..to (newest first), by status (open, resolved, missed,
    callback_due), postcode and outage. Without the view_emergency_calls permission the
    personal fields are left out."""
    return queries.list_calls(**query)


@bp.route("/calls", methods=["POST"])
@requires(Permission.RECORD_EMERGENCY_CALLS)
@bp.arguments(CallInputSchema)
@bp.response(201, CallSchema)
@bp.doc(security=BEARER)
def create_call(data: dict[str, Any]) -> Any:
    """Log a call taken by hand. received_at defaults to now; a call logged more than
    FAIRHEAT_EMERGENCY_BACK_ENTRY_MINUTES after it came in needs back_entry_reason."""
    return services.record_call(data)


@bp.route("/calls/<int:call_id>", methods=["GET"])
@requires(Permission.VIEW_BACK_OFFICE)
@bp.response(200, CallSchema)
@bp.doc(security=BEARER)
def get_call(call_id: int) -> Any:
    """One call with its clocks (rule and source) and its callback."""
    return services.get_call(call_id)


@bp.route("/calls/<int:call_id>", methods=["PATCH"])
@requires(Permission.RECORD_EMERGENCY_CALLS)
@bp.arguments(CallInputSchema(partial=True))
@bp.response(200, CallSchema)
@bp.doc(security=BEARER)
def patch_call(data: dict[str, Any], call_id: int) -> Any:
    """Handle a call: lifecycle times, crew, outcome, outage link. If-Match: "<version>"
    guards against a concurrent change (409)."""
    return services.update_call(call_id, data, expected_version=_if_match())


def register(app: Flask) -> None:
    api_of(app).register_blueprint(bp)
