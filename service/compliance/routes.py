"""The compliance pages: the public key and published reports (public), and the staff page to
start bundles, watch them and download them, and to declare manual evidence."""

from __future__ import annotations

import zipfile

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from service.auth import Permission, requires
from service.compliance import declarations, runs
from service.compliance.bundle import ExportRefused
from service.compliance.keys import published_key
from service.compliance.marks import MARK_CHOICES, MARKS, declared_items
from service.compliance.models import BundleRun
from service.errors import ValidationFailed, flatten_errors
from service.evidence import Period, PeriodError
from service.extensions import db
from service.files import file_storage
from service.i18n import language_prefixed
from service.settings import current_settings

public_bp = language_prefixed(
    Blueprint("compliance_public", __name__, url_prefix="/<lang>", template_folder="templates")
)
staff_bp = Blueprint(
    "staff_compliance", __name__, url_prefix="/staff/compliance", template_folder="templates"
)
REPORT_FILES = {"pdf": ("report.pdf", "application/pdf"), "html": ("report.html", "text/html")}


def _published() -> list[BundleRun]:
    """Done bundles without personal data: their reports are public."""
    return [r for r in runs.list_runs(20) if r.status == "done" and not r.with_personal_data]


@public_bp.get("/compliance")
def public_page() -> str:
    return render_template(
        "compliance/public.html", public_key=published_key(), bundles=_published(), marks=MARKS
    )


@public_bp.get("/compliance/reports/<int:bundle_id>.<kind>")
def public_report(bundle_id: int, kind: str) -> Response:
    run = db.session.get(BundleRun, bundle_id)
    if run is None or run not in _published() or kind not in REPORT_FILES:
        abort(404)
    return _member(run, *REPORT_FILES[kind])


def _member(run: BundleRun, name: str, mimetype: str) -> Response:
    assert run.file_key
    with file_storage().open(run.file_key) as stored, zipfile.ZipFile(stored) as archive:
        data = archive.read(name)
    response = Response(data, mimetype=mimetype)
    if mimetype == "text/html":
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'"
        )
    return response


@staff_bp.get("/")
@requires(Permission.EXPORT_EVIDENCE)
def index() -> str:
    settings = current_settings()
    return render_template(
        "compliance/staff.html",
        runs=runs.list_runs(),
        marks=MARK_CHOICES,
        languages=settings.languages,
        default_language=settings.default_language,
        errors={},
        form={},
    )


@staff_bp.post("/bundles")
@requires(Permission.EXPORT_EVIDENCE)
def start() -> Response | tuple[str, int]:
    form = request.form
    try:
        run = runs.request_bundle(
            form.get("mark", ""),
            form.get("period", ""),
            form.get("language", ""),
            with_personal_data=form.get("with_personal_data") == "1",
        )
    except ExportRefused as error:
        settings = current_settings()
        return (
            render_template(
                "compliance/staff.html",
                runs=runs.list_runs(),
                marks=MARK_CHOICES,
                languages=settings.languages,
                default_language=settings.default_language,
                errors={"period": [str(error)]},
                form=form,
            ),
            422,
        )
    flash(_("The bundle is being made. This page shows its progress."), "success")
    return redirect(url_for(".detail", bundle_id=run.id))


@staff_bp.get("/bundles/<int:bundle_id>")
@requires(Permission.EXPORT_EVIDENCE)
def detail(bundle_id: int) -> str:
    run = db.session.get(BundleRun, bundle_id) or abort(404)
    return render_template("compliance/bundle.html", run=run)


@staff_bp.get("/bundles/<int:bundle_id>/download")
@requires(Permission.EXPORT_EVIDENCE)
def download(bundle_id: int) -> Response:
    run = db.session.get(BundleRun, bundle_id)
    if run is None or run.status != "done" or not run.file_key:
        abort(404)
    stored = file_storage().open(run.file_key)
    response = Response(stored, mimetype="application/zip", direct_passthrough=True)
    response.headers["Content-Disposition"] = f'attachment; filename="{run.file_name}"'
    response.call_on_close(stored.close)
    return response


@staff_bp.get("/declarations")
@requires(Permission.EXPORT_EVIDENCE)
def declarations_page() -> str | tuple[str, int]:
    text = request.args.get("period") or str(Period.year(_this_year()))
    try:
        period = Period.parse(text)
    except PeriodError:
        period, errors = (
            Period.year(_this_year()),
            {"period": [_("Give a period like 2026 or 2026-Q3.")]},
        )
        return _declarations_page(period, errors, {}), 422
    return _declarations_page(period, {}, {})


def _this_year() -> int:
    from service.db import utcnow
    from service.i18n import to_local

    return to_local(utcnow()).year


def _declarations_page(period: Period, errors: dict, form: object) -> str:
    current = {d.item: d for d in declarations.list_declarations(period)}
    return render_template(
        "compliance/declarations.html",
        period=period,
        items=declared_items("all"),
        current=current,
        errors=errors,
        form=form,
    )


@staff_bp.post("/declarations")
@requires(Permission.EXPORT_EVIDENCE)
def declare() -> Response | tuple[str, int]:
    form = request.form
    try:
        period = Period.parse(form.get("period", ""))
    except PeriodError:
        return _declarations_page(
            Period.year(_this_year()), {"period": [_("Give a period like 2026 or 2026-Q3.")]}, form
        ), 422
    upload = request.files.get("attachment")
    has_file = upload is not None and bool(upload.filename)
    try:
        declarations.declare(
            period,
            form.get("item", ""),
            form.get("text", ""),
            attachment=upload.stream if has_file and upload else None,
            attachment_name=upload.filename if has_file and upload else None,
        )
    except ValidationFailed as error:
        return _declarations_page(period, flatten_errors(error.errors), form), 422
    flash(_("The declaration is saved."), "success")
    return redirect(url_for(".declarations_page", period=str(period)))


def register(app: Flask) -> None:
    app.register_blueprint(public_bp)
    app.register_blueprint(staff_bp)
