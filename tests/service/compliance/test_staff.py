"""The staff page: a compliance officer starts a bundle, the worker makes it, the page shows its
progress and offers the download; declarations with attachments reach the report as "declared
by the utility"; the schedule makes one bundle per firing."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import sqlalchemy as sa

from service.audit import AuditEntry
from service.compliance import runs
from service.compliance.models import BundleRun
from service.extensions import db

PDF = b"%PDF-1.4\n% a tiny test document\n"


def test_an_officer_starts_a_bundle_and_downloads_it(client, login, known, signing_key):
    login("compliance_officer")
    page = client.get("/staff/compliance/")
    assert page.status_code == 200
    started = client.post(
        "/staff/compliance/bundles",
        data={"mark": "reilu", "period": "2025-Q1", "language": "fi", "with_personal_data": ""},
    )
    assert started.status_code == 302
    run = db.session.scalars(sa.select(BundleRun)).one()
    assert run.status == "queued"
    assert runs.run_queued() == 1  # what the worker's job does
    detail = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "Valmis" in detail or "Ready" in detail
    download = client.get(f"/staff/compliance/bundles/{run.id}/download")
    assert download.status_code == 200
    data = download.get_data()
    download.close()  # the stored file is streamed; closing the response closes it
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["mark"] == "reilu" and manifest["language"] == "fi"
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "compliance.export_requested" in actions
    # Published (no personal data): the public page links its report.
    public = client.get("/fi/compliance").get_data(as_text=True)
    assert f"/fi/compliance/reports/{run.id}.pdf" in public
    assert client.get(f"/fi/compliance/reports/{run.id}.pdf").data.startswith(b"%PDF")


def test_a_bad_period_is_refused_on_the_page(client, login, signing_key):
    login("compliance_officer")
    response = client.post(
        "/staff/compliance/bundles", data={"mark": "all", "period": "2999", "language": "en"}
    )
    assert response.status_code == 422
    assert "in the future" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(BundleRun.id))) == 0


def test_other_roles_cannot_export(client, login):
    login("customer_service")
    assert client.get("/staff/compliance/").status_code == 403


def test_a_declaration_with_an_attachment_reaches_the_report(
    client, login, known, signing_key, export
):
    login("compliance_officer")
    response = client.post(
        "/staff/compliance/declarations",
        data={
            "period": "2025",
            "item": "a1_office_hours",
            "text": "Asiakaspalvelu ma–pe 8–16",
            "attachment": (io.BytesIO(PDF), "aukioloajat.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalar(
        sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "compliance.declared")
    )
    result, _ = export(mark="cieplo-systemowe", period="2025-Q1")
    with zipfile.ZipFile(result.stdout.strip().splitlines()[-1]) as archive:
        evidence = json.loads(archive.read("evidence.json"))
        html = archive.read("report.html").decode()
    a1 = next(s for s in evidence["marks"][0]["standards"] if s["code"] == "A1")
    assert a1["verdict"] == "declared"
    (declared,) = a1["declared"]
    assert declared["text"] == "Asiakaspalvelu ma–pe 8–16"
    assert declared["attachment"] == "aukioloajat.pdf" and len(declared["attachment_sha256"]) == 64
    assert "declared by the utility" in html


def test_an_empty_declaration_is_refused(client, login):
    login("compliance_officer")
    response = client.post(
        "/staff/compliance/declarations",
        data={"period": "2025", "item": "b1_website", "text": "  "},
    )
    assert response.status_code == 422


def test_the_schedule_makes_one_bundle_per_firing(app, known, signing_key):
    # The default schedule fires at 03:00 on 1 April: the first quarter's bundle.
    now = dt.datetime(2025, 4, 2, 12, 0, tzinfo=dt.UTC)
    made = runs.run_scheduled(now)
    assert made is not None and made.status == "done"
    assert made.period == "2025-01-01..2025-03-31" and made.mark == "reilu"
    assert runs.run_scheduled(now) is None  # the same firing: nothing new
    assert db.session.scalar(sa.select(sa.func.count(BundleRun.id))) == 1
