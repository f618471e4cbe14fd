"""/healthz (the process answers) and /readyz (database reachable, migrations current)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from service.extensions import db
from service.migrations_state import migrations_current

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    try:
        current, detail = migrations_current(db.engine)
    except Exception as error:  # noqa: BLE001 - any database failure means "not ready"
        return jsonify(status="unavailable", database=type(error).__name__), 503
    if not current:
        return jsonify(status="unavailable", migrations=detail), 503
    return jsonify(status="ok", migrations=detail), 200
