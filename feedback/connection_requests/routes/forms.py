"""Reading the application form's fields for the schema (the staff's paper form adds two)."""

from __future__ import annotations

from typing import Any

from flask import request

FIELDS = (
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
    "language",
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


def form_fields(extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """The submitted fields the schema knows (a browser sends empty ones as "": not given)."""
    return {name: request.form[name] for name in (*FIELDS, *extra) if name in request.form}
