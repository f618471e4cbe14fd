"""The public form: a request with its documents, and every bad input the issue names refused
with a localized message naming the field, nothing half-saved."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from feedback.connection_requests.models import (
    ConnectionDocument,
    ConnectionRequest,
    PendingFile,
    Status,
)
from service.extensions import db
from service.mail.models import EmailMessage
from tests.feedback.connection_requests.conftest import (
    TWO_DOCUMENTS,
    application,
    jpeg,
    pdf,
    png,
    send,
)


def stored_files(app: Any) -> list[Path]:
    root = Path(app.config["FAIRHEAT"].files_dir)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def count(model: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_application_with_two_documents_gets_reference_link_and_acknowledgement(app, client):
    response = send(client, application(client, TWO_DOCUMENTS))
    assert response.status_code == 302, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert "/pl/connection-request/PR-" in location
    request = db.session.scalars(sa.select(ConnectionRequest)).one()
    assert request.status is Status.RECEIVED
    assert request.nip == "8567346215"
    assert request.language == "pl"
    assert sorted(d.kind.value for d in request.documents) == ["site_plan", "title_proof"]
    assert {d.content_type for d in request.documents} == {"application/pdf", "image/png"}
    assert len(stored_files(app)) == 2
    assert count(PendingFile) == 0
    mail = db.session.scalars(sa.select(EmailMessage)).one()
    assert mail.to_address == "biuro@sloneczna.example.pl"
    assert "PR-" in mail.subject
    assert mail.language == "pl"
    assert "Co dalej" in mail.body and "warunki przyłączenia" in mail.body  # the next steps
    assert "/pl/connection-request/PR-" in mail.body  # the private link
    from notifications.sms.models import OutboxMessage

    sms = db.session.scalars(sa.select(OutboxMessage)).one()
    assert sms.phone == "+48601234567" and sms.language == "pl"
    assert "PR-" in sms.body
    assert not set("ąćęłńóśźż") & set(sms.body.lower())  # GSM-7: 160 characters a segment
    assert mail.reference and mail.reference.startswith("PR-")
    page = client.get(location)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "akt notarialny.pdf" in page.get_data(as_text=True)


def test_the_same_form_sent_twice_makes_one_application(app, client):
    data = application(client, TWO_DOCUMENTS)
    token = data["form_token"]
    first = send(client, data)
    again = send(client, application(client, {"title_proof": (pdf(), "a.pdf")}, form_token=token))
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert count(ConnectionRequest) == 1
    assert count(ConnectionDocument) == 2
    assert len(stored_files(app)) == 2


def refused(client: Any, data: dict[str, Any]) -> str:
    response = send(client, data)
    assert response.status_code == 422, response.status_code
    return response.get_data(as_text=True)


def test_bad_identifier_checksum_is_refused_naming_the_field(app, client):
    html = refused(client, application(client, TWO_DOCUMENTS, nip="856-734-62-16"))
    assert 'id="nip-error"' in html
    assert "NIP" in html
    assert count(ConnectionRequest) == 0
    assert stored_files(app) == []


def test_pesel_of_a_person_is_checked(app, client):
    html = refused(
        client,
        application(
            client, applicant_kind="person", nip="", regon="", signatory="", pesel="44051401358"
        ),
    )
    assert 'id="pesel-error"' in html


def test_capacity_zero_or_absurd_is_refused(app, client):
    html = refused(client, application(client, heating_kw="0", hot_water_kw="0"))
    assert 'id="heating_kw-error"' in html
    html = refused(client, application(client, heating_kw="9999999"))
    assert 'id="heating_kw-error"' in html


def test_start_date_in_the_past_is_refused(app, client):
    html = refused(client, application(client, desired_start="2020-01-01"))
    assert 'id="desired_start-error"' in html


def test_missing_plot_number_in_poland(app, client):
    html = refused(client, application(client, plot_number=""))
    assert 'id="plot_number-error"' in html


def test_file_too_large_is_refused_and_nothing_is_kept(app, client, monkeypatch):
    import dataclasses

    settings = app.config["FAIRHEAT"]
    small = dataclasses.replace(settings.connection_requests, max_file_bytes=10_000)
    monkeypatch.setitem(
        app.config, "FAIRHEAT", dataclasses.replace(settings, connection_requests=small)
    )
    files = {"title_proof": (pdf(), "ok.pdf"), "site_plan": (pdf(50_000), "big.pdf")}
    html = refused(client, application(client, files))
    assert 'id="site_plan-error"' in html
    assert count(ConnectionRequest) == 0
    assert stored_files(app) == []
    assert count(PendingFile) == 0


def test_an_executable_renamed_pdf_is_refused(app, client):
    files = {"title_proof": (b"MZ\x90\x00" + b"\x00" * 500, "akt.pdf")}
    html = refused(client, application(client, files))
    assert 'id="title_proof-error"' in html
    assert stored_files(app) == []


def test_an_image_that_decompresses_into_gigabytes_is_refused(app, client):
    for bomb in (png(60_000, 60_000), jpeg(65_000, 65_000)):
        html = refused(client, application(client, {"site_plan": (bomb, "plan.png")}))
        assert 'id="site_plan-error"' in html
    assert stored_files(app) == []
    assert count(ConnectionRequest) == 0


def test_a_file_name_with_a_path_is_kept_as_its_last_part(app, client):
    files = {
        "title_proof": (pdf(), "../../etc/cron.d/akt.pdf"),
        "site_plan": (pdf(), "C:\\Users\\x\\..\\mapa.pdf"),
    }
    assert send(client, application(client, files)).status_code == 302
    names = sorted(d.filename for d in db.session.scalars(sa.select(ConnectionDocument)))
    assert "akt.pdf" in names
    assert all("/" not in n and "\\" not in n and not n.startswith(".") for n in names)
    from feedback.connection_requests.uploads import safe_filename

    assert safe_filename("C:\\Users\\x\\..\\mapa.pdf") == "mapa.pdf"
    assert safe_filename("../\x00.htaccess") == "htaccess"
    assert safe_filename("") == "document"
    assert all(
        ".." not in str(p.relative_to(app.config["FAIRHEAT"].files_dir)) for p in stored_files(app)
    )


def test_a_failed_write_leaves_no_file_and_the_job_removes_orphans(app, client, monkeypatch):
    from feedback.connection_requests import intake, jobs

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database went away")

    monkeypatch.setattr(intake, "_write", fail)
    with contextlib.suppress(RuntimeError):
        send(client, application(client, TWO_DOCUMENTS))
    assert count(ConnectionRequest) == 0
    assert stored_files(app) == []
    # A crash between the save and the rollback leaves a journalled file: the job removes it.
    import datetime as dt
    import io

    from service.files import file_storage

    stored = file_storage().save(
        io.BytesIO(pdf()), max_bytes=10**6, allowed_types=["application/pdf"]
    )
    db.session.add(
        PendingFile(file_key=stored.key, saved_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    )
    db.session.commit()
    assert jobs.remove_orphan_files() == 1
    assert stored_files(app) == []
    assert count(PendingFile) == 0


def test_empty_form_names_the_required_fields(app, client):
    page = client.get("/pl/connection-request").get_data(as_text=True)
    from tests.support.forms import browser_form

    response = send(client, dict(browser_form(page, "/pl/connection-request")))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for field in ("applicant_kind", "applicant_name", "street", "postcode", "desired_start"):
        assert f'id="{field}-error"' in html


def test_two_identical_submissions_racing_end_in_one_application(app, monkeypatch):
    """Both passed the first look-up; the unique token decides, the loser keeps no file."""
    import io

    from feedback.connection_requests import intake
    from feedback.connection_requests.models import DocumentKind
    from feedback.connection_requests.schemas import ApplicationSchema
    from feedback.connection_requests.uploads import Upload
    from tests.feedback.connection_requests.conftest import VALID, next_year

    data = ApplicationSchema().load({**VALID, "desired_start": next_year()})

    def upload() -> list[Upload]:
        return [Upload("title_proof", DocumentKind.TITLE_PROOF, "a.pdf", io.BytesIO(pdf()))]

    first = intake.submit_request(data, upload(), idempotency_key="same-form")
    real = intake._by_token
    calls = {"n": 0}

    def late_lookup(key: str | None) -> Any:
        calls["n"] += 1
        return None if calls["n"] == 1 else real(key)  # the race: not there yet at first

    monkeypatch.setattr(intake, "_by_token", late_lookup)
    second = intake.submit_request(data, upload(), idempotency_key="same-form")
    assert second.repeated and second.reference == first.reference
    assert count(ConnectionRequest) == 1 and count(ConnectionDocument) == 1
    assert len(stored_files(app)) == 1 and count(PendingFile) == 0
