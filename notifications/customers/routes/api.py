"""JSON API /api/v1/customers: list and search the register, bulk upsert (Bearer token).

The upsert takes the CSV's columns as JSON rows; a refused row refuses the request (422 with
the reason under rows.<index>), so an integration never leaves the register half-updated.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from notifications.customers import queries, services
from notifications.customers.schemas import (
    BulkUpsertSchema,
    CustomerQuerySchema,
    DeliveryPointSchema,
    UpsertResultSchema,
)
from service.api import ApiBlueprint, api_of
from service.auth import Permission, requires

bp = ApiBlueprint("api_customers", __name__, url_prefix="/api/v1", description="Contract customers")
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]


@bp.route("/customers", methods=["GET"])
@requires(Permission.MANAGE_SUBSCRIBERS)
@bp.arguments(CustomerQuerySchema, location="query")
@bp.response(200, DeliveryPointSchema(many=True))
@bp.doc(security=BEARER)
def list_(query: dict[str, Any]) -> Any:
    """Delivery points and their contacts, by customer number, name, street, e-mail, postcode."""
    return queries.search_points(**query)


@bp.route("/customers", methods=["POST"])
@requires(Permission.MANAGE_SUBSCRIBERS)
@bp.arguments(BulkUpsertSchema)
@bp.response(200, UpsertResultSchema)
@bp.doc(security=BEARER)
def upsert(data: dict[str, Any]) -> Any:
    """Add or update delivery points from rows with the import file's columns; with
    "prune": true, remove the points (and contacts) the rows do not name."""
    return services.upsert_rows(data["rows"], prune=data["prune"])


def register(app: Flask) -> None:
    api_of(app).register_blueprint(bp)
