"""A register sheet written a batch at a time (service/compliance/sheet_rows.py) is byte for byte
the sheet XlsxWriter's own typed cell calls write, and the CSV beside it keeps its format."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter

from service.compliance.sheet_rows import SheetRows
from service.compliance.tables import write_register
from service.evidence import Column, FieldType, Register

COLUMNS = (
    Column("id", FieldType.INTEGER),
    Column("text", FieldType.STRING),
    Column("at", FieldType.DATETIME),
    Column("share", FieldType.NUMBER),
    Column("flag", FieldType.BOOLEAN),
    Column("day", FieldType.DATE),
)
HELSINKI = dt.timezone(dt.timedelta(hours=2))
NAIVE = dt.datetime(2025, 1, 1)  # noqa: DTZ001 (a naive value is taken as UTC)
ROWS: list[tuple[Any, ...]] = [
    (
        1,
        "plain",
        dt.datetime(2025, 3, 30, 0, 59, 59, tzinfo=dt.UTC),
        0.5,
        True,
        dt.date(2025, 1, 2),
    ),
    (2, " leading & <tags>", dt.datetime(2025, 10, 26, 3, 0, tzinfo=HELSINKI), 1 / 3, False, None),
    (3, "trailing\n", NAIVE, 12345678901234567, None, dt.date(2024, 2, 29)),
    (4, "bell\x07 and _x0041_ and \ufffe", None, -0.0, True, None),
    (5, "", dt.datetime(1900, 3, 1, 12, tzinfo=dt.UTC), 2, False, None),
    (None, None, None, None, None, None),  # an empty row: no <row> at all
    (7, "Ääkköset ja €", dt.datetime(2025, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC), 7, 1, None),
    (8, "x" * 40000, None, None, None, None),  # longer than a cell takes
    (9, "🙂" * 20000, None, None, None, None),  # above U+FFFF: two UTF-16 units each
    (10, "Excel's day 1", dt.datetime(1900, 1, 1, 12, tzinfo=dt.UTC), None, None, None),
]


def _workbook(path: Path) -> Any:
    workbook = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    workbook.set_properties({"created": dt.datetime(2000, 1, 1)})  # noqa: DTZ001
    return workbook, {
        "header": workbook.add_format({"bold": True}),
        "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
    }


def _with_xlsxwriter_calls(path: Path, rows: Sequence[Sequence[Any]]) -> None:
    """The reference: one typed XlsxWriter call per cell."""
    workbook, formats = _workbook(path)
    sheet = workbook.add_worksheet("register")
    sheet.write_row(0, 0, [c.name for c in COLUMNS], formats["header"])
    for number, row in enumerate(rows, start=1):
        for col, (column, value) in enumerate(zip(COLUMNS, row, strict=True)):
            if value is None:
                continue
            if column.type in (FieldType.INTEGER, FieldType.NUMBER):
                sheet.write_number(number, col, float(value))
            elif column.type is FieldType.BOOLEAN:
                sheet.write_boolean(number, col, bool(value))
            elif column.type is FieldType.DATETIME:
                aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
                naive = aware.astimezone(dt.UTC).replace(tzinfo=None)
                sheet.write_datetime(number, col, naive, formats["datetime"])
            else:
                sheet.write_string(number, col, str(value))
    workbook.close()


def _with_sheet_rows(path: Path, rows: Sequence[Sequence[Any]], batch: int) -> None:
    workbook, formats = _workbook(path)
    sheet = workbook.add_worksheet("register")
    sheet.write_row(0, 0, [c.name for c in COLUMNS], formats["header"])
    writer = SheetRows(sheet, COLUMNS, formats["datetime"])
    for start in range(0, len(rows), batch):
        writer.write(rows[start : start + batch], first_row=start + 1)
    writer.finish()
    workbook.close()


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_sheet_is_what_xlsxwriter_writes_cell_by_cell(tmp_path: Path) -> None:
    _with_xlsxwriter_calls(tmp_path / "reference.xlsx", ROWS)
    _with_sheet_rows(tmp_path / "batched.xlsx", ROWS, batch=4)
    reference, batched = _parts(tmp_path / "reference.xlsx"), _parts(tmp_path / "batched.xlsx")
    assert batched.keys() == reference.keys()
    for name in reference:
        assert batched[name] == reference[name], name


def test_plain_columns_taken_a_column_at_a_time_are_what_xlsxwriter_writes(tmp_path: Path) -> None:
    """The database's usual values (UTC datetimes, plain text, small integers, some missing)
    go through the column-at-a-time paths; the same bytes as XlsxWriter's calls."""
    start = dt.datetime(2025, 3, 30, 0, 30, 0, 250000, tzinfo=dt.UTC)
    rows = [
        (
            number * 7919,
            None if number % 5 == 0 else f"Katu {number} Ää",
            None if number % 4 == 0 else start + dt.timedelta(minutes=37 * number),
            number / 7,
            number % 2 == 0,
            None,
        )
        for number in range(40)
    ]
    naive = [(n, "x", NAIVE + dt.timedelta(hours=n), None, None, None) for n in range(1, 5)]
    _with_xlsxwriter_calls(tmp_path / "reference.xlsx", [*rows, *naive])
    _with_sheet_rows(tmp_path / "batched.xlsx", [*rows, *naive], batch=20)
    assert _parts(tmp_path / "batched.xlsx") == _parts(tmp_path / "reference.xlsx")


def test_trailing_empty_rows_do_not_stretch_the_sheet(tmp_path: Path) -> None:
    rows = [*ROWS[:2], (None,) * len(COLUMNS)]
    _with_xlsxwriter_calls(tmp_path / "reference.xlsx", rows)
    _with_sheet_rows(tmp_path / "batched.xlsx", rows, batch=2)
    assert _parts(tmp_path / "batched.xlsx") == _parts(tmp_path / "reference.xlsx")


def test_a_register_without_rows_is_its_header(tmp_path: Path) -> None:
    _with_xlsxwriter_calls(tmp_path / "reference.xlsx", [])
    _with_sheet_rows(tmp_path / "batched.xlsx", [], batch=2)
    assert _parts(tmp_path / "batched.xlsx") == _parts(tmp_path / "reference.xlsx")


def test_the_register_reads_back_in_openpyxl_and_the_csv_keeps_its_format(tmp_path: Path) -> None:
    register = Register("sample", "Sample", COLUMNS, lambda: iter(ROWS[:5]))
    workbook, formats = _workbook(tmp_path / "data.xlsx")
    sheet = workbook.add_worksheet("sample")
    table = write_register(register, tmp_path, sheet, with_personal_data=False, formats=formats)
    workbook.close()
    assert table.rows == 5
    sheet = openpyxl.load_workbook(tmp_path / "data.xlsx")["sample"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == tuple(c.name for c in COLUMNS)
    assert values[1][:5] == (1, "plain", dt.datetime(2025, 3, 30, 0, 59, 59), 0.5, True)  # noqa: DTZ001
    assert values[2][1:3] == (" leading & <tags>", dt.datetime(2025, 10, 26, 1, 0))  # noqa: DTZ001
    assert (tmp_path / "sample.csv").read_text(encoding="utf-8").splitlines() == [
        "id,text,at,share,flag,day",
        "1,plain,2025-03-30T00:59:59Z,0.5,true,2025-01-02",
        "2, leading & <tags>,2025-10-26T01:00:00Z,0.3333,false,",
        '3,"trailing',
        '",2025-01-01T00:00:00Z,12345678901234568,,2024-02-29',
        "4,bell\x07 and _x0041_ and \ufffe,,0,true,",
        "5,,1900-03-01T12:00:00Z,2,false,",
    ]
