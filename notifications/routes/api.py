"""JSON API /api/v1 (OpenAPI at /api/openapi.json): outages for staff systems, public read-only.

Staff endpoints take `Authorization: Bearer <token>`; /api/v1/public/… needs none.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request

from notifications import queries, services
from notifications.schemas import (
    ActionSchema,
    LookupQuerySchema,
    LookupResultSchema,
    OutageInputSchema,
    OutageQuerySchema,
    OutageSchema,
    PublicOutageDetailSchema,
    PublicOutageSchema,
)
from service.api import ApiBlueprint, api_of
from service.auth import Permission, requires

bp = ApiBlueprint("api_outages", __name__, url_prefix="/api/v1", description="Interruption notices")
public_bp = ApiBlueprint(
    "api_public", __name__, url_prefix="/api/v1/public", description="Public, no token"
)
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def _if_match() -> int | None:
    """An optional If-Match: "<version>" guards a PATCH against a concurrent change."""
    value = request.headers.get("If-Match", "").strip().strip('"').removeprefix("W/").strip('"')
    return int(value) if value.isdigit() else None


@bp.route("/outages", methods=["POST"])
@requires(Permission.EDIT_OUTAGES)
@bp.arguments(OutageInputSchema)
@bp.response(201, OutageSchema)
@bp.doc(security=BEARER)
def create(data: dict[str, Any]) -> Any:
    """Create an outage; "publish": true publishes it at once."""
    return queries.get_outage(services.create_outage(data).id, public=False)


@bp.route("/outages", methods=["GET"])
@requires(Permission.VIEW_BACK_OFFICE)
@bp.arguments(OutageQuerySchema, location="query")
@bp.response(200, OutageSchema(many=True, exclude=("updates",)))
@bp.doc(security=BEARER)
def list_(query: dict[str, Any]) -> Any:
    """Outages, drafts included, by state and address."""
    return queries.list_outages(public=False, **query)


@bp.route("/outages/<int:outage_id>", methods=["GET"])
@requires(Permission.VIEW_BACK_OFFICE)
@bp.response(200, OutageSchema)
@bp.doc(security=BEARER)
def get(outage_id: int) -> Any:
    """One outage with its numbered updates."""
    return queries.get_outage(outage_id, public=False)


@bp.route("/outages/<int:outage_id>", methods=["PATCH"])
@requires(Permission.EDIT_OUTAGES)
@bp.arguments(OutageInputSchema(partial=True))
@bp.response(200, OutageSchema)
@bp.doc(security=BEARER)
def patch(data: dict[str, Any], outage_id: int) -> Any:
    """Change fields; status changes follow the allowed transitions."""
    services.update_outage(outage_id, data, expected_version=_if_match())
    return queries.get_outage(outage_id, public=False)


@bp.route("/outages/<int:outage_id>/restore", methods=["POST"])
@requires(Permission.EDIT_OUTAGES)
@bp.arguments(ActionSchema, required=False)
@bp.response(200, OutageSchema)
@bp.doc(security=BEARER)
def restore(data: dict[str, Any], outage_id: int) -> Any:
    """Mark as restored (unplanned) or completed (planned); ended_at defaults to now."""
    services.restore_outage(outage_id, (data or {}).get("ended_at"))
    return queries.get_outage(outage_id, public=False)


@bp.route("/outages/<int:outage_id>/cancel", methods=["POST"])
@requires(Permission.EDIT_OUTAGES)
@bp.arguments(ActionSchema, required=False)
@bp.response(200, OutageSchema)
@bp.doc(security=BEARER)
def cancel(data: dict[str, Any], outage_id: int) -> Any:
    """Cancel a planned interruption, or withdraw an unplanned notice posted in error."""
    services.cancel_outage(outage_id, (data or {}).get("reason"))
    return queries.get_outage(outage_id, public=False)


@public_bp.route("/outages", methods=["GET"])
@public_bp.arguments(OutageQuerySchema, location="query")
@public_bp.response(200, PublicOutageSchema(many=True))
def public_list(query: dict[str, Any]) -> Any:
    """Published outages by state (active | upcoming | past) and address."""
    return queries.list_outages(public=True, limit=500, **query)


@public_bp.route("/outages/<int:outage_id>", methods=["GET"])
@public_bp.response(200, PublicOutageDetailSchema)
def public_get(outage_id: int) -> Any:
    return queries.get_outage(outage_id, public=True)


@public_bp.route("/lookup", methods=["GET"])
@public_bp.arguments(LookupQuerySchema, location="query")
@public_bp.response(200, LookupResultSchema)
def lookup(query: dict[str, Any]) -> Any:
    """Is my address affected? Current and upcoming outages at a postcode, street and number."""
    return queries.lookup_address(query["postcode"], query.get("street"), query.get("number"))


def register(app: Flask) -> None:
    api = api_of(app)
    api.register_blueprint(bp)
    api.register_blueprint(public_bp)
