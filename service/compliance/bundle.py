"""Writing one evidence bundle: a ZIP of evidence.json, the registers (CSV and data.xlsx),
datapackage.json, report.html and report.pdf, and the signed manifest.json.

The files are made in a temporary folder inside the output folder, zipped to a temporary name
there, and renamed into place at the very end: a failure at any step leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from service import audit
from service.compliance import keys
from service.compliance.background import started
from service.compliance.canonical import canonical_json, pretty_json, zip_info
from service.compliance.charts import watchers_for
from service.compliance.checkpoints import checkpoint_document, database_id, make_checkpoint
from service.compliance.collector import app_objects_set_aside
from service.compliance.declarations import declarations_for
from service.compliance.marks import MARK_CHOICES, marks_for
from service.compliance.report import render_report
from service.compliance.report_pdf import ReportPdf
from service.compliance.sheet_rows import QuickWorkbook
from service.compliance.tables import WrittenTable, resource, write_register
from service.compliance.verdicts import Provided, evidence_document
from service.db import utcnow
from service.domains import load_domains
from service.evidence import Period, PeriodError, Register
from service.extensions import db
from service.settings import current_settings

Progress = Callable[[str, int], None]
MANIFEST_VERSION = "1.0"


class ExportRefused(Exception):
    """The request cannot be exported: the message says why, in plain words."""


@dataclass(frozen=True)
class ExportRequest:
    mark: str
    period: Period
    language: str
    with_personal_data: bool = False


def check_request(mark: str, period_text: str, language: str) -> ExportRequest:
    """The request, or ExportRefused naming what is wrong with it."""
    settings = current_settings()
    if mark not in MARK_CHOICES:
        raise ExportRefused(f"unknown mark {mark!r}: give one of {', '.join(MARK_CHOICES)}")
    if not (period_text or "").strip():
        raise ExportRefused(
            "no period given: give 2026, 2026-Q3, 2026-10 or 2026-01-01..2026-06-30"
        )
    try:
        period = Period.parse(period_text)
    except PeriodError as error:
        raise ExportRefused(f"period {error}") from None
    from service.i18n import to_local

    today = to_local(utcnow()).date()
    if period.first > today:
        raise ExportRefused(f"period {period} is in the future (today is {today.isoformat()})")
    if language not in settings.languages:
        raise ExportRefused(
            f"language {language!r} is not offered: give one of {', '.join(settings.languages)}"
        )
    return ExportRequest(mark, period, language)


def bundle_name(request: ExportRequest, at: dt.datetime) -> str:
    return (
        f"fairheat-evidence-{request.mark}-{request.period.first.isoformat()}_"
        f"{request.period.last.isoformat()}-{request.language}-{at.strftime('%Y%m%dT%H%M%SZ')}.zip"
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _database_time() -> str:
    value: Any = db.session.scalar(sa.select(sa.func.current_timestamp()))
    if isinstance(value, str):  # SQLite: "YYYY-MM-DD HH:MM:SS", UTC
        value = dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def generator_version() -> str:
    try:
        return importlib.metadata.version("fairheat")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def write_bundle(request: ExportRequest, out_dir: Path, progress: Progress | None = None) -> Path:
    """Write the bundle into `out_dir`; return its path."""
    report = progress or (lambda step, percent: None)
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise ExportRefused(f"output folder {out_dir} does not exist")
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise ExportRefused(f"output folder {out_dir} is not writable")
    signing_key = keys.load_key_or_refuse(ExportRefused)
    try:
        work = Path(tempfile.mkdtemp(prefix=".fairheat-export-", dir=out_dir))
    except OSError as error:
        raise ExportRefused(f"output folder {out_dir} is not writable ({error.strerror})") from None
    part: Path | None = None
    try:
        with force_locale(request.language), app_objects_set_aside():
            files = _write_files(request, work, signing_key, report)
        at = utcnow()
        final = out_dir / bundle_name(request, at)
        part = out_dir / f".{final.name}.part"
        with force_locale(request.language):
            report(_("Packing the bundle"), 98)
        with zipfile.ZipFile(part, "w") as archive:
            for name in sorted(files):
                with (
                    (work / name).open("rb") as source,
                    archive.open(zip_info(name), "w") as target,
                ):
                    shutil.copyfileobj(source, target, 1 << 16)
        os.replace(part, final)
        part = None
        with force_locale(request.language):
            report(_("Done"), 100)
        return final
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if part is not None:
            part.unlink(missing_ok=True)


def _write_files(
    request: ExportRequest, work: Path, signing_key: Any, report: Progress
) -> list[str]:
    with ReportPdf(work / "report.html", work / "report.pdf") as pdf:
        return _write_with_pdf(request, work, signing_key, report, pdf)


def _evidence(request: ExportRequest, domains: list[Any]) -> dict[str, Any]:
    """evidence.json's document: every part's figures and the declarations, under the marks."""
    provided: dict[str, Provided] = {}
    for domain in domains:
        try:
            figures = domain.evidence.figures(request.period)
        except Exception as error:  # a bundle without one part's evidence would mislead
            raise _refused(domain, error) from error
        for figure in figures:
            provided.setdefault(figure.id, Provided(figure, domain.name))
    declarations = declarations_for(request.period)
    marks = marks_for(request.mark)
    return evidence_document(marks, provided, declarations, request.period, request.language)


def _refused(domain: Any, error: Exception) -> ExportRefused:
    return ExportRefused(
        f"the evidence of {domain.name} could not be read: {type(error).__name__}: {error}"
    )


def _write_with_pdf(
    request: ExportRequest, work: Path, signing_key: Any, report: Progress, pdf: ReportPdf
) -> list[str]:
    """The export's writes come first (the audit record of personal data, the checkpoint);
    then the figures are read in a thread (background.py) while this thread writes the
    registers, those feeding a chart first; the report is made as soon as the figures and
    charts are in, and its PDF rendered while the rest is written."""
    settings = current_settings()
    period = request.period
    domains = [d for d in load_domains() if d.evidence is not None]
    registers: list[Register] = []
    for domain in domains:
        try:
            registers.extend(domain.evidence.registers(period))  # type: ignore[union-attr]
        except Exception as error:
            raise _refused(domain, error) from error

    if request.with_personal_data:
        audit.record(
            "compliance.personal_data_exported",
            "compliance_bundle",
            None,
            after={"mark": request.mark, "period": str(period), "language": request.language},
        )
        db.session.commit()
    report(_("Anchoring the audit log"), 2)
    checkpoint = make_checkpoint(force=True)
    head = audit.head()
    identity = database_id()
    db.session.commit()  # nothing held open while the reading threads run
    report(_("Collecting the figures"), 4)
    evidence_read = started(
        lambda: _evidence(request, domains), request.language, name="export figures"
    )

    (work / "registers").mkdir()
    labels = _chart_labels()
    workbook = QuickWorkbook(
        str(work / "data.xlsx"),
        {
            "constant_memory": True,
            "tmpdir": str(work),
            "strings_to_formulas": False,  # "=…" in a register is text, never a formula
            "strings_to_urls": False,
        },
    )
    workbook.set_properties(
        {"title": _("Report on meeting the standards"), "created": dt.datetime(2000, 1, 1)}  # noqa: DTZ001 (Excel has no zones)
    )
    formats = {
        "header": workbook.add_format({"bold": True}),
        "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
    }
    # The sheets are in name order; the registers that feed a chart are written first, so the
    # report can be made and its PDF rendered (in its own process) while the others are written.
    registers.sort(key=lambda r: r.name)
    sheets = {r.name: workbook.add_worksheet(r.name[:31]) for r in registers}
    watchers = {r.name: watchers_for(r, period, settings.timezone, labels) for r in registers}
    charted = [r for r in registers if watchers[r.name]]
    uncharted = [r for r in registers if not watchers[r.name]]
    tables: list[WrittenTable] = []
    charts: dict[str, list[str]] = {}

    def write(register: Register) -> None:
        report(
            _("Writing register %(name)s", name=register.name),
            5 + 70 * len(tables) // max(len(registers), 1),
        )
        tables.append(
            write_register(
                register,
                work / "registers",
                sheets[register.name],
                with_personal_data=request.with_personal_data,
                watchers=watchers[register.name],
                formats=formats,
            )
        )
        for watcher in watchers[register.name]:
            if not watcher.chart.empty:
                for code in _CHART_STANDARDS[register.name]:
                    charts.setdefault(code, []).append(watcher.chart.svg())

    for register in charted:
        write(register)

    evidence = evidence_read.result()
    (work / "evidence.json").write_bytes(pretty_json(evidence))
    public_key = keys.public_key_text(signing_key.public_key())
    report(_("Writing the report"), 5 + 70 * len(tables) // max(len(registers), 1))
    html = render_report(
        evidence=evidence,
        charts=charts,
        public_key=public_key,
        audit_position=head.seq,
        audit_hash=head.hash,
        database_id=identity,
    )
    (work / "report.html").write_text(html, encoding="utf-8")
    pdf.render()

    for register in uncharted:
        write(register)

    figures_sheet = workbook.add_worksheet("figures")
    figures_sheet.write_row(
        0, 0, ["id", "label", "value", "unit", "rule", "source", "verdict"], formats["header"]
    )
    for row, entry in enumerate(evidence["figures"], start=1):
        figures_sheet.write_row(
            row,
            0,
            [
                entry["id"],
                entry["label"],
                entry["value"],
                entry["unit"],
                entry["rule"],
                entry["source"],
                entry["verdict"],
            ],
        )
    report(_("Writing the spreadsheet"), 78)
    workbook.close()

    package = {
        "profile": "tabular-data-package",
        "name": f"fairheat-evidence-{period.first.isoformat()}-{period.last.isoformat()}",
        "title": _("Report on meeting the standards"),
        "resources": [resource(t) for t in sorted(tables, key=lambda t: t.name)],
    }
    (work / "datapackage.json").write_bytes(pretty_json(package))

    report(_("Writing the PDF"), 88)
    pdf.wait()

    names = sorted(str(path.relative_to(work)) for path in work.rglob("*") if path.is_file())
    manifest: dict[str, Any] = {
        "manifest_version": MANIFEST_VERSION,
        "generator": {"name": "fairheat", "version": generator_version()},
        "utility": settings.utility_name,
        "mark": request.mark,
        "period": {"first": period.first.isoformat(), "last": period.last.isoformat()},
        "language": request.language,
        "with_personal_data": request.with_personal_data,
        "database": {"id": identity, "time": _database_time()},
        "audit": {
            "position": head.seq,
            "hash": head.hash,
            "checkpoint": checkpoint_document(checkpoint) if checkpoint else None,
        },
        "files": {
            name: {"sha256": _sha256(work / name), "bytes": (work / name).stat().st_size}
            for name in names
        },
    }
    signature, _key = keys.sign(canonical_json(manifest), signing_key)
    manifest["signature"] = {"algorithm": "Ed25519", "public_key": public_key, "value": signature}
    (work / "manifest.json").write_bytes(pretty_json(manifest))
    return [*names, "manifest.json"]


_CHART_STANDARDS = {
    "interruptions": ("A3", "R3"),
    "cases": ("A4", "R2"),
    "emergency_calls": ("A2", "R4"),
}


def _chart_labels() -> dict[str, str]:
    return {
        "interruptions_per_month": _("Interruptions per month"),
        "planned": _("Planned"),
        "unplanned": _("Unplanned"),
        "answers_against_deadlines": _("Answers against their deadlines, by month received"),
        "in_time": _("In time"),
        "late": _("Late"),
        "open": _("Not answered"),
        "calls_per_hour": _("Emergency calls by hour of the day"),
        "answered": _("Answered"),
        "not_answered": _("Not answered"),
    }
