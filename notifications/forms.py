"""The staff outage form ↔ the API's input shape, so one schema validates both.

The form shows local wall-clock times (<input type=datetime-local>) and one row per address
range; this module turns a submitted form into the same dictionary the API receives, and an
outage back into form values.
"""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from notifications.models import Outage
from service.errors import ValidationFailed
from service.i18n import format_iso_local, local_time_iso

TIME_FIELDS = ("starts_at", "expected_end_at", "ended_at")
AREA_FIELDS = ("postcode", "street", "from_number", "to_number", "parity")
MIN_AREA_ROWS = 1  # one row to start with; "Add a row" adds more
MAX_AREA_ROWS = 200


def _area_rows(form: MultiDict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for i in range(MAX_AREA_ROWS):
        values = {f: (form.get(f"areas-{i}-{f}") or "").strip() for f in AREA_FIELDS}
        if not any(v for k, v in values.items() if k != "parity"):
            continue
        row: dict[str, Any] = {"postcode": values["postcode"], "parity": values["parity"] or "all"}
        row["street"] = values["street"] or None
        for name in ("from_number", "to_number"):
            row[name] = values[name] or None
        rows.append(row)
    return rows


def form_to_payload(form: MultiDict[str, str], languages: tuple[str, ...]) -> dict[str, Any]:
    """The API-shaped input from a submitted staff form; raises for what the form alone can tell."""
    errors: dict[str, list[str]] = {}
    payload: dict[str, Any] = {}
    for name in ("kind", "impact", "cause", "status"):
        if form.get(name):
            payload[name] = form[name]
    for name in TIME_FIELDS:
        raw = (form.get(name) or "").strip()
        if not raw:
            if name == "starts_at" or name in form:
                payload[name] = None
            continue
        try:
            payload[name] = local_time_iso(raw)
        except ValueError as error:
            errors[name] = [str(error)]
    if "starts_at" in payload and payload["starts_at"] is None:
        del payload["starts_at"]  # required: the schema names it
    payload["areas"] = _area_rows(form)
    buildings = (form.get("affected_buildings") or "").strip()
    payload["affected_buildings"] = buildings or None
    polygon = (form.get("polygon") or "").strip()
    if polygon:
        try:
            payload["polygon"] = json.loads(polygon)
        except ValueError:
            errors["polygon"] = [_("This is not valid GeoJSON.")]
    else:
        payload["polygon"] = None
    payload["texts"] = {lang: form.get(f"text-{lang}", "") for lang in languages}
    reason = (form.get("late_notice_reason") or "").strip()
    if reason:
        payload["late_notice_reason"] = reason
    payload["publish"] = form.get("publish") == "1"
    if errors:
        raise ValidationFailed(errors)
    return payload


def outage_to_form(outage: Outage | None) -> dict[str, Any]:
    if outage is None:
        return {"areas": [{} for _ in range(MIN_AREA_ROWS)], "texts": {}}
    values: dict[str, Any] = {
        "kind": outage.kind.value,
        "impact": outage.impact.value,
        "cause": outage.cause.value,
        "status": outage.status.value,
        "affected_buildings": outage.affected_buildings or "",
        "polygon": json.dumps(outage.polygon) if outage.polygon else "",
        "texts": dict(outage.texts or {}),
        "late_notice_reason": outage.late_notice_reason or "",
        "version": outage.version,
    }
    for name in TIME_FIELDS:
        moment = getattr(outage, name)
        values[name] = format_iso_local(moment)[:16] if moment else ""
    values["areas"] = [
        {
            "postcode": a.postcode,
            "street": a.street or "",
            "from_number": "" if a.from_number is None else a.from_number,
            "to_number": "" if a.to_number is None else a.to_number,
            "parity": a.parity.value,
        }
        for a in outage.areas
    ] + [{}]
    return values


def submitted_form(form: MultiDict[str, str], languages: tuple[str, ...]) -> dict[str, Any]:
    """The values as typed, to re-render the form with its errors."""
    values: dict[str, Any] = {
        k: form.get(k, "") for k in form if not k.startswith(("areas-", "text-"))
    }
    values["texts"] = {lang: form.get(f"text-{lang}", "") for lang in languages}
    # Non-empty rows in the order the payload has them, so "areas.2.postcode" errors line up.
    rows = []
    for i in range(MAX_AREA_ROWS):
        row = {f: form.get(f"areas-{i}-{f}", "") for f in AREA_FIELDS}
        if any(v for k, v in row.items() if k != "parity"):
            rows.append(row)
    rows += [{} for _ in range(max(MIN_AREA_ROWS - len(rows), 1 if form.get("add_row") else 0))]
    values["areas"] = rows
    return values
