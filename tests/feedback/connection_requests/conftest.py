"""Fixtures of the connection-request tests: a Polish utility, files as browsers send them, and
the application form filled in the way a browser submits it (empty fields as "")."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib
from typing import Any

import pytest

from tests.support.forms import browser_form

FORM_URL = "/pl/connection-request"
VALID = {
    "applicant_kind": "cooperative",
    "applicant_name": "Spółdzielnia Mieszkaniowa Słoneczna",
    "nip": "856-734-62-15",
    "regon": "192598184",
    "signatory": "Anna Kowalska, prezes zarządu",
    "email": "biuro@sloneczna.example.pl",
    "phone": "+48 601 234 567",
    "street": "Słoneczna",
    "house_number": "12",
    "postcode": "00-950",
    "city": "Warszawa",
    "plot_number": "123/4",
    "legal_title": "owner",
    "purpose": "residential",
    "new_building": "new",
    "heated_area_m2": "2400",
    "cubature_m3": "7800",
    "heating_kw": "180",
    "hot_water_kw": "60",
    "off_season_kw": "40",
    "annual_mwh": "450",
}


@pytest.fixture
def settings_env(tmp_path: Any) -> dict[str, str]:
    return {"FAIRHEAT_JURISDICTION": "PL", "FAIRHEAT_FILES_DIR": str(tmp_path / "files")}


def next_year() -> str:
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=365)).isoformat()


def pdf(size: int = 2000, marker: bytes = b"") -> bytes:
    body = b"%PDF-1.4\n" + marker + b"\n"
    return body + b"%" + b"x" * max(0, size - len(body) - 7) + b"\n%%EOF\n"


def png(width: int = 20, height: int = 10) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def jpeg(width: int = 20, height: int = 10) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def application(
    client: Any, files: dict[str, tuple[bytes, str]] | None = None, **values: Any
) -> dict[str, Any]:
    """What a browser sends from the public form, with `values` typed and `files` chosen."""
    page = client.get(FORM_URL).get_data(as_text=True)
    fields = {**VALID, "desired_start": next_year(), **values}
    data: dict[str, Any] = dict(browser_form(page, "/pl/connection-request", **fields))
    for name, (content, filename) in (files or {}).items():
        data[name] = (io.BytesIO(content), filename)
    return data


def send(client: Any, data: dict[str, Any], **kw: Any) -> Any:
    return client.post(FORM_URL, data=data, content_type="multipart/form-data", **kw)


TWO_DOCUMENTS = {
    "title_proof": (pdf(), "akt notarialny.pdf"),
    "site_plan": (png(), "mapa.png"),
}


def make_request(files: bool = True, received_at: dt.datetime | None = None, **values: Any) -> Any:
    """A request submitted through the service (the schema, then submit_request)."""
    from feedback.connection_requests import intake
    from feedback.connection_requests.models import ConnectionRequest, DocumentKind
    from feedback.connection_requests.schemas import ApplicationSchema
    from feedback.connection_requests.uploads import Upload
    from service.extensions import db

    data = ApplicationSchema().load({**VALID, "desired_start": next_year(), **values})
    if received_at is not None:
        data["received_at"] = received_at
    uploads = (
        [
            Upload("title_proof", DocumentKind.TITLE_PROOF, "akt.pdf", io.BytesIO(pdf())),
            Upload("site_plan", DocumentKind.SITE_PLAN, "mapa.pdf", io.BytesIO(pdf())),
        ]
        if files
        else []
    )
    receipt = intake.submit_request(data, uploads)
    return db.session.get(ConnectionRequest, receipt.request_id)


CONDITIONS = {
    "connection_point": "Komora K-12 na sieci 2xDN100, ul. Słoneczna",
    "capacity_kw": "240",
    "heat_carrier": "woda 121/60 °C zimą, 70/35 °C latem; tabela regulacyjna w załączniku",
    "boundary": "na zaworach odcinających w węźle cieplnym",
    "metering": "ciepłomierz ultradźwiękowy w węźle, własność przedsiębiorstwa",
}
