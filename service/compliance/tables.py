"""Registers out to CSV and to data.xlsx in one streamed pass, and their data package entry.

CSV: UTF-8, comma, "\\n" line ends, a header of the column names; values as Frictionless Table
Schema reads them by default (datetime `YYYY-MM-DDThh:mm:ssZ` in UTC, booleans `true`/`false`,
an empty cell for no value). The same rows give the same bytes. XLSX: XlsxWriter in constant
memory (rows go to disk as they are written), a sheet per register.

A register can be a million rows, so both files are written a batch of rows at a time, with
one converter per column chosen once from its type (nothing sniffs a cell's type). The sheet's
rows are the `<row>` XML XlsxWriter itself writes in constant-memory mode, made here in one
string per batch and appended to the sheet's row file (sheet_rows.py): XlsxWriter's per-cell
calls cost ten times more than the rest of the export's work on a row.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.compliance.sheet_rows import UTC_ZONES, SheetRows
from service.evidence import Column, FieldType, Register

XLSX_MAX_ROWS = 1_048_575  # a sheet's rows, less the header
BATCH = 2000  # rows per write


def _datetime_text(value: Any) -> str:
    if not isinstance(value, dt.datetime):
        return str(value)
    if value.tzinfo not in UTC_ZONES and value.tzinfo is not None:  # naive: UTC already
        value = value.astimezone(dt.UTC)
    # isoformat is thrice as fast as strftime; its first 19 characters are YYYY-MM-DDThh:mm:ss
    return value.isoformat()[:19] + "Z"


def _date_text(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _boolean_text(value: Any) -> str:
    return "true" if value else "false"


def _number_text(value: Any) -> str:
    text = f"{float(value):.4f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _integer_text(value: Any) -> Any:
    return value if value.__class__ is int else str(int(value))


# How a typed value becomes CSV text; a string column's value goes to csv.writer as it is
# (it writes str(value), and an empty cell for None).
_TEXT: dict[FieldType, Callable[[Any], Any]] = {
    FieldType.DATETIME: _datetime_text,
    FieldType.DATE: _date_text,
    FieldType.BOOLEAN: _boolean_text,
    FieldType.NUMBER: _number_text,
    FieldType.INTEGER: _integer_text,
}


def cell_text(value: object, type_: FieldType) -> str:
    """One value as the CSV writes it."""
    if value is None:
        return ""
    convert = _TEXT.get(type_)
    return str(convert(value) if convert else value)


@dataclass(frozen=True)
class WrittenTable:
    name: str
    title: str
    path: str  # inside the bundle: "registers/<name>.csv"
    columns: tuple[Column, ...]
    rows: int
    bytes: int
    sha256: str


def _batches(rows: Iterable[Sequence[object]]) -> Iterator[list[Sequence[object]]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, BATCH)):
        yield batch


def _csv_rows(
    rows: list[tuple[Any, ...]], converters: list[tuple[int, Callable[[Any], Any]]]
) -> Iterable[Sequence[Any]]:
    if not converters:
        return rows
    out = []
    for row in rows:
        line = list(row)
        for index, convert in converters:
            value = line[index]
            if value is not None:
                line[index] = convert(value)
        out.append(line)
    return out


def write_register(
    register: Register,
    folder: Path,
    workbook: Any,
    *,
    with_personal_data: bool,
    watchers: Sequence[Any] = (),
    formats: dict[str, Any],
) -> WrittenTable:
    """Stream `register` into `folder/<name>.csv` and a sheet of `workbook`."""
    keep = [
        index
        for index, column in enumerate(register.columns)
        if with_personal_data or not column.personal
    ]
    columns = tuple(register.columns[i] for i in keep)
    names = [c.name for c in columns]
    converters = [(i, _TEXT[c.type]) for i, c in enumerate(columns) if c.type in _TEXT]
    everything = keep == list(range(len(register.columns)))
    # The kept columns of a row as a tuple, in C (itemgetter of one index gives the value).
    pick = operator.itemgetter(*keep) if len(keep) > 1 else lambda row: tuple(row[i] for i in keep)

    sheet = workbook.add_worksheet(register.name[:31])
    sheet.write_row(0, 0, names, formats["header"])
    sheet_rows = SheetRows(sheet, columns, formats["datetime"])

    digest, size, count = hashlib.sha256(), 0, 0
    with (folder / f"{register.name}.csv").open("wb") as target:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(names)
        for batch in _batches(register.rows()):
            for watcher in watchers:
                for row in batch:
                    watcher.see(row)
            values = [tuple(row) for row in batch] if everything else list(map(pick, batch))
            writer.writerows(_csv_rows(values, converters))
            data = buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
            digest.update(data)
            target.write(data)
            size += len(data)
            if count < XLSX_MAX_ROWS:
                sheet_rows.write(values[: XLSX_MAX_ROWS - count], first_row=count + 1)
            count += len(batch)
        data = buffer.getvalue().encode()  # the header alone, for a register without rows
        digest.update(data)
        target.write(data)
        size += len(data)
    sheet_rows.finish()
    return WrittenTable(
        register.name,
        register.title,
        f"registers/{register.name}.csv",
        columns,
        count,
        size,
        digest.hexdigest(),
    )


def resource(table: WrittenTable) -> dict[str, Any]:
    """The table's entry in datapackage.json (Frictionless tabular data resource)."""
    return {
        "name": table.name,
        "title": table.title,
        "path": table.path,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": table.bytes,
        "hash": f"sha256:{table.sha256}",
        "dialect": {"delimiter": ",", "lineTerminator": "\n", "header": True},
        "schema": {
            "fields": [
                {"name": c.name, "type": c.type.value, "description": c.description}
                for c in table.columns
            ],
            "missingValues": [""],
        },
    }


ProgressFn = Callable[[str, int], None]
