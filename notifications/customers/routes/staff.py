"""Back office: search the customer register, edit a delivery point and its contacts, print a
staircase notice for any building."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "staff_customers", __name__, url_prefix="/staff/customers", template_folder="../templates"
)
