"""report.html from its Jinja template (compliance/report.html), in the bundle's language;
WeasyPrint turns the same HTML into report.pdf in a process of its own (report_pdf.py)."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _

from service.evidence import Period
from service.i18n import format_date
from service.settings import current_settings


def verdict_labels() -> dict[str, str]:
    return {
        "met": _("Met"),
        "not_met": _("Not met"),
        "no_data": _("No data"),
        "reported": _("Reported"),
        "declared": _("Declared by the utility"),
    }


def show_value(figure: dict[str, Any]) -> str:
    value, unit = figure["value"], figure["unit"]
    if value is None:
        return "–"
    if unit == "share":
        # Supply reliability lives in the last decimals (99.98 %); other shares need one.
        return format_percent(value, format="#,##0.000 %" if 0.99 < value < 1 else "#,##0.0 %")
    if unit == "hours":
        return _("%(hours)s h", hours=format_decimal(value, format="#,##0.##"))
    if unit == "score":
        return format_decimal(value, format="#,##0.00")
    return format_decimal(value, format="#,##0")


def render_report(
    *,
    evidence: dict[str, Any],
    charts: dict[str, list[str]],
    public_key: str,
    audit_position: int,
    audit_hash: str,
    database_id: str,
) -> str:
    period = Period.parse(f"{evidence['period']['first']}..{evidence['period']['last']}")
    return render_template(
        "compliance/report.html",
        language=evidence["language"],
        utility=current_settings().utility_name,
        period_text=f"{format_date(period.first)} – {format_date(period.last)}",
        marks=evidence["marks"],
        verdicts=verdict_labels(),
        show=show_value,
        charts=charts,
        public_key=public_key,
        audit_position=audit_position,
        audit_hash=audit_hash,
        database_id=database_id,
    )
