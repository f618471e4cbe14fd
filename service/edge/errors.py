"""Errors that input can cause deep down, answered as what they are rather than as a 500.

- StaleDataError (someone changed the row since it was read; also when it surfaces in an
  autoflush rather than in commit_or_conflict): 409 "changed meanwhile" (review D5).
- A database refusing a value (sqlalchemy DataError: a number out of range, a NUL that got past
  the edge) or a Python int too large for SQLite (OverflowError): 400 (review D4).
- RecursionError while reading a request (nested JSON that got past the edge's check): 400
  (review D13).

Each rolls the session back first, so nothing is half-saved.
"""

from __future__ import annotations

import logging

from flask import Flask, Response
from flask_babel import gettext as _
from sqlalchemy.exc import DataError
from sqlalchemy.orm.exc import StaleDataError

from service.errors import error_response
from service.extensions import db

log = logging.getLogger(__name__)


def _rolled_back() -> None:
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the answer matters more than a failed rollback
        log.exception("rollback after a refused request failed")


def changed_meanwhile(error: StaleDataError) -> Response:
    _rolled_back()
    return error_response(409, _("Someone else changed this meanwhile. Reload it and try again."))


def value_refused(error: Exception) -> Response:
    _rolled_back()
    log.info("input refused by the database: %s", type(error).__name__)
    return error_response(400, _("A value in the request is out of range or not allowed."))


def register_input_errors(app: Flask) -> None:
    app.register_error_handler(StaleDataError, changed_meanwhile)
    app.register_error_handler(DataError, value_refused)
    app.register_error_handler(OverflowError, value_refused)
    app.register_error_handler(RecursionError, value_refused)
