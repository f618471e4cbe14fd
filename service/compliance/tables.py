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
from itertools import repeat
from pathlib import Path
from typing import Any

from service.compliance.sheet_rows import UTC_ZONES, SheetRows, filled, utc_kind
from service.evidence import Column, FieldType, Register

XLSX_MAX_ROWS = 1_048_575  # a sheet's rows, less the header
BATCH = 2000  # rows per write


def _datetime_text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        return str(value)
    if value.tzinfo not in UTC_ZONES and value.tzinfo is not None:  # naive: UTC already
        value = value.astimezone(dt.UTC)
    # isoformat is thrice as fast as strftime; its first 19 characters are YYYY-MM-DDThh:mm:ss
    return value.isoformat()[:19] + "Z"


def _date_text(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _boolean_text(value: Any) -> str | None:
    if value is None:
        return None
    return "true" if value else "false"


def _number_text(value: Any) -> str | None:
    if value is None:
        return None
    text = f"{float(value):.4f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _integer_text(value: Any) -> Any:
    if value is None or value.__class__ is int:
        return value
    return str(int(value))


# How a typed value becomes CSV text (None stays None: csv.writer writes an empty cell); a
# string column's value goes to csv.writer as it is (it writes str(value)).
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


def _texts(convert: Callable[[Any], Any] | None, column: Sequence[Any]) -> Sequence[Any]:
    """A batch's column as CSV text (a column of nothing but None stays as it is)."""
    if convert is None or column.count(None) == len(column):
        return column
    if convert is _integer_text and set(map(type, column)) <= {int, type(None)}:
        return column  # csv.writer writes an int as _integer_text would
    if convert is _datetime_text and utc_kind(full := filled(column)) is not None:
        # _datetime_text's isoformat()[:19] + "Z", with `map`: every value a UTC datetime
        stamps: Iterator[Any] = map(
            operator.getitem, map(dt.datetime.isoformat, full), repeat(slice(0, 19))
        )
        texts: list[Any] = list(map(str.__add__, stamps, repeat("Z")))
        blanks = map(operator.is_, column, repeat(None))
        for index in itertools.compress(range(len(column)), blanks):
            texts[index] = None
        return texts
    return list(map(convert, column))


def write_register(
    register: Register,
    folder: Path,
    sheet: Any,
    *,
    with_personal_data: bool,
    watchers: Sequence[Any] = (),
    formats: dict[str, Any],
) -> WrittenTable:
    """Stream `register` into `folder/<name>.csv` and `sheet` (a constant-memory worksheet)."""
    keep = [
        index
        for index, column in enumerate(register.columns)
        if with_personal_data or not column.personal
    ]
    columns = tuple(register.columns[i] for i in keep)
    names = [c.name for c in columns]
    converters = [_TEXT.get(c.type) for c in columns]

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
            # A batch by columns (zip in C): each column converted by one `map`, no Python
            # loop over rows; the personal columns are simply not taken.
            every = list(zip(*batch, strict=True))
            values = [every[i] for i in keep]
            texts = [_texts(c, v) for c, v in zip(converters, values, strict=True)]
            writer.writerows(zip(*texts, strict=True) if texts else [()] * len(batch))
            data = buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
            digest.update(data)
            target.write(data)
            size += len(data)
            if count < XLSX_MAX_ROWS:
                room = min(len(batch), XLSX_MAX_ROWS - count)
                if room < len(batch):
                    values = [column[:room] for column in values]
                sheet_rows.write_columns(values, room, first_row=count + 1)
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
