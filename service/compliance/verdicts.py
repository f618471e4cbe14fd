"""What the bundle says about each figure and standard: the evidence document (evidence.json).

A figure's verdict: "met" or "not_met" against its target, "reported" when the rule asks for
no number (a median answer time is reported, not judged), "no_data" when nothing was measured
or no domain provides the figure at all. A standard is "not_met" when any figure is, "no_data"
when a figure has no data or an item is not declared, "declared" when it rests only on the
utility's declarations, else "met".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from service.compliance.marks import Mark, Standard
from service.evidence import Figure, Period

SCHEMA_VERSION = "1.0"


@dataclass(frozen=True)
class Provided:
    figure: Figure
    domain: str


@dataclass(frozen=True)
class DeclarationView:
    id: str
    label: str
    text: str | None
    attachment_name: str | None
    attachment_sha256: str | None
    declared_at: dt.datetime | None


def figure_verdict(figure: Figure | None) -> str:
    if figure is None or figure.value is None:
        return "no_data"
    if figure.target is None:
        return "reported"
    if figure.target == 0:
        return "met" if figure.value <= 0 else "not_met"
    return "met" if figure.value >= figure.target else "not_met"


def _value(value: float | int | None) -> float | int | None:
    if isinstance(value, float):
        return round(value, 6)
    return value


def figure_entry(figure_id: str, provided: Provided | None, period: Period) -> dict[str, Any]:
    figure = provided.figure if provided else None
    return {
        "id": figure_id,
        "label": str(figure.label) if figure else figure_id,
        "value": _value(figure.value) if figure else None,
        "unit": figure.unit.value if figure else None,
        "target": figure.target if figure else None,
        "period": str(period),
        "rule": str(figure.rule) if figure and figure.rule else None,
        "source": figure.source if figure else None,
        "domain": provided.domain if provided else None,
        "verdict": figure_verdict(figure),
    }


def standard_verdict(figures: Sequence[Mapping[str, Any]], declared: Sequence[Mapping]) -> str:
    verdicts = [f["verdict"] for f in figures]
    if "not_met" in verdicts:
        return "not_met"
    if "no_data" in verdicts or any(d["text"] is None for d in declared):
        return "no_data"
    if not figures:
        return "declared" if declared else "no_data"
    return "met"


def standard_entry(
    standard: Standard,
    provided: Mapping[str, Provided],
    declarations: Mapping[str, DeclarationView],
    period: Period,
) -> dict[str, Any]:
    figures = [figure_entry(fid, provided.get(fid), period) for fid in standard.figures]
    declared = []
    for item in standard.declared:
        view = declarations.get(item.id)
        declared.append(
            {
                "id": item.id,
                "label": str(item.label),
                "text": view.text if view else None,
                "attachment": view.attachment_name if view else None,
                "attachment_sha256": view.attachment_sha256 if view else None,
                "declared_by": "utility" if view else None,
            }
        )
    return {
        "code": standard.code,
        "title": str(standard.title),
        "source": standard.source,
        "verdict": standard_verdict(figures, declared),
        "figures": figures,
        "declared": declared,
    }


def evidence_document(
    marks: Sequence[Mark],
    provided: Mapping[str, Provided],
    declarations: Mapping[str, DeclarationView],
    period: Period,
    language: str,
) -> dict[str, Any]:
    """evidence.json (docs/evidence.schema.json): no clock in it, so the same data, period and
    language give the same bytes."""
    return {
        "schema_version": SCHEMA_VERSION,
        "period": {"first": period.first.isoformat(), "last": period.last.isoformat()},
        "language": language,
        "marks": [
            {
                "mark": mark.slug,
                "name": mark.name,
                "standards": [
                    standard_entry(s, provided, declarations, period) for s in mark.standards
                ],
            }
            for mark in marks
        ],
        "figures": [figure_entry(fid, provided[fid], period) for fid in sorted(provided)],
    }
