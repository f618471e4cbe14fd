"""The bundle: its files, byte-identical CSV and JSON, the data package, the spreadsheet, the
PDF's text, personal data left out unless asked for (and then audit-logged), bad input."""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from pathlib import Path

import jsonschema
import pytest
import sqlalchemy as sa

from service.audit import AuditEntry
from service.extensions import db

ROOT = Path(__file__).resolve().parents[3]
EXPECTED_FILES = {
    "evidence.json",
    "datapackage.json",
    "data.xlsx",
    "manifest.json",
    "report.html",
    "report.pdf",
    "registers/cases.csv",
    "registers/interruptions.csv",
    "registers/notices_sent.csv",
    "registers/survey_answers.csv",
}


def _bundle(result) -> Path:
    assert result.exit_code == 0, result.output
    return Path(result.stdout.strip().splitlines()[-1])


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_one_zip_with_every_file_and_nothing_else_left_in_the_folder(known, signing_key, export):
    result, out = export()
    bundle = _bundle(result)
    assert bundle.parent == out
    assert [p.name for p in out.iterdir()] == [bundle.name]  # no temporary leftovers
    members = set(_members(bundle))
    assert members >= EXPECTED_FILES  # and the registers of whatever other parts are installed
    assert all(name.startswith("registers/") for name in members - EXPECTED_FILES)


def test_the_same_inputs_give_byte_identical_csv_and_json(known, signing_key, export):
    first = _members(_bundle(export()[0]))
    second = _members(_bundle(export()[0]))
    for name in first:
        if name.endswith((".csv", ".json")) and name != "manifest.json":
            assert first[name] == second[name], name


def test_evidence_json_follows_its_published_schema(known, signing_key, export):
    members = _members(_bundle(export()[0]))
    schema = json.loads((ROOT / "docs" / "evidence.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(members["evidence.json"]), schema)


def test_the_data_package_describes_every_register_and_its_hash(known, signing_key, export):
    import hashlib

    members = _members(_bundle(export()[0]))
    package = json.loads(members["datapackage.json"])
    schema = json.loads((ROOT / "tests" / "data" / "tabular-data-package.schema.json").read_text())
    jsonschema.validate(package, schema)
    assert {r["path"] for r in package["resources"]} == {
        n for n in members if n.startswith("registers/")
    }
    for resource in package["resources"]:
        data = members[resource["path"]]
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert resource["bytes"] == len(data)
        rows = list(csv.reader(io.StringIO(data.decode())))
        fields = resource["schema"]["fields"]
        assert rows[0] == [f["name"] for f in fields]
        for row in rows[1:]:
            for value, field in zip(row, fields, strict=True):
                _check_cell(value, field["type"])


def _check_cell(value: str, type_: str) -> None:
    """Frictionless Table Schema's default formats."""
    import re

    if value == "":
        return
    patterns = {
        "integer": r"-?\d+",
        "number": r"-?\d+(\.\d+)?",
        "boolean": r"true|false",
        "datetime": r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z",
        "date": r"\d{4}-\d{2}-\d{2}",
        "string": r"(?s).*",
    }
    assert re.fullmatch(patterns[type_], value), (value, type_)


def test_registers_hold_the_known_rows(known, signing_key, export):
    members = _members(_bundle(export()[0]))
    interruptions = list(
        csv.DictReader(io.StringIO(members["registers/interruptions.csv"].decode()))
    )
    assert [int(r["id"]) for r in interruptions] == [
        known["o1"],
        known["o2"],
        known["o3"],
        known["o6"],
    ]
    o3 = next(r for r in interruptions if int(r["id"]) == known["o3"])
    assert o3["lead_time_hours"] == "144" and o3["duration_hours"] == "6"
    assert o3["customers_affected"] == "20" and o3["notice_late"] == "false"
    assert o3["first_published_at"] == "2025-03-25T20:30:00Z"
    o2 = next(r for r in interruptions if int(r["id"]) == known["o2"])
    assert o2["duration_hours"] == "12"  # across the spring change: 12 real hours
    notices = list(csv.DictReader(io.StringIO(members["registers/notices_sent.csv"].decode())))
    assert notices == [
        {"outage_id": str(known["o1"]), "channel": "sms", "queued": "4", "sent": "3",
         "delivered": "2", "failed": "1"}
    ]  # fmt: skip
    cases = list(csv.DictReader(io.StringIO(members["registers/cases.csv"].decode())))
    assert len(cases) == 5
    first = cases[0]
    assert first["reference"].endswith(f"-2025-{known['c1']:06d}")
    assert first["answered_in_time"] == "true" and first["answer_hours"] == "48"
    assert first["satisfaction"] == "5"


def test_personal_columns_stay_out_unless_asked_for_and_then_are_audit_logged(
    known, signing_key, export
):
    plain = _members(_bundle(export()[0]))
    header = plain["registers/cases.csv"].decode().splitlines()[0].split(",")
    assert not {"name", "email", "phone", "description"} & set(header)
    assert b"maija@example.fi" not in b"".join(plain.values())
    assert "late_notice_reason" not in plain["registers/interruptions.csv"].decode().splitlines()[0]
    logged = sa.select(sa.func.count(AuditEntry.id)).where(
        AuditEntry.action == "compliance.personal_data_exported"
    )
    assert db.session.scalar(logged) == 0

    full = _members(_bundle(export("--with-personal-data")[0]))
    assert b"maija@example.fi" in full["registers/cases.csv"]
    assert db.session.scalar(logged) == 1


def test_the_spreadsheet_has_a_sheet_per_register_and_the_figures(known, signing_key, export):
    import openpyxl

    members = _members(_bundle(export()[0]))
    workbook = openpyxl.load_workbook(io.BytesIO(members["data.xlsx"]), read_only=True)
    registers = {n.removeprefix("registers/").removesuffix(".csv") for n in members if ".csv" in n}
    assert set(workbook.sheetnames) == registers | {"figures"}
    assert {"cases", "interruptions", "notices_sent", "survey_answers"} <= registers
    rows = list(workbook["interruptions"].iter_rows(values_only=True))
    assert rows[0][0] == "id" and len(rows) == 5
    figures = {r[0]: r[2] for r in workbook["figures"].iter_rows(min_row=2, values_only=True)}
    assert figures["interruptions_total"] == 4


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["Report on meeting the standards", "Summary", "A3", "Not met", "No data"]),
        ("pl", ["Raport z realizacji standardów", "Podsumowanie", "Brak danych"]),
        ("fi", ["Raportti laatuvaatimusten täyttymisestä", "Yhteenveto"]),
    ],
)
def test_the_pdf_reads_in_the_chosen_language(known, signing_key, export, lang, words):
    import pypdf

    members = _members(_bundle(export(lang=lang)[0]))
    text = "\n".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(members["report.pdf"])).pages
    )
    for word in words:
        assert word in text, word
    assert signing_key[:20] in text.replace("\n", "")  # the public key is in the report
    html = members["report.html"].decode()
    assert "<svg" in html  # interruptions per month, answers against deadlines


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"mark": "green-heat"}, "unknown mark"),
        ({"period": ""}, "no period"),
        ({"period": "2025-06-30..2025-01-01"}, "before"),
        ({"period": "2999"}, "in the future"),
        ({"period": "2025-13"}, "2025-13"),
        ({"lang": "de"}, "not offered"),
    ],
)
def test_bad_input_is_refused_clearly_and_leaves_nothing(app, signing_key, export, args, message):
    result, out = export(**args)
    assert result.exit_code != 0
    assert message in result.output
    assert list(out.iterdir()) == []


def test_an_unwritable_folder_is_refused(app, signing_key, runner, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    if os.access(folder, os.W_OK):  # root writes anywhere on disk, but not into /proc
        folder = Path("/proc")
    try:
        result = runner.invoke(
            args=["compliance", "export", "--mark", "all", "--period", "2025", "--lang", "en",
                  "--out", str(folder)]
        )  # fmt: skip
        assert result.exit_code == 1 and "not writable" in result.output
    finally:
        (tmp_path / "locked").chmod(0o700)


def test_without_a_signing_key_nothing_is_written(app, export):
    result, out = export()
    assert result.exit_code == 1 and "keys create" in result.output
    assert list(out.iterdir()) == []


def test_keys_create_never_overwrites_and_keeps_the_key_private(app, runner, signing_key):
    from service.compliance.keys import key_path

    assert oct(key_path().stat().st_mode & 0o777) == "0o600"
    before = key_path().read_bytes()
    again = runner.invoke(args=["compliance", "keys", "create"])
    assert again.exit_code == 1 and "never overwritten" in again.output
    assert key_path().read_bytes() == before


def test_the_public_page_shows_the_public_key(client, signing_key):
    page = client.get("/en/compliance")
    assert page.status_code == 200
    assert signing_key in page.get_data(as_text=True)
