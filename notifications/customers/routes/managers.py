"""Building managers' pages (no password): a sign-in link by e-mail, their buildings."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "customer_managers", __name__, url_prefix="/<lang>/customers", template_folder="../templates"
)
